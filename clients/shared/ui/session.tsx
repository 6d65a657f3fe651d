import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

/** Which app asks: the sign-in flow returns to it and signs in against its issuer. */
export type AppKind = 'citizen' | 'staff';

/** GET /auth/session: what the browser may know about its session (the cookie itself is HttpOnly). */
export interface SessionInfo {
  signedIn: true;
  kind: AppKind;
  name: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
}

interface SignedOutInfo {
  signedIn: false;
  /** Where the sign-in starts (OIDC or the development page); the server tells which. */
  loginUrl?: string;
}

export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; session: SessionInfo }
  /** Was signed in, and the server now answers 401: keep the page, offer sign-in. */
  | { status: 'expired' }
  /** The server could not be reached (network down, server stopped). */
  | { status: 'unreachable' };

interface SessionApi {
  state: SessionState;
  /** Ask the server again (after "Försök igen"). */
  refresh(): void;
  /** A request answered 401 / UNAUTHENTICATED. */
  expired(): void;
  signOut(): Promise<void>;
  /** Where to send the browser to sign in, coming back to `returnTo`. */
  signInHref(returnTo: string): string;
  /** The development sign-in page (demo people) rather than e-legitimation. */
  devSignIn: boolean;
  /** Minutes left before the idle limit ends the session, shown as a warning in its last minutes; undefined otherwise. */
  endsInMinutes: number | undefined;
  /** A request was answered for this session (it moved the server's idle clock). */
  activity(): void;
  /** "Fortsätt vara inloggad": one request, which counts as activity. */
  stay(): Promise<void>;
}

/** How long before the idle limit the person is warned (WCAG 2.2.1: warned, and able to extend with one action). */
const WARN_BEFORE_MS = 3 * 60_000;

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}

async function fetchSession(): Promise<(SessionInfo & { skewMs: number }) | SignedOutInfo> {
  const res = await fetch('/auth/session', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    cache: 'no-store',
  });
  if (res.status === 401) return { signedIn: false };
  if (!res.ok) throw new Error(`GET /auth/session answered ${res.status}`);
  const info = (await res.json()) as SessionInfo | SignedOutInfo;
  if (!info.signedIn) return info;
  // The server's clock decides when the session ends; this one may be off.
  const serverNow = Date.parse(res.headers.get('date') ?? '');
  return { ...info, skewMs: Number.isFinite(serverNow) ? serverNow - Date.now() : 0 };
}

/** Holds the browser's session state for one app; signed in as the other kind counts as signed out here. */
export function SessionProvider({ app, children }: { app: AppKind; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // The server names where sign-in starts in a <meta> of the page it serves (development page or OIDC).
  const [loginUrl, setLoginUrl] = useState<string | undefined>(
    () => document.querySelector<HTMLMetaElement>('meta[name="ifo-login-url"]')?.content || undefined,
  );
  const [attempt, setAttempt] = useState(0);
  const [endsInMinutes, setEndsInMinutes] = useState<number>();
  const [ends, setEnds] = useState<{ idle: number; absolute: number }>();

  useEffect(() => {
    let cancelled = false;
    fetchSession().then(
      (info) => {
        if (cancelled) return;
        if (info.signedIn && info.kind === app) {
          setState({ status: 'signedIn', session: info });
          setEnds({
            idle: Date.parse(info.idleExpiresAt) - info.skewMs,
            absolute: Date.parse(info.absoluteExpiresAt) - info.skewMs,
          });
        } else {
          if (!info.signedIn && info.loginUrl) setLoginUrl(info.loginUrl);
          setState({ status: 'signedOut' });
        }
      },
      () => !cancelled && setState({ status: 'unreachable' }),
    );
    return () => {
      cancelled = true;
    };
  }, [app, attempt]);

  // Asking for the session does not count as activity; after a request that did, the idle limit has moved.
  const asking = useRef<ReturnType<typeof setTimeout>>(undefined);
  const activity = useCallback(() => {
    clearTimeout(asking.current);
    asking.current = setTimeout(() => {
      fetchSession().then(
        (info) =>
          info.signedIn &&
          setEnds({
            idle: Date.parse(info.idleExpiresAt) - info.skewMs,
            absolute: Date.parse(info.absoluteExpiresAt) - info.skewMs,
          }),
        () => undefined,
      );
    }, 1500);
  }, []);
  const stay = useCallback(async () => {
    // Any request with the cookie moves the idle clock; this one asks for nothing else.
    await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    }).catch(() => undefined);
    activity();
  }, [activity]);

  // The warning in the last minutes before the idle limit, and the end itself.
  const signedIn = state.status === 'signedIn';
  useEffect(() => {
    if (!signedIn || !ends) return;
    const end = Math.min(ends.idle, ends.absolute);
    const tick = () => {
      const left = end - Date.now();
      if (left <= 0) {
        setEndsInMinutes(undefined);
        setState((s) => (s.status === 'signedIn' ? { status: 'expired' } : s));
        return;
      }
      // Only the idle limit can be extended; the absolute one is not warned about as if it could.
      setEndsInMinutes(
        left <= WARN_BEFORE_MS && ends.idle <= ends.absolute ? Math.max(1, Math.ceil(left / 60_000)) : undefined,
      );
    };
    tick();
    const timer = setInterval(tick, 10_000);
    return () => clearInterval(timer);
  }, [signedIn, ends]);

  const refresh = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  const expired = useCallback(() => setState((s) => (s.status === 'signedIn' ? { status: 'expired' } : s)), []);
  const signOut = useCallback(async () => {
    try {
      await fetch('/auth/logout', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    } finally {
      // Whatever the answer, nothing of the session stays in the page.
      window.location.assign(app === 'staff' ? '/staff/' : '/');
    }
  }, [app]);
  const signInHref = useCallback(
    (returnTo: string) => {
      const base = loginUrl ?? '/auth/login';
      const sep = base.includes('?') ? '&' : '?';
      return `${base}${sep}app=${app}&returnTo=${encodeURIComponent(returnTo)}`;
    },
    [app, loginUrl],
  );

  const devSignIn = !!loginUrl?.startsWith('/auth/dev');
  const api = useMemo(
    () => ({ state, refresh, expired, signOut, signInHref, devSignIn, endsInMinutes, activity, stay }),
    [state, refresh, expired, signOut, signInHref, devSignIn, endsInMinutes, activity, stay],
  );
  return <SessionContext value={api}>{children}</SessionContext>;
}
