import { randomUUID } from 'node:crypto';
import { AccessLogDocument, PersonDocument, type AccessLogQuery } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { csvCell, EXPORT_BATCH, EXPORT_HEADER } from '../../src/domain/access-log-export';
import { logger } from '../../src/log';
import type { ApiResult } from '../testkit/api';
import { CookieBrowser, FORM, formBody } from '../testkit/browser';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let origin: string;
const BOM = '\uFEFF';

beforeAll(async () => {
  w = await demoWorld();
  origin = new URL(w.t.url).origin;
  // Marita opens Tolvan's person three times and Josefine's once; Anna opens Tolvan's once.
  const marita = await w.staff(DEMO.caseworker);
  for (let i = 0; i < 3; i++)
    expect((await marita.query(PersonDocument, { id: w.personId[DEMO.tolvan] })).codes).toEqual([]);
  expect((await marita.query(PersonDocument, { id: w.personId[DEMO.relation] })).codes).toEqual([]);
  const anna = await w.staff(DEMO.secondCaseworker);
  expect((await anna.query(PersonDocument, { id: w.personId[DEMO.tolvan] })).codes).toEqual([]);
});
afterAll(() => w.close());

async function get(query: string, opts: { token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${origin}/admin/access-log.csv${query}`, { headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}
const asAdmin = async (query: string) => get(query, { token: await w.t.token.staff(DEMO.admin) });

/** A CSV as RFC 4180 reads it (quoted cells may hold ; " and line breaks), `;`-separated, without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') (row.push(cell), (cell = ''));
    else if (c === '\r' && body[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  return rows;
}

/** Every accessLog row for the filter through the GraphQL API, page by page, as the CSV's request-id and action columns. */
async function viaGraphql(vars: { personnummer?: string; actorId?: string }) {
  const admin = await w.as('admin');
  const out: [string, string][] = [];
  let after: string | null = null;
  for (;;) {
    const r: ApiResult<AccessLogQuery> = await admin.query(AccessLogDocument, { ...vars, first: 100, after });
    expect(r.codes).toEqual([]);
    const page = r.data!.accessLog;
    out.push(...page.nodes.map((n): [string, string] => [n.requestId, n.action]));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

describe('AE1 GET /admin/access-log.csv for administrators', () => {
  test('by personnummer in any common format: a UTF-8 CSV with BOM, attachment, every row newest first, the same rows as accessLog', async () => {
    // Tolvan is over 100: his ten-digit form has the plus sign.
    for (const pnr of ['191212121212', '19121212-1212', '121212+1212']) {
      const res = await asAdmin(`?personnummer=${encodeURIComponent(pnr)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="loggkontroll-\d{4}-\d{2}-\d{2}\.csv"/,
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const [header, ...rows] = parseCsv(res.text);
      expect(header).toEqual(EXPORT_HEADER);
      // Marita's three reads and Anna's one, all of Tolvan, newest first: the same as the API's Loggkontroll.
      expect(rows.map((r) => [r[7], r[5]])).toEqual(await viaGraphql({ personnummer: DEMO.tolvan }));
      const reads = rows.filter((r) => r[5] === 'PERSON_READ');
      expect(reads.map((r) => r[2])).toEqual([
        DEMO.secondCaseworker,
        DEMO.caseworker,
        DEMO.caseworker,
        DEMO.caseworker,
      ]);
      expect(reads[1]).toEqual([
        expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
        'Marita Aronsson',
        DEMO.caseworker,
        'Handläggare',
        'Personbilden öppnad',
        'PERSON_READ',
        w.personId[DEMO.tolvan],
        expect.any(String),
      ]);
      const times = rows.map((r) => r[0]);
      expect([...times].sort().reverse()).toEqual(times);
    }
  });

  test("by staff member, and by both: only that staff member's rows (of that person)", async () => {
    const marita = w.staffId[DEMO.caseworker];
    const byStaff = parseCsv((await asAdmin(`?staffId=${marita}`)).text).slice(1);
    expect(byStaff.length).toBeGreaterThanOrEqual(4);
    expect(new Set(byStaff.map((r) => r[2]))).toEqual(new Set([DEMO.caseworker]));
    expect(byStaff.map((r) => [r[7], r[5]])).toEqual(await viaGraphql({ actorId: marita }));
    expect(byStaff.map((r) => r[6])).toEqual(
      expect.arrayContaining([w.personId[DEMO.tolvan], w.personId[DEMO.relation]]),
    );

    const both = parseCsv((await asAdmin(`?staffId=${marita}&personnummer=${DEMO.relation}`)).text).slice(1);
    expect(both.length).toBeGreaterThan(0);
    expect(new Set(both.map((r) => `${r[2]} ${r[6]}`))).toEqual(
      new Set([`${DEMO.caseworker} ${w.personId[DEMO.relation]}`]),
    );
    expect(both.filter((r) => r[5] === 'PERSON_READ')).toHaveLength(1);
    expect(both.map((r) => [r[7], r[5]])).toEqual(await viaGraphql({ actorId: marita, personnummer: DEMO.relation }));
  });

  test('a personnummer nobody here has: the header only (as accessLog answers an empty list)', async () => {
    const res = await asAdmin('?personnummer=195001010015');
    expect(res.status).toBe(200);
    expect(parseCsv(res.text)).toEqual([EXPORT_HEADER]);
  });

  test('every row of a long log, read in batches by keyset (ties in time kept apart by id), one statement per batch', async () => {
    // A staff member of our own with 2,345 rows, many sharing one instant.
    const em = w.t.em();
    const conn = em.getConnection();
    const [unit] = await conn.execute(`select id from unit limit 1`);
    const staffId = randomUUID();
    await conn.execute(
      `insert into staff (id, created_at, username, given_name, family_name, role, unit_id) values (?, now(), 'lang01', 'Lång', 'Loggsson', 'CASEWORKER', ?)`,
      [staffId, unit.id],
    );
    const total = 2 * EXPORT_BATCH + 345;
    await conn.execute(
      `insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
       select gen_random_uuid(), timestamptz '2026-11-30 12:00:00+00' - make_interval(secs => i / 7), ?, 'CASEWORKER', ?, 'PERSON_LIST', 'req-' || i
         from generate_series(1, ?) i`,
      [staffId, w.personId[DEMO.tolvan], total],
    );
    w.t.sql.reset();
    const rows = parseCsv((await asAdmin(`?staffId=${staffId}`)).text).slice(1);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r[7])).size).toBe(total);
    const selects = w.t.sql.statements.filter((s) => /from access_log_entry l join staff/.test(s));
    expect(selects).toHaveLength(Math.ceil(total / EXPORT_BATCH));
    expect(rows[0][0]).toBe('2026-11-30 13:00:00'); // Swedish time (CET) of the newest
  });

  test('cells a spreadsheet would run as a formula stay text; quotes, semicolons and line breaks are quoted', async () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe('"\'=HYPERLINK(""http://evil.example"",""x"")"');
    expect(csvCell('+46701234567')).toBe("'+46701234567");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('rad 1\nrad 2')).toBe('"rad 1\nrad 2"');
    expect(csvCell('Åsa Öberg')).toBe('Åsa Öberg');
    expect(csvCell('2026-12-02 10:00:00')).toBe('2026-12-02 10:00:00');

    // Through the route: a staff member whose name is a formula.
    const admin = await w.as('admin');
    const conn = w.t.em().getConnection();
    const [unit] = await conn.execute(`select id from unit limit 1`);
    const evil = randomUUID();
    await conn.execute(
      `insert into staff (id, created_at, username, given_name, family_name, role, unit_id) values (?, now(), 'evil01', '=cmd|'' /C calc''!A0', 'Semi;"Kolon"', 'CASEWORKER', ?)`,
      [evil, unit.id],
    );
    await conn.execute(
      `insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id) values (gen_random_uuid(), now(), ?, 'CASEWORKER', ?, 'PERSON_READ', '@req')`,
      [evil, w.personId[DEMO.tolvan]],
    );
    const res = await asAdmin(`?staffId=${evil}`);
    const line = res.text.split('\r\n')[1];
    expect(line).toContain(`"'=cmd|' /C calc'!A0 Semi;""Kolon"""`);
    expect(line.endsWith(";'@req")).toBe(true);
    expect(parseCsv(res.text)[1][1]).toBe(`'=cmd|' /C calc'!A0 Semi;"Kolon"`);
    await admin.close();
  });

  test("with the staff UI's session cookie from its own page; not with the cookie from another site", async () => {
    const browser = new CookieBrowser();
    const signIn = await browser.fetch(`${origin}/auth/dev`, {
      method: 'POST',
      headers: FORM,
      body: formBody({ kind: 'staff', username: DEMO.admin, returnTo: '/staff/' }),
      from: origin,
    });
    expect(signIn.status).toBe(303);
    const own = await browser.fetch(`${origin}/admin/access-log.csv?personnummer=${DEMO.tolvan}`, {
      from: `${origin}/staff/loggkontroll`,
    });
    expect(own.status).toBe(200);
    expect(parseCsv(own.text)[0]).toEqual(EXPORT_HEADER);
    const typed = await browser.fetch(`${origin}/admin/access-log.csv?personnummer=${DEMO.tolvan}`, {
      headers: { 'sec-fetch-site': 'none' },
    });
    expect(typed.status).toBe(200);
    const foreign = await browser.fetch(`${origin}/admin/access-log.csv?personnummer=${DEMO.tolvan}`, {
      from: 'https://evil.example',
    });
    expect(foreign.status).toBe(401);
    expect(foreign.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test("POST with a form body (the staff UI's button: no personnummer in a URL): from its own page only", async () => {
    const browser = new CookieBrowser();
    await browser.fetch(`${origin}/auth/dev`, {
      method: 'POST',
      headers: FORM,
      body: formBody({ kind: 'staff', username: DEMO.admin, returnTo: '/staff/' }),
      from: origin,
    });
    const body = formBody({ personnummer: '19121212-1212', staffId: w.staffId[DEMO.caseworker] });
    const own = await browser.fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: FORM,
      body,
      from: origin,
    });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-disposition')).toMatch(/^attachment; /);
    const rows = parseCsv(own.text).slice(1);
    expect(rows.map((r) => [r[7], r[5]])).toEqual(
      await viaGraphql({ personnummer: DEMO.tolvan, actorId: w.staffId[DEMO.caseworker] }),
    );
    expect(rows.filter((r) => r[5] === 'PERSON_READ')).toHaveLength(3);
    // A form on another site: the browser marks it cross-site, so the cookie does not count.
    const foreign = await browser.fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: FORM,
      body,
      from: 'https://evil.example',
    });
    expect(foreign.status).toBe(401);
    // Without an Origin (not a browser's own page): refused.
    const bare = await browser.fetch(`${origin}/admin/access-log.csv`, { method: 'POST', headers: FORM, body });
    expect(bare.status).toBe(403);
    expect(bare.json().errors[0].extensions.code).toBe('FORBIDDEN');
    // The staff UI's own form: its pages' no-referrer policy makes the browser send Origin "null", with Sec-Fetch-Site same-origin.
    const form = await browser.fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: { ...FORM, origin: 'null', 'sec-fetch-site': 'same-origin' },
      body,
    });
    expect(form.status).toBe(200);
    expect(parseCsv(form.text).slice(1)).toHaveLength(rows.length);
    // Origin "null" alone (a sandboxed frame, an old browser) is not enough.
    const nullOnly = await browser.fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: { ...FORM, origin: 'null' },
      body,
    });
    expect(nullOnly.status).toBe(403);
    // A bearer token needs no Origin (scripts).
    const token = await w.t.token.staff(DEMO.admin);
    const script = await fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Bearer ${token}` },
      body,
    });
    expect(script.status).toBe(200);
    // The same refusals as GET.
    const bad = await fetch(`${origin}/admin/access-log.csv`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Bearer ${token}` },
      body: formBody({ personnummer: 'x' }),
    });
    expect([bad.status, ((await bad.json()) as { errors: { extensions: unknown }[] }).errors[0].extensions]).toEqual([
      400,
      { code: 'BAD_USER_INPUT', field: 'personnummer' },
    ]);
  });
});

describe('AE2 refusals: a JSON error with its code, never a file', () => {
  test('no credential 401; a caseworker, an executor or a citizen 403', async () => {
    const none = await get(`?personnummer=${DEMO.tolvan}`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(none.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    for (const token of [
      await w.t.token.staff(DEMO.caseworker),
      await w.t.token.staff(DEMO.executor),
      await w.t.token.citizen(DEMO.tolvan),
    ]) {
      const res = await get(`?personnummer=${DEMO.tolvan}`, { token });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).errors[0].extensions.code).toBe('FORBIDDEN');
      expect(res.text).not.toContain('Tolvan');
    }
  });

  test('no filter, a malformed personnummer, an unknown staff member: 400 BAD_USER_INPUT naming the field', async () => {
    const cases: [string, string][] = [
      ['', 'personnummer'],
      ['?personnummer=', 'personnummer'],
      ['?personnummer=191212121213', 'personnummer'],
      ['?personnummer=abc', 'personnummer'],
      [`?staffId=${randomUUID()}`, 'staffId'],
      ['?staffId=x', 'staffId'],
      [`?staffId=${randomUUID()}&personnummer=${DEMO.tolvan}`, 'staffId'],
    ];
    for (const [query, field] of cases) {
      const res = await asAdmin(query);
      expect([query, res.status]).toEqual([query, 400]);
      const error = JSON.parse(res.text).errors[0];
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
      expect(error.message.length).toBeGreaterThan(10);
    }
  });
});

describe("AE3 the export is recorded as the administrator's action", () => {
  let lines: string[];
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    lines = [];
    logger.level = 'info';
    stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation(
        (chunk: string | Uint8Array) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true),
      );
  });
  afterEach(() => {
    stderr.mockRestore();
    logger.level = 'error';
  });

  test('who exported, which filter (ids, never the personnummer), how many rows; a refused export records nothing', async () => {
    const res = await asAdmin(`?personnummer=${DEMO.tolvan}`);
    const rows = parseCsv(res.text).length - 1;
    const refused = await get(`?personnummer=${DEMO.tolvan}`, { token: await w.t.token.staff(DEMO.caseworker) });
    expect(refused.status).toBe(403);
    // HEAD says what a GET would answer, without exporting.
    const head = await fetch(`${origin}/admin/access-log.csv?personnummer=${DEMO.tolvan}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${await w.t.token.staff(DEMO.admin)}` },
    });
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    const actions = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.adminAction === 'ACCESS_LOG_EXPORT');
    expect(actions).toEqual([
      expect.objectContaining({
        level: 'info',
        staffId: w.staffId[DEMO.admin],
        filter: { personId: w.personId[DEMO.tolvan], staffId: null, personnummerGiven: true },
        rows,
        complete: true,
        requestId: expect.any(String),
      }),
    ]);
    expect(lines.join('\n')).not.toContain(DEMO.tolvan);
    expect(lines.join('\n')).not.toContain('1212-1212');
  });
});
