import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useSession } from './session';
import { useCommonStrings } from './strings';
import { usePageTitle } from './usePageTitle';

function here(): string {
  return window.location.pathname + window.location.search;
}

/** The sign-in screen: one link into the server's sign-in (e-legitimation, or the development page). */
export function SignInScreen({ appName, notice }: { appName: string; notice?: string }) {
  const s = useCommonStrings();
  const { signInHref, devSignIn: dev } = useSession();
  usePageTitle(s.signIn.title, appName);
  return (
    <main id="innehall" className="site-main site-main--narrow">
      <p className="site-name site-name--large">{appName}</p>
      <h1>{s.signIn.title}</h1>
      {notice && (
        <div className="alert alert--warning" role="alert">
          <p>{notice}</p>
        </div>
      )}
      <p>{s.signIn.lead}</p>
      <p>
        <a className="button button--primary" href={signInHref(here())}>
          {dev ? s.signIn.buttonDev : s.signIn.buttonOidc}
        </a>
      </p>
      {dev && <p className="muted">{s.signIn.devNote}</p>}
    </main>
  );
}

/** Shown above the page when the session has ended: what was typed stays on the page (and in sessionStorage). */
export function SessionExpiredBanner() {
  const s = useCommonStrings();
  const { signInHref } = useSession();
  return (
    <div className="alert alert--warning site-banner" role="alert">
      <h2>{s.session.expiredTitle}</h2>
      <p>{s.session.expiredText}</p>
      <p>
        <a className="button button--primary" href={signInHref(here())}>
          {s.session.signInAgain}
        </a>
      </p>
    </div>
  );
}

/** The server cannot be reached at all (the session could not even be asked for). */
export function UnreachableScreen({ appName }: { appName: string }) {
  const s = useCommonStrings();
  const { refresh } = useSession();
  usePageTitle(s.unreachable.title, appName);
  return (
    <main id="innehall" className="site-main site-main--narrow">
      <p className="site-name site-name--large">{appName}</p>
      <h1>{s.unreachable.title}</h1>
      <p>{s.unreachable.text}</p>
      <Button className="button button--primary" onPress={refresh}>
        {s.unreachable.retry}
      </Button>
    </main>
  );
}

/**
 * Sign-in until there is a session, then the app. A session that has just
 * ended keeps the app on screen (with SessionExpiredBanner), so nothing typed
 * is lost. `refusal` turns the sign-in flow's `?fel=<code>` (e.g. the
 * e-service is not activated) into the app's own text.
 */
export function SessionGate({
  appName,
  loading,
  refusal,
  children,
}: {
  appName: string;
  loading: string;
  refusal: (code: string) => string;
  children: ReactNode;
}) {
  const { state } = useSession();
  switch (state.status) {
    case 'loading':
      return (
        <main id="innehall" className="site-main site-main--narrow">
          <p role="status">{loading}</p>
        </main>
      );
    case 'unreachable':
      return <UnreachableScreen appName={appName} />;
    case 'signedOut': {
      const code = new URLSearchParams(window.location.search).get('fel');
      return <SignInScreen appName={appName} notice={code ? refusal(code) : undefined} />;
    }
    default:
      return <>{children}</>;
  }
}
