import { randomUUID } from 'node:crypto';
import { MeDocument, MyContactsDocument, UpdateMyContactDetailsDocument } from '../../clients/citizen/src';
import {
  AccessLogDocument,
  ActivateRelationDocument,
  MyAssignmentsDocument,
  PersonDocument,
  PersonsDocument,
  RegisterRelationDocument,
  SetEServiceDocument,
  UpdatePersonContactDetailsDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { AccessLogEntry } from '../../src/entities/access-log-entry';
import { CaseBareDocument, CaseRelationsDocument, PersonBareDocument } from '../generated/graphql';
import { postRaw, printDoc, type ApiResult } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let ids: Record<string, string>;
let staffIds: Record<string, string>;
let tolvansCase: string;
const as = (username: string) => w.staff(username);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  ids = w.personId;
  staffIds = w.staffId;
  tolvansCase = w.caseId[DEMO.tolvan];
});
afterAll(() => w.close());

/** The access-log rows a call writes, as (personnummer, action, actor, role), and the request ids they carry. */
async function logged(fn: () => Promise<ApiResult<unknown> | unknown>) {
  const em = t.em();
  const before = new Set((await em.find(AccessLogEntry, {})).map((e) => e.id));
  const result = await fn();
  if (result && typeof result === 'object' && 'errors' in result)
    expect((result as ApiResult<unknown>).errors).toEqual([]);
  const rows = (await t.em().find(AccessLogEntry, {}, { populate: ['person', 'actor'] })).filter(
    (e) => !before.has(e.id),
  );
  return {
    rows: rows
      .map((r) => ({ pnr: r.person.personnummer, action: r.action, actor: r.actor.username, role: r.actorRole }))
      .sort((a, b) => `${a.action}${a.pnr}`.localeCompare(`${b.action}${b.pnr}`)),
    requestIds: [...new Set(rows.map((r) => r.requestId))],
  };
}
const row = (pnr: string, action: string, actor: string = DEMO.caseworker, role = 'CASEWORKER') => ({
  pnr,
  action,
  actor,
  role,
});

describe('every staff read of person data writes an access-log row', () => {
  test("persons: one PERSON_LIST row per person listed, all with the request's id", async () => {
    const c = await as(DEMO.caseworker);
    const { rows, requestIds } = await logged(() => c.query(PersonsDocument, {}));
    expect(rows).toEqual([
      row(DEMO.tolvan, 'PERSON_LIST'),
      row(DEMO.protectedPerson, 'PERSON_LIST'),
      row(DEMO.relation, 'PERSON_LIST'),
    ]);
    expect(requestIds).toHaveLength(1);
  });

  test('persons with a search: only the persons shown are logged', async () => {
    const c = await as(DEMO.caseworker);
    expect((await logged(() => c.query(PersonsDocument, { search: 'Tolvan' }))).rows).toEqual([
      row(DEMO.tolvan, 'PERSON_LIST'),
    ]);
  });

  test('person: PERSON_READ; with its relations shown, RELATION_READ for each related person', async () => {
    const c = await as(DEMO.caseworker);
    expect((await logged(() => c.query(PersonBareDocument, { id: ids[DEMO.tolvan] }))).rows).toEqual([
      row(DEMO.tolvan, 'PERSON_READ'),
    ]);
    expect((await logged(() => c.query(PersonDocument, { id: ids[DEMO.tolvan] }))).rows).toEqual([
      row(DEMO.tolvan, 'PERSON_READ'),
      row(DEMO.relation, 'RELATION_READ'),
    ]);
  });

  test('case: CASE_READ for the holder; RELATION_READ for the relations shown', async () => {
    const c = await as(DEMO.secondCaseworker);
    expect((await logged(() => c.query(CaseBareDocument, { id: tolvansCase }))).rows).toEqual([
      row(DEMO.tolvan, 'CASE_READ', DEMO.secondCaseworker),
    ]);
    expect((await logged(() => c.query(CaseRelationsDocument, { id: tolvansCase }))).rows).toEqual([
      row(DEMO.tolvan, 'CASE_READ', DEMO.secondCaseworker),
      row(DEMO.relation, 'RELATION_READ', DEMO.secondCaseworker),
    ]);
  });

  test('myAssignments: the executor, in the EXECUTOR role, listed the persons of the assignments', async () => {
    const c = await as(DEMO.executor);
    expect((await logged(() => c.query(MyAssignmentsDocument))).rows).toEqual([
      row(DEMO.tolvan, 'PERSON_LIST', DEMO.executor, 'EXECUTOR'),
    ]);
  });

  test('changes are logged too: PERSON_UPDATE, E_SERVICE_CHANGE, RELATION_CHANGE', async () => {
    const c = await as(DEMO.caseworker);
    expect(
      (
        await logged(() =>
          c.mutate(UpdatePersonContactDetailsDocument, { personId: ids[DEMO.tolvan], input: { city: 'Söderköping' } }),
        )
      ).rows,
    ).toContainEqual(row(DEMO.tolvan, 'PERSON_UPDATE'));
    expect(
      (
        await logged(() =>
          c.mutate(SetEServiceDocument, {
            personId: ids[DEMO.tolvan],
            input: { messagingEnabled: true, notifyBySms: true, notifyByEmail: true },
          }),
        )
      ).rows,
    ).toContainEqual(row(DEMO.tolvan, 'E_SERVICE_CHANGE'));
    const reg = await logged(() =>
      c.mutate(RegisterRelationDocument, {
        caseId: tolvansCase,
        input: { personnummer: DEMO.otherUnitPerson, types: ['APPROVED_FOR_MESSAGES'], validFrom: '2025-01-01' },
      }),
    );
    expect(reg.rows).toContainEqual(row(DEMO.otherUnitPerson, 'RELATION_CHANGE'));
  });

  test('reads that answer NOT_FOUND or FORBIDDEN write nothing', async () => {
    const bo = await as(DEMO.otherUnitCaseworker);
    const admin = await as(DEMO.admin);
    const { rows } = await logged(async () => {
      await bo.query(PersonBareDocument, { id: ids[DEMO.tolvan] });
      await bo.query(CaseBareDocument, { id: tolvansCase });
      await admin.query(PersonsDocument, {});
      await bo.mutate(ActivateRelationDocument, {
        relationId: randomUUID(),
        input: { notifyBySms: false, notifyByEmail: false },
      });
    });
    expect(rows).toEqual([]);
  });

  test('citizen reads and changes of their own data write nothing', async () => {
    const c = await w.citizen(DEMO.tolvan);
    const { rows } = await logged(async () => {
      await c.query(MeDocument);
      await c.query(MyContactsDocument);
      await c.mutate(UpdateMyContactDetailsDocument, { input: { email: 'tolvan.tolvansson@example.se' } });
    });
    expect(rows).toEqual([]);
  });
});

describe('the request id in the log is the X-Request-Id of the response', () => {
  test('a server-made request id', async () => {
    const token = await t.token.staff(DEMO.caseworker);
    const before = await t.em().count(AccessLogEntry, {});
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: printDoc(PersonBareDocument), variables: { id: ids[DEMO.tolvan] } }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await t.em().find(AccessLogEntry, { requestId: requestId! });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'PERSON_READ',
      person: { id: ids[DEMO.tolvan] },
      actor: { id: staffIds[DEMO.caseworker] },
    });
    expect(await t.em().count(AccessLogEntry, {})).toBe(before + 1);
  });

  test('a request id sent by a client does not reach the access log: the server sets its own', async () => {
    const forged = `forged-${randomUUID()}`;
    const res = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await t.token.staff(DEMO.caseworker)}`,
        'x-request-id': forged,
      },
      body: JSON.stringify({ query: printDoc(PersonBareDocument), variables: { id: ids[DEMO.relation] } }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    expect(requestId).not.toBe(forged);
    expect(await t.em().count(AccessLogEntry, { requestId: forged })).toBe(0);
    const rows = await t.em().find(AccessLogEntry, { requestId });
    expect(rows.map((e) => [e.action, e.person.id])).toEqual([['PERSON_READ', ids[DEMO.relation]]]);
  });

  test("behind a trusted proxy (TRUST_PROXY_REQUEST_ID=true) the proxy's request id is kept", async () => {
    const proxied = await startTestServer({ TRUST_PROXY_REQUEST_ID: 'true' }, { databaseUrl: t.config.databaseUrl });
    try {
      const requestId = `proxy-${randomUUID()}`;
      const r = await postRaw(
        proxied.url,
        { query: printDoc(PersonBareDocument), variables: { id: ids[DEMO.relation] } },
        { token: await t.token.staff(DEMO.caseworker), headers: { 'x-request-id': requestId } },
      );
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      const rows = await t.em().find(AccessLogEntry, { requestId });
      expect(rows.map((e) => [e.action, e.person.id])).toEqual([['PERSON_READ', ids[DEMO.relation]]]);
    } finally {
      await proxied.close();
    }
  });
});

describe('administrators query the log (loggkontroll)', () => {
  beforeAll(async () => {
    // Enough reads of Sanna by annekh01 for several pages.
    const c = await as(DEMO.secondCaseworker);
    for (let i = 0; i < 5; i++) await c.query(PersonBareDocument, { id: ids[DEMO.protectedPerson] });
    await (await as(DEMO.caseworker)).query(PersonBareDocument, { id: ids[DEMO.protectedPerson] });
  });

  async function allPages(vars: { personId?: string; personnummer?: string; actorId?: string }, first: number) {
    const admin = await as(DEMO.admin);
    const seen: {
      id: string;
      createdAt: string;
      personId: string;
      actor: { username: string };
      action: string;
      actorRole: string;
      requestId: string;
    }[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await admin.query(AccessLogDocument, { ...vars, first, after });
      expect(r.errors).toEqual([]);
      seen.push(...r.data!.accessLog.nodes);
      expect(r.data!.accessLog.nodes.length).toBeLessThanOrEqual(first);
      if (!r.data!.accessLog.pageInfo.hasNextPage) break;
      after = r.data!.accessLog.pageInfo.endCursor;
    }
    return seen;
  }

  test('by person: every access to Sanna, newest first, paged without gaps or repeats', async () => {
    const expected = await t
      .em()
      .find(AccessLogEntry, { person: ids[DEMO.protectedPerson] }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    expect(expected.length).toBeGreaterThanOrEqual(6);
    const seen = await allPages({ personId: ids[DEMO.protectedPerson] }, 2);
    expect(seen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(new Set(seen.map((e) => e.personId))).toEqual(new Set([ids[DEMO.protectedPerson]]));
    const times = seen.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(seen[0]).toMatchObject({
      actor: { username: DEMO.caseworker },
      actorRole: 'CASEWORKER',
      action: 'PERSON_READ',
      requestId: expect.any(String),
    });
  });

  test('by personnummer, in any common format: the same rows as by person id; an unknown or invalid number says so', async () => {
    const byId = await allPages({ personId: ids[DEMO.protectedPerson] }, 100);
    const byPnr = await allPages(
      { personnummer: `${DEMO.protectedPerson.slice(2, 8)}-${DEMO.protectedPerson.slice(8)}` },
      100,
    );
    expect(byPnr.map((e) => e.id)).toEqual(byId.map((e) => e.id));
    const admin = await as(DEMO.admin);
    expect((await admin.query(AccessLogDocument, { personnummer: '191212121213' })).codes).toEqual(['BAD_USER_INPUT']);
    const unknown = await admin.query(AccessLogDocument, { personnummer: '195001010015' });
    expect(unknown.codes).toEqual([]);
    expect(unknown.data!.accessLog.nodes).toEqual([]);
  });

  test('by actor: everything annekh01 read; by person and actor together: the intersection', async () => {
    const byActor = await allPages({ actorId: staffIds[DEMO.secondCaseworker] }, 3);
    expect(byActor.length).toBe(await t.em().count(AccessLogEntry, { actor: staffIds[DEMO.secondCaseworker] }));
    expect(new Set(byActor.map((e) => e.actor.username))).toEqual(new Set([DEMO.secondCaseworker]));
    const both = await allPages({ personId: ids[DEMO.protectedPerson], actorId: staffIds[DEMO.secondCaseworker] }, 100);
    expect(both.map((e) => e.id)).toEqual(
      byActor.filter((e) => e.personId === ids[DEMO.protectedPerson]).map((e) => e.id),
    );
    expect(both).toHaveLength(5);
  });

  test('rows written in the same instant (one list read) page correctly', async () => {
    const expected = await t
      .em()
      .find(AccessLogEntry, { actor: staffIds[DEMO.caseworker] }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    const instants = expected.map((e) => e.createdAt.getTime());
    expect(new Set(instants).size).toBeLessThan(instants.length); // there are ties to page through
    const seen = await allPages({ actorId: staffIds[DEMO.caseworker] }, 2);
    expect(seen.map((e) => e.id)).toEqual(expected.map((e) => e.id));
  });

  test('unknown or malformed ids give an empty page; no filter at all, or a bad cursor, is BAD_USER_INPUT', async () => {
    const admin = await as(DEMO.admin);
    expect((await admin.query(AccessLogDocument, { personId: randomUUID() })).data?.accessLog.nodes).toEqual([]);
    expect((await admin.query(AccessLogDocument, { actorId: 'x' })).data?.accessLog.nodes).toEqual([]);
    const none = await admin.query(AccessLogDocument, {});
    expect(none.codes).toEqual(['BAD_USER_INPUT']);
    expect(none.errors[0].extensions?.field).toBe('personId');
    const bad = await admin.query(AccessLogDocument, { personId: ids[DEMO.tolvan], after: 'zzz' });
    expect(bad.codes).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors[0].extensions?.field).toBe('after');
  });

  test.each([DEMO.caseworker, DEMO.secondCaseworker, DEMO.executor, DEMO.otherUnitCaseworker, 'citizen'])(
    '%s may not read the log: FORBIDDEN',
    async (who) => {
      const c = who === 'citizen' ? await w.citizen(DEMO.tolvan) : await as(who);
      const r = await c.query(AccessLogDocument, { personId: ids[DEMO.tolvan] });
      expect(r.codes).toEqual(['FORBIDDEN']);
      expect(r.data ?? null).toBeNull();
    },
  );
});
