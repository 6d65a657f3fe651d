import { once } from 'node:events';
import express, { type Request, type Response, type Router } from 'express';
import { isSameOriginWrite } from '../auth/request-credential';
import type { StaffViewer } from '../auth/viewer';
import type { Config } from '../config';
import { AccessLogExport, csvLine, type ExportFilter } from '../domain/access-log-export';
import { forbidden } from '../errors';
import { log } from '../log';
import { contentDisposition } from './file-response';
import { sendRouteError } from './json-errors';
import { routeCredential, signedInCaller, type RouteCallerDeps } from './route-caller';

/**
 * Loggkontroll as a CSV file of every matching row, newest first, for
 * administrators. Streamed in batches, with a BOM so Excel reads it as UTF-8.
 * The export itself is recorded (who, which filter, how many rows) as an
 * administrator's action in the log.
 *
 * - `GET /admin/access-log.csv?personnummer=…&staffId=…` for scripts (bearer
 *   token) and the session cookie alike;
 * - `POST /admin/access-log.csv` with the same fields as a form body: the
 *   staff UI's button, so no personnummer lands in the browser's history or
 *   download list, or in a proxy's access log. A cookie POST must come from
 *   the e-service's own pages (Origin), as every browser write.
 */
/**
 * A form POST from the e-service's own pages. The pages send
 * `Referrer-Policy: no-referrer`, under which a browser sends a form
 * submission's Origin as "null"; it still says `Sec-Fetch-Site: same-origin`,
 * which no page can set, and which another site's form never has.
 */
function isOwnPageForm(req: Request, config: Config): boolean {
  return (
    isSameOriginWrite(req.headers, config) ||
    (req.headers.origin === 'null' && req.headers['sec-fetch-site'] === 'same-origin')
  );
}

/** The administrator asking, checked before anything is read: a cookie POST from the own pages, and an administrator. */
async function exportingAdmin(deps: RouteCallerDeps, req: Request) {
  const credential = routeCredential(req, deps);
  const { em, viewer } = await signedInCaller(deps, credential);
  if (credential.kind === 'session' && req.method === 'POST' && !isOwnPageForm(req, deps.config)) {
    throw forbidden(
      "This export must be asked for from the e-service's own pages (its Origin was missing or another site).",
    );
  }
  if (viewer.kind !== 'staff') throw forbidden('Only system administrators may export the access log (loggkontroll).');
  return { exporter: new AccessLogExport(em, viewer), viewer };
}

/**
 * Until the client has taken what was written, or has gone. Both waits' listeners are removed once one wins: a
 * bare once(res, 'close') per full buffer left a close and an error listener on the response each time, piling up
 * over a long export (Node's MaxListenersExceededWarning after ten).
 */
async function drainedOrClosed(res: Response): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  } finally {
    done.abort();
  }
}

/** The CSV's rows, written as the client reads them; the number of rows and whether the client took them all. */
async function writeRows(res: Response, exporter: AccessLogExport, filter: ExportFilter) {
  res.write('\uFEFF');
  let rows = -1; // the header is not a row
  for await (const record of exporter.records(filter)) {
    if (res.destroyed) break;
    rows++;
    if (!res.write(csvLine(record))) await drainedOrClosed(res);
  }
  const complete = !res.destroyed;
  res.end();
  return { rows, complete };
}

/** The administrator's action: who exported which part of the log (ids only: no personnummer in the log). */
function logExport(viewer: StaffViewer, filter: ExportFilter, personnummerGiven: boolean, written: object) {
  log.info('admin action: access log exported', {
    adminAction: 'ACCESS_LOG_EXPORT',
    staffId: viewer.staff.id,
    filter: { personId: filter.personId, staffId: filter.staffId, personnummerGiven },
    ...written,
  });
}

async function exportCsv(deps: RouteCallerDeps, req: Request, res: Response, params: Record<string, unknown>) {
  res.setHeader('Cache-Control', 'no-store');
  let started = false;
  try {
    const { exporter, viewer } = await exportingAdmin(deps, req);
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const filter = await exporter.filter({ personnummer: text(params.personnummer), staffId: text(params.staffId) });
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      contentDisposition(`loggkontroll-${new Date().toISOString().slice(0, 10)}.csv`),
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    started = true;
    // HEAD (Express answers it with the GET route): the headers only; nothing is read or recorded.
    if (req.method === 'HEAD') return void res.end();
    const written = await writeRows(res, exporter, filter);
    logExport(viewer, filter, !!text(params.personnummer), written);
  } catch (err) {
    if (!started) return sendRouteError(res, err, 'access-log export');
    // Mid-file: the status is sent already; cut the connection so the download shows as failed, not as a short file.
    log.error('access-log export failed mid-file', { err });
    res.destroy();
  }
}

export function accessLogExportRoutes(deps: RouteCallerDeps): Router {
  const router = express.Router();
  router.get('/admin/access-log.csv', (req, res) => exportCsv(deps, req, res, req.query));
  router.post('/admin/access-log.csv', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) =>
    exportCsv(deps, req, res, (req.body ?? {}) as Record<string, unknown>),
  );
  return router;
}
