import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Provider, useQuery } from 'urql';
import { createWebApi } from '../../../shared/ui/api';
import { ErrorBoundary } from '../../../shared/ui/ErrorBoundary';
import { Announcer, Layout } from '../../../shared/ui/Layout';
import { useSession } from '../../../shared/ui/session';
import { SessionExpiredBanner, SessionGate } from '../../../shared/ui/SignIn';
import { fmt } from '../../../shared/ui/strings';
import { StaffMeDocument } from '../../src/generated/graphql';
import { LiveProvider, useLive } from './live';
import { MailboxNav } from './mailboxes/MailboxNav';
import { ConversationListPage } from './mailboxes/ConversationListPage';
import { sv } from './strings.sv';
import { usePageTitle } from './title';

// The inbox is the first load; reading, writing (with its editor), journaling and settings load when first opened.
const ConversationPage = lazy(() =>
  import('./reading/ConversationPage').then((m) => ({ default: m.ConversationPage })),
);
const DraftsPage = lazy(() => import('./mailboxes/DraftsPage').then((m) => ({ default: m.DraftsPage })));
const ComposePage = lazy(() => import('./compose/ComposePage').then((m) => ({ default: m.ComposePage })));
const SettingsPage = lazy(() => import('./settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const ContactListsPage = lazy(() =>
  import('./settings/ContactListsPage').then((m) => ({ default: m.ContactListsPage })),
);
// Person and case views (issue 11), and the executor's Uppdrag IFO.
const PersonSearchPage = lazy(() =>
  import('./persons/PersonSearchPage').then((m) => ({ default: m.PersonSearchPage })),
);
const PersonPage = lazy(() => import('./persons/PersonPage').then((m) => ({ default: m.PersonPage })));
const CasePage = lazy(() => import('./cases/CasePage').then((m) => ({ default: m.CasePage })));
const DocumentPage = lazy(() => import('./cases/DocumentPage').then((m) => ({ default: m.DocumentPage })));
const AssignmentsPage = lazy(() =>
  import('./assignments/AssignmentsPage').then((m) => ({ default: m.AssignmentsPage })),
);
const AssignmentPage = lazy(() => import('./assignments/AssignmentPage').then((m) => ({ default: m.AssignmentPage })));
// Administrators (systemförvaltare) get the administration instead of the mailboxes.
const AdminApp = lazy(() => import('./admin/AdminApp').then((m) => ({ default: m.AdminApp })));

/** The staff workspace (Meddelanden): sign-in until there is a session, then the mailboxes. */
export function App() {
  return (
    <SessionGate appName={sv.appName} loading={sv.loading} refusal={signInRefusal}>
      <SignedIn />
    </SessionGate>
  );
}

/** What the sign-in flow's ?fel=<code> says to staff. */
function signInRefusal(code: string): string {
  return sv.errors.byCode[code] ?? sv.errors.generic;
}

function SignedIn() {
  const session = useSession();
  const api = useMemo(() => createWebApi({ onUnauthenticated: session.expired }), [session.expired]);
  return (
    <Provider value={api.client}>
      <BrowserRouter basename="/staff">
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
  const live = useLive();
  const location = useLocation();
  const [{ data: me, error: meError }] = useQuery({ query: StaffMeDocument });
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
      to: '/inkorg',
      label: sv.nav.messages,
      badge: live.totalUnread
        ? { value: live.totalUnread, label: fmt(sv.nav.unreadBadge, { count: live.totalUnread }) }
        : undefined,
    },
    { to: '/personer', label: sv.persons.nav },
    ...(me?.staffMe.role === 'EXECUTOR' ? [{ to: '/uppdrag', label: sv.assignments.nav }] : []),
    { to: '/installningar', label: sv.nav.settings },
  ];
  // The person, case and assignment views fill the page; the mailbox list belongs to messaging.
  const messaging = !/^\/(personer|arende|uppdrag)(\/|$)/.test(location.pathname);
  // Until the role is known, show neither the mailboxes nor the administration (an administrator would see the workspace flash).
  if (!me && !meError) {
    return (
      <Layout appName={sv.appName} nav={[]} banner={banner}>
        <p role="status">{sv.loading}</p>
      </Layout>
    );
  }
  if (me?.staffMe.role === 'ADMIN') {
    return (
      <Suspense fallback={<p role="status">{sv.loading}</p>}>
        <AdminApp banner={banner} />
      </Suspense>
    );
  }
  return (
    <Layout appName={sv.appName} nav={nav} banner={banner}>
      <div className={messaging ? 'workspace' : 'workspace workspace--single'}>
        {messaging && <MailboxNav />}
        <div className="workspace__content">
          <ErrorBoundary
            key={pageKey(location.pathname)}
            title={sv.crash.title}
            text={sv.crash.text}
            reload={sv.crash.reload}
          >
            <Suspense fallback={<p role="status">{sv.loading}</p>}>
              <Routes>
                <Route path="/" element={<Navigate to="/inkorg" replace />} />
                <Route path="/inkorg" element={<ConversationListPage folder="INBOX" />} />
                <Route path="/skickat" element={<ConversationListPage folder="SENT" />} />
                <Route path="/brevlada/:mailboxId" element={<ConversationListPage folder="INBOX" shared />} />
                <Route path="/utkast" element={<DraftsPage />} />
                <Route path="/konversation/:id" element={<ConversationPage />} />
                <Route path="/skriv/:draftId?" element={<ComposePage />} />
                <Route path="/installningar" element={<SettingsPage />} />
                <Route path="/kontaktlistor" element={<ContactListsPage />} />
                <Route path="/personer" element={<PersonSearchPage />} />
                <Route path="/personer/:id" element={<PersonPage />} />
                <Route path="/arende/:id/:section?" element={<CasePage />} />
                <Route path="/arende/:caseId/dokumentation/:documentId" element={<DocumentPage />} />
                <Route path="/uppdrag" element={<AssignmentsPage />} />
                <Route path="/uppdrag/:id" element={<AssignmentPage />} />
                <Route path="/uppdrag/:assignmentId/dokument/:documentId" element={<DocumentPage />} />
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </ErrorBoundary>
        </div>
      </div>
    </Layout>
  );
}

/**
 * The error boundary starts afresh on another page, but not when a new draft
 * gets its address (/skriv → /skriv/<id>): that would remount the form mid-send.
 */
function pageKey(pathname: string): string {
  return pathname.startsWith('/skriv') ? '/skriv' : pathname;
}

function NotFound() {
  usePageTitle(sv.notFound.title);
  return (
    <>
      <h1>{sv.notFound.title}</h1>
      <p>{sv.notFound.text}</p>
      <p>
        <Link to="/inkorg">{sv.notFound.home}</Link>
      </p>
    </>
  );
}
