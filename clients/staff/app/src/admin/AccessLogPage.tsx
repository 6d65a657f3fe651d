import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { useLocation, useNavigate } from 'react-router';
import { useClient, useQuery, type CombinedError } from 'urql';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { fmt, formatDateTime, plural } from '../../../../shared/ui/strings';
import { AccessLogDocument, StaffMembersDocument, type AccessLogQuery } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { Choice } from './Choice';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

type Entry = AccessLogQuery['accessLog']['nodes'][number];

/** Rows per page; "Visa fler" asks for the next page by cursor. */
const PAGE_SIZE = 50;
const ALL = 'alla';

interface Loaded {
  rows: Entry[];
  cursor: string | null;
  hasNext: boolean;
  loading: boolean;
  error?: CombinedError;
}

/**
 * Loggkontroll: the access log by person (personnummer, any common format)
 * and/or by staff member, newest first, paged, and as a CSV of every match.
 * The search is kept in the browser history's state, not in the address, so
 * the back button returns to it but no personnummer lands in the history
 * list, a bookmark or a proxy's log; the CSV is asked for by a form POST for
 * the same reason.
 */
export function AccessLogPage() {
  usePageTitle(a.accessLog.title);
  const location = useLocation();
  const navigate = useNavigate();
  const kept = (location.state ?? {}) as { personnummer?: string; staffId?: string };
  const filter = { personnummer: kept.personnummer ?? '', staffId: kept.staffId ?? '' };
  const key = `${filter.personnummer}\n${filter.staffId}`;
  const searched = !!(filter.personnummer || filter.staffId);
  const [pnr, setPnr] = useState(filter.personnummer);
  const [staffId, setStaffId] = useState(filter.staffId || ALL);
  const [missing, setMissing] = useState(false);
  const [{ data: staffData }] = useQuery({ query: StaffMembersDocument });
  const staff = staffData?.staffMembers ?? [];
  const client = useClient();
  const announce = useAnnounce();
  const [loaded, setLoaded] = useState<Loaded>({ rows: [], cursor: null, hasNext: false, loading: false });
  const current = useRef(key);
  const rowsRef = useRef<Entry[]>([]);
  const firstNew = useRef<HTMLTableRowElement>(null);
  const [focusIndex, setFocusIndex] = useState<number>();

  const load = async (after: string | null) => {
    const forKey = key;
    if (!after) rowsRef.current = [];
    setLoaded((l) => ({
      ...(after ? l : { rows: [], cursor: null, hasNext: false }),
      loading: true,
      error: undefined,
    }));
    const result = await client
      .query(
        AccessLogDocument,
        {
          personnummer: filter.personnummer || undefined,
          actorId: filter.staffId || undefined,
          first: PAGE_SIZE,
          after,
        },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    if (current.current !== forKey) return;
    if (result.error || !result.data) {
      setLoaded((l) => ({ ...l, loading: false, error: result.error }));
      return;
    }
    const page = result.data.accessLog;
    const rows = after ? [...rowsRef.current, ...page.nodes] : page.nodes;
    rowsRef.current = rows;
    setLoaded({ rows, cursor: page.pageInfo.endCursor, hasNext: page.pageInfo.hasNextPage, loading: false });
    announce(plural(rows.length, a.accessLog.countOne, a.accessLog.count));
    if (after) setFocusIndex(Date.now());
  };

  useEffect(() => {
    current.current = key;
    setPnr(filter.personnummer);
    setStaffId(filter.staffId || ALL);
    if (searched) void load(null);
    else {
      rowsRef.current = [];
      setLoaded({ rows: [], cursor: null, hasNext: false, loading: false });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // "Visa fler": keyboard and screen-reader users continue at the first row that came in.
  useEffect(() => {
    if (focusIndex) firstNew.current?.focus();
  }, [focusIndex]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const person = pnr.trim();
    const who = staffId === ALL ? '' : staffId;
    if (!person && !who) return setMissing(true);
    if (person === filter.personnummer && who === filter.staffId) void load(null);
    else navigate(location.pathname, { state: { personnummer: person, staffId: who } });
  };

  const pnrRefused = errorCode(loaded.error) === 'BAD_USER_INPUT' && errorField(loaded.error) === 'personnummer';
  const staffName = staff.find((s) => s.id === filter.staffId)?.name;
  const what = [filter.personnummer, staffName].filter(Boolean).join(', ');
  const showPerson = !filter.personnummer;
  const newFrom = loaded.rows.length - ((loaded.rows.length - 1) % PAGE_SIZE) - 1;

  return (
    <>
      <h1>{a.accessLog.title}</h1>
      <p>{a.accessLog.lead}</p>
      <Form className="form card admin-search" onSubmit={submit} validationBehavior="aria">
        <div className="admin-search__fields">
          <TextField
            className="field"
            value={pnr}
            onChange={(v) => (setPnr(v), setMissing(false))}
            isInvalid={pnrRefused && pnr.trim() === filter.personnummer}
            name="personnummer"
          >
            <Label>{a.accessLog.personnummer}</Label>
            <Text slot="description" className="field-description">
              {a.accessLog.personnummerHint}
            </Text>
            <Input inputMode="numeric" autoComplete="off" />
            <FieldError className="field-error">{a.errors.BAD_USER_INPUT_personnummer}</FieldError>
          </TextField>
          <Choice
            label={a.accessLog.staff}
            hint={a.accessLog.staffHint}
            value={staffId}
            onChange={(v) => (setStaffId(v), setMissing(false))}
            options={[
              { id: ALL, name: a.accessLog.anyStaff },
              ...staff.map((s) => ({ id: s.id, name: `${s.name} (${s.username})` })),
            ]}
          />
        </div>
        {missing && (
          <p className="field-error" role="alert">
            {a.accessLog.needFilter}
          </p>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {a.accessLog.search}
          </Button>
        </div>
      </Form>

      {searched && (
        <section aria-labelledby="traffar">
          <div className="page-head">
            <h2 id="traffar">{fmt(a.accessLog.resultsFor, { what: what || filter.staffId })}</h2>
            {!loaded.error && (
              // A form POST: the personnummer travels in the body, never in an address.
              <form method="post" action="/admin/access-log.csv" className="admin-export">
                {filter.personnummer && <input type="hidden" name="personnummer" value={filter.personnummer} />}
                {filter.staffId && <input type="hidden" name="staffId" value={filter.staffId} />}
                <button type="submit" className="button" aria-describedby="export-hint">
                  {a.accessLog.export}
                </button>
              </form>
            )}
          </div>
          <p id="export-hint" className="field-description">
            {a.accessLog.exportHint}
          </p>
          {loaded.error && !pnrRefused && (
            <div className="alert alert--error" role="alert">
              <p>{adminErrorText(loaded.error)}</p>
              <Button className="button" onPress={() => void load(null)}>
                {sv.unreachable.retry}
              </Button>
            </div>
          )}
          {loaded.loading && loaded.rows.length === 0 && (
            <p className="muted" role="status">
              {sv.loading}
            </p>
          )}
          {!loaded.loading && !loaded.error && loaded.rows.length === 0 && <p>{a.accessLog.empty}</p>}
          {loaded.rows.length > 0 && (
            <>
              <table className="admin-table" data-testid="access-log">
                <caption>
                  {a.accessLog.caption}{' '}
                  <span className="muted">({plural(loaded.rows.length, a.accessLog.countOne, a.accessLog.count)})</span>
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{a.accessLog.time}</th>
                    <th scope="col">{a.accessLog.actor}</th>
                    <th scope="col">{a.accessLog.role}</th>
                    <th scope="col">{a.accessLog.action}</th>
                    {showPerson && <th scope="col">{a.accessLog.person}</th>}
                  </tr>
                </thead>
                <tbody>
                  {loaded.rows.map((r, i) => (
                    <tr
                      key={r.id}
                      data-testid="access-log-row"
                      ref={i === newFrom ? firstNew : undefined}
                      tabIndex={i === newFrom && i > 0 ? -1 : undefined}
                    >
                      <td data-label={a.accessLog.time} className="admin-table__time">
                        <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
                      </td>
                      <td data-label={a.accessLog.actor}>
                        {r.actor.name} <span className="muted">({r.actor.username})</span>
                      </td>
                      <td data-label={a.accessLog.role}>{a.roles[r.actorRole] ?? r.actorRole}</td>
                      <td data-label={a.accessLog.action}>{a.actions[r.action] ?? r.action}</td>
                      {showPerson && (
                        <td data-label={a.accessLog.person} className="admin-table__id">
                          {r.personId}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
              {loaded.hasNext && (
                <div className="button-row">
                  <Button className="button" isDisabled={loaded.loading} onPress={() => void load(loaded.cursor)}>
                    {loaded.loading ? a.accessLog.loadingMore : a.accessLog.more}
                  </Button>
                </div>
              )}
            </>
          )}
        </section>
      )}
    </>
  );
}
