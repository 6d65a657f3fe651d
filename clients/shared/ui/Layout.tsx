import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { NavigationType, NavLink, useLocation, useNavigationType } from 'react-router';
import { useSession } from './session';
import { plural, useCommonStrings } from './strings';

type Announce = (text: string) => void;
const AnnounceContext = createContext<Announce>(() => undefined);

/** Says something to screen-reader users through the page's polite live region. */
export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}

/** One polite live region for the whole app; repeated texts are announced again. */
export function Announcer({ children }: { children: ReactNode }) {
  const [text, setText] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const announce = useCallback((next: string) => {
    setText('');
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setText(next), 100);
  }, []);
  return (
    <AnnounceContext value={announce}>
      {children}
      <div role="status" aria-live="polite" aria-atomic="true" className="visually-hidden" data-testid="announcer">
        {text}
      </div>
    </AnnounceContext>
  );
}

export interface NavItem {
  to: string;
  label: string;
  /** E.g. the unread count; shown as a badge with its own accessible text. */
  badge?: { value: number; label: string };
}

/**
 * Moves focus to the page's heading after the person goes to another page, so
 * keyboard and screen-reader users start at the new content. Not on the first
 * load, nor for a redirect the app makes itself (e.g. / to /meddelanden).
 */
export function useFocusOnNavigate() {
  const { pathname } = useLocation();
  const type = useNavigationType();
  const first = useRef(true);
  useEffect(() => {
    if (first.current || type === NavigationType.Replace) {
      first.current = false;
      return;
    }
    // The new page's heading may come a moment later (its code or data still loading): wait for it, briefly.
    const focus = () => {
      const h1 = document.querySelector<HTMLElement>('main h1');
      if (!h1) return false;
      h1.setAttribute('tabindex', '-1');
      h1.focus();
      return true;
    };
    if (focus()) return;
    const main = document.querySelector('main');
    if (!main) return;
    const observer = new MutationObserver(() => focus() && observer.disconnect());
    observer.observe(main, { childList: true, subtree: true });
    const stop = setTimeout(() => observer.disconnect(), 5000);
    return () => {
      observer.disconnect();
      clearTimeout(stop);
    };
  }, [pathname, type]);
}

/** Header with the service name, the signed-in person and sign-out; the app's navigation; the main landmark. */
export function Layout({
  appName,
  nav,
  banner,
  children,
}: {
  appName: string;
  nav: NavItem[];
  banner?: ReactNode;
  children: ReactNode;
}) {
  const s = useCommonStrings();
  const { state, signOut, endsInMinutes, stay } = useSession();
  useFocusOnNavigate();
  const warning = state.status === 'signedIn' && endsInMinutes !== undefined && s.session.endingSoon && s.session.stay;
  return (
    <>
      <a className="skip-link" href="#innehall">
        {s.skipToContent}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <p className="site-name">{appName}</p>
          {state.status === 'signedIn' && (
            <div className="site-user">
              <span className="site-user__name">
                <span className="visually-hidden">{s.signedInAs} </span>
                {state.session.name}
              </span>
              <Button className="button button--quiet" onPress={() => void signOut()}>
                {s.signOut}
              </Button>
            </div>
          )}
        </div>
        {nav.length > 0 && (
          <nav aria-label={s.mainNav} className="site-nav">
            <ul>
              {nav.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to}>
                    {item.label}
                    {item.badge && item.badge.value > 0 && ' '}
                    {item.badge && item.badge.value > 0 && (
                      <span className="badge" data-testid="nav-badge">
                        <span aria-hidden="true">{item.badge.value}</span>
                        <span className="visually-hidden">{item.badge.label}</span>
                      </span>
                    )}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      {warning && (
        <div className="alert alert--warning site-banner" role="alert">
          <p>{plural(endsInMinutes, s.session.endingSoon!, s.session.endingSoon!, { minutes: endsInMinutes })}</p>
          <Button className="button button--primary" onPress={() => void stay()}>
            {s.session.stay}
          </Button>
        </div>
      )}
      {banner}
      <main id="innehall" className="site-main">
        {children}
      </main>
    </>
  );
}
