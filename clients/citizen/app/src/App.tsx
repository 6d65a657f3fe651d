import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Provider } from 'urql';
import { createWebApi } from '../../../shared/ui/api';
import { ErrorBoundary } from '../../../shared/ui/ErrorBoundary';
import { Announcer, Layout } from '../../../shared/ui/Layout';
import { useSession } from '../../../shared/ui/session';
import { SessionExpiredBanner, SessionGate } from '../../../shared/ui/SignIn';
import { fmt } from '../../../shared/ui/strings';
import { MeDocument } from '../../src/generated/graphql';
import { LiveProvider, useLive } from './live';
import { InboxPage } from './messages/InboxPage';
import { NotActivated } from './NotActivated';
import { sv } from './strings.sv';
import { useKeptQuery } from '../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../shared/ui/usePageTitle';

// The inbox is in the first load; the other pages (and their heavier widgets) load when first opened.
const ConversationPage = lazy(() =>
  import('./messages/ConversationPage').then((m) => ({ default: m.ConversationPage })),
);
const NewMessagePage = lazy(() => import('./messages/NewMessagePage').then((m) => ({ default: m.NewMessagePage })));
const ProfilePage = lazy(() => import('./profile/ProfilePage').then((m) => ({ default: m.ProfilePage })));
const ContactsPage = lazy(() => import('./contacts/ContactsPage').then((m) => ({ default: m.ContactsPage })));

/** The citizen's whole app: sign-in until there is a session, then Meddelanden, Min profil, Kontakter. */
export function App() {
  return (
    <SessionGate appName={sv.appName} loading={sv.loading} refusal={signInRefusal}>
      <SignedIn />
    </SessionGate>
  );
}

/** What the sign-in flow's ?fel=<code> says to a citizen. */
function signInRefusal(code: string): string {
  return code === 'E_SERVICE_NOT_ACTIVATED'
    ? sv.notActivated.text
    : (sv.errors.byCode[code as keyof typeof sv.errors.byCode] ?? sv.errors.generic);
}

function SignedIn() {
  const session = useSession();
  const api = useMemo(
    () => createWebApi({ onUnauthenticated: session.expired, onActivity: session.activity }),
    [session.expired, session.activity],
  );
  return (
    <Provider value={api.client}>
      <BrowserRouter>
        <Announcer>
          <LiveProvider api={api}>
            <Shell />
          </LiveProvider>
        </Announcer>
      </BrowserRouter>
    </Provider>
  );
}

function Shell() {
  const { state } = useSession();
  const location = useLocation();
  const live = useLive();
  const [{ data: me }] = useKeptQuery({ query: MeDocument });
  const active = me?.me.eService.messagingEnabled !== false;
  const banner =
    state.status === 'expired' ? (
      <SessionExpiredBanner />
    ) : live.status === 'reconnecting' ? (
      <div className="alert alert--warning site-banner live-status" role="status">
        <p>{sv.live.reconnecting}</p>
      </div>
    ) : undefined;
  const nav = [
    {
      to: '/meddelanden',
      label: sv.nav.messages,
      badge: live.unread ? { value: live.unread, label: fmt(sv.nav.unreadBadge, { count: live.unread }) } : undefined,
    },
    { to: '/profil', label: sv.nav.profile },
    { to: '/kontakter', label: sv.nav.contacts },
  ];
  return (
    <Layout appName={sv.appName} nav={nav} banner={banner}>
      <ErrorBoundary key={location.pathname} title={sv.crash.title} text={sv.crash.text} reload={sv.crash.reload}>
        <Suspense fallback={<p role="status">{sv.loading}</p>}>
          <Routes>
            <Route path="/" element={<Navigate to="/meddelanden" replace />} />
            <Route path="/meddelanden" element={active ? <InboxPage /> : <NotActivated />} />
            <Route path="/meddelanden/nytt" element={active ? <NewMessagePage /> : <NotActivated />} />
            <Route path="/meddelanden/:id" element={active ? <ConversationPage /> : <NotActivated />} />
            <Route path="/profil" element={<ProfilePage />} />
            <Route path="/kontakter" element={<ContactsPage />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}

function NotFound() {
  usePageTitle(sv.notFound.title, sv.appName);
  return (
    <>
      <h1>{sv.notFound.title}</h1>
      <p>{sv.notFound.text}</p>
      <p>
        <Link to="/meddelanden">{sv.notFound.home}</Link>
      </p>
    </>
  );
}
