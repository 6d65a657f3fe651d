import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

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
}

const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}

async function fetchSession(): Promise<SessionInfo | SignedOutInfo> {
  const res = await fetch('/auth/session', { credentials: 'same-origin', headers: { accept: 'application/json' }, cache: 'no-store' });
  if (res.status === 401) return { signedIn: false };
  if (!res.ok) throw new Error(`GET /auth/session answered ${res.status}`);
  return (await res.json()) as SessionInfo | SignedOutInfo;
}

/** Holds the browser's session state for one app; signed in as the other kind counts as signed out here. */
export function SessionProvider({ app, children }: { app: AppKind; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // The server names where sign-in starts in a <meta> of the page it serves (development page or OIDC).
  const [loginUrl, setLoginUrl] = useState<string | undefined>(() => document.querySelector<HTMLMetaElement>('meta[name="ifo-login-url"]')?.content || undefined);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    fetchSession().then(
      (info) => {
        if (cancelled) return;
        if (info.signedIn && info.kind === app) {
          setState({ status: 'signedIn', session: info });
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

  const refresh = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  const expired = useCallback(() => setState((s) => (s.status === 'signedIn' ? { status: 'expired' } : s)), []);
  const signOut = useCallback(async () => {
    try {
      await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' });
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
  const api = useMemo(() => ({ state, refresh, expired, signOut, signInHref, devSignIn }), [state, refresh, expired, signOut, signInHref, devSignIn]);
  return <SessionContext value={api}>{children}</SessionContext>;
}
