import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { ErrorBoundary } from '../../../../shared/ui/ErrorBoundary';
import { Layout } from '../../../../shared/ui/Layout';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { adminSv as a } from './strings.sv';
import './admin.css';

const AccessLogPage = lazy(() => import('./AccessLogPage').then((m) => ({ default: m.AccessLogPage })));
const FailedNotificationsPage = lazy(() =>
  import('./FailedNotificationsPage').then((m) => ({ default: m.FailedNotificationsPage })),
);
const StaffAccountsPage = lazy(() => import('./StaffAccountsPage').then((m) => ({ default: m.StaffAccountsPage })));
const SharedMailboxesPage = lazy(() =>
  import('./SharedMailboxesPage').then((m) => ({ default: m.SharedMailboxesPage })),
);
const ProtectedIdentityPage = lazy(() =>
  import('./ProtectedIdentityPage').then((m) => ({ default: m.ProtectedIdentityPage })),
);

/** The administration (systemförvaltare): Loggkontroll, failed notifications, staff accounts, shared mailboxes, Skyddad folkbokföring. */
export function AdminApp({ banner }: { banner?: ReactNode }) {
  const location = useLocation();
  const nav = [
    { to: '/loggkontroll', label: a.nav.accessLog },
    { to: '/aviseringar', label: a.nav.notifications },
    { to: '/personal', label: a.nav.staff },
    { to: '/brevlador', label: a.nav.mailboxes },
    { to: '/skyddad-folkbokforing', label: a.nav.protectedIdentity },
  ];
  return (
    <Layout appName={sv.appName} nav={nav} banner={banner}>
      <ErrorBoundary key={location.pathname} title={sv.crash.title} text={sv.crash.text} reload={sv.crash.reload}>
        <Suspense fallback={<p role="status">{sv.loading}</p>}>
          <div className="admin">
            <Routes>
              <Route path="/" element={<Navigate to="/loggkontroll" replace />} />
              <Route path="/inkorg" element={<Navigate to="/loggkontroll" replace />} />
              <Route path="/loggkontroll" element={<AccessLogPage />} />
              <Route path="/aviseringar" element={<FailedNotificationsPage />} />
              <Route path="/personal" element={<StaffAccountsPage />} />
              <Route path="/brevlador" element={<SharedMailboxesPage />} />
              <Route path="/skyddad-folkbokforing" element={<ProtectedIdentityPage />} />
              <Route path="*" element={<NotFound />} />
            </Routes>
          </div>
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}

function NotFound() {
  usePageTitle(a.notFound.title);
  return (
    <>
      <h1>{a.notFound.title}</h1>
      <p>{a.notFound.text}</p>
      <p>
        <Link to="/loggkontroll">{a.notFound.home}</Link>
      </p>
    </>
  );
}
