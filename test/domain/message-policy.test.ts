import type { EntityManager } from '@mikro-orm/postgresql';
import { resolveViewer, type CitizenViewer, type StaffViewer } from '../../src/auth/viewer';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { initOrm, type Orm } from '../../src/db/orm';
import { citizenTargets, viewerParties, writablePersons } from '../../src/domain/message-policy';
import { Assignment, Case, CaseStatus } from '../../src/entities/case';
import { partyKey, PartyKind } from '../../src/entities/party';
import { Person } from '../../src/entities/person';
import { RelationType } from '../../src/entities/relation';
import { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { createTestDatabase } from '../testkit/server';
import { addCaseHolder, addRelation, isoDay } from '../testkit/messaging';

// The messaging rules M1–M6 on their own, against a real database: no server, no GraphQL.
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
const ids: Record<string, string> = {};
const staffIds: Record<string, string> = {};
let mailboxId: string;
let tolvansCase: string;

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm(db.url, { poolMax: 3 });
  await seedDemoData(orm.em.fork());
  for (const p of await orm.em.fork().find(Person, {})) ids[p.personnummer] = p.id;
  for (const s of await orm.em.fork().find(Staff, {})) staffIds[s.username] = s.id;
  mailboxId = (await orm.em.fork().findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' })).id;
  tolvansCase = (await orm.em.fork().findOneOrFail(Case, { holder: ids[DEMO.tolvan] })).id;
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

const em = () => orm.em.fork() as EntityManager;
const staff = async (username: string) => (await resolveViewer(em(), { kind: 'staff', username })) as StaffViewer;
const citizen = async (pnr: string) =>
  (await resolveViewer(em(), { kind: 'citizen', personnummer: pnr })) as CitizenViewer;
const demoPersons = () => [DEMO.tolvan, DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson].map((p) => ids[p]);

async function writable(username: string, personIds: string[], caseId?: string) {
  return writablePersons(em(), await staff(username), personIds, caseId);
}
async function targets(pnr: string) {
  return new Set((await citizenTargets(em(), await citizen(pnr))).map((t) => partyKey(t.party)));
}
const staffKey = (username: string) => partyKey({ kind: PartyKind.STAFF, id: staffIds[username] });
const mailboxKey = () => partyKey({ kind: PartyKind.SHARED_MAILBOX, id: mailboxId });

describe('M1 a caseworker writes to case holders of their caseload and their activated, valid relations', () => {
  test("M1 mararo01: own case holder Tolvan, the relation Josefine (as relation), the unit's Sanna; not Kalle of another unit", async () => {
    const w = await writable(DEMO.caseworker, demoPersons());
    expect(w.get(ids[DEMO.tolvan])).toEqual({ personId: ids[DEMO.tolvan], caseId: tolvansCase, asRelation: false });
    expect(w.get(ids[DEMO.relation])).toEqual({ personId: ids[DEMO.relation], caseId: tolvansCase, asRelation: true });
    expect(w.has(ids[DEMO.protectedPerson])).toBe(true);
    expect(w.has(ids[DEMO.otherUnitPerson])).toBe(false);
  });

  test('M1 bobarn01 writes only to Kalle', async () => {
    const w = await writable(DEMO.otherUnitCaseworker, demoPersons());
    expect([...w.keys()]).toEqual([ids[DEMO.otherUnitPerson]]);
  });

  test('M1 a relation whose validity ended yesterday, or starts tomorrow, cannot be written to; validity ending today still can', async () => {
    const e = em();
    const ended = await addRelation(e, tolvansCase, { validFrom: isoDay(-100), validTo: isoDay(-1) });
    const future = await addRelation(e, tolvansCase, { validFrom: isoDay(1) });
    const endsToday = await addRelation(e, tolvansCase, { validFrom: isoDay(-100), validTo: isoDay(0) });
    const w = await writable(DEMO.caseworker, [ended.id, future.id, endsToday.id]);
    expect(w.has(ended.id)).toBe(false);
    expect(w.has(future.id)).toBe(false);
    expect(w.has(endsToday.id)).toBe(true);
  });

  test('M1 a relation that is not activated, or not approved for messages, cannot be written to', async () => {
    const e = em();
    const notActivated = await addRelation(e, tolvansCase, { activated: false });
    const guardianOnly = await addRelation(e, tolvansCase, { types: [RelationType.GUARDIAN] });
    const w = await writable(DEMO.caseworker, [notActivated.id, guardianOnly.id]);
    expect(w.size).toBe(0);
  });

  test('M1 the holder of a closed case cannot be written to', async () => {
    const closed = await addCaseHolder(em(), DEMO.caseworker, { status: CaseStatus.CLOSED });
    expect((await writable(DEMO.caseworker, [closed.person.id])).size).toBe(0);
  });

  test('M1 caseId narrows the link to that case; another case gives nothing', async () => {
    const other = await addCaseHolder(em(), DEMO.caseworker);
    expect((await writable(DEMO.caseworker, [ids[DEMO.tolvan]], tolvansCase)).has(ids[DEMO.tolvan])).toBe(true);
    expect((await writable(DEMO.caseworker, [ids[DEMO.tolvan]], other.caseId)).size).toBe(0);
  });
});

describe('M2 an executor writes to the holders of cases they hold an ongoing assignment in', () => {
  test('M2 perutf01 writes to Tolvan, not to the relation on the case nor to anyone else', async () => {
    const w = await writable(DEMO.executor, demoPersons());
    expect([...w.keys()]).toEqual([ids[DEMO.tolvan]]);
    expect(w.get(ids[DEMO.tolvan])!.asRelation).toBe(false);
  });

  test('M2 an assignment that ended yesterday, or starts tomorrow, gives no right to write', async () => {
    const e = em();
    const a = await e.findOneOrFail(Assignment, { executor: staffIds[DEMO.executor] });
    const start = a.startDate;
    try {
      a.endDate = isoDay(-1);
      await e.flush();
      expect((await writable(DEMO.executor, [ids[DEMO.tolvan]])).size).toBe(0);
      a.endDate = null;
      a.startDate = isoDay(1);
      await e.flush();
      expect((await writable(DEMO.executor, [ids[DEMO.tolvan]])).size).toBe(0);
    } finally {
      a.startDate = start;
      a.endDate = null;
      await e.flush();
    }
  });

  test('M2 administrators write to no person', async () => {
    expect((await writable(DEMO.admin, demoPersons())).size).toBe(0);
  });
});

describe('M4 a citizen writes to the staff and mailboxes of their ongoing cases', () => {
  test("M4 Tolvan: own caseworker, the executor and the unit's shared mailbox; not the colleague in the same unit", async () => {
    const t = await targets(DEMO.tolvan);
    expect(t).toEqual(new Set([staffKey(DEMO.caseworker), staffKey(DEMO.executor), mailboxKey()]));
  });

  test("M4 the activated relation Josefine reaches the same staff through Tolvan's case", async () => {
    expect(await targets(DEMO.relation)).toEqual(
      new Set([staffKey(DEMO.caseworker), staffKey(DEMO.executor), mailboxKey()]),
    );
  });

  test('M4 Kalle reaches only bobarn01 (no shared mailbox in that unit)', async () => {
    expect(await targets(DEMO.otherUnitPerson)).toEqual(new Set([staffKey(DEMO.otherUnitCaseworker)]));
  });

  test('M4 a relation outside its validity reaches no one', async () => {
    const ended = await addRelation(em(), tolvansCase, { validFrom: isoDay(-100), validTo: isoDay(-1) });
    expect(await targets(ended.personnummer)).toEqual(new Set());
  });

  test('M4 the holder of a closed case reaches no one', async () => {
    const closed = await addCaseHolder(em(), DEMO.caseworker, { status: CaseStatus.CLOSED });
    expect(await targets(closed.person.personnummer)).toEqual(new Set());
  });

  test('M4 an executor whose assignment has not started yet is not a target', async () => {
    const e = em();
    const a = await e.findOneOrFail(Assignment, { executor: staffIds[DEMO.executor] });
    const start = a.startDate;
    try {
      a.startDate = isoDay(1);
      await e.flush();
      expect((await targets(DEMO.tolvan)).has(staffKey(DEMO.executor))).toBe(false);
    } finally {
      a.startDate = start;
      await e.flush();
    }
  });
});

describe('M6 the parties a viewer acts as', () => {
  test('M6 staff act personally and through the shared mailboxes they are members of', async () => {
    const parties = await viewerParties(em(), await staff(DEMO.caseworker));
    expect(parties.map(partyKey)).toEqual([staffKey(DEMO.caseworker), mailboxKey()]);
    expect((await viewerParties(em(), await staff(DEMO.otherUnitCaseworker))).map(partyKey)).toEqual([
      staffKey(DEMO.otherUnitCaseworker),
    ]);
  });

  test('M6 a citizen acts only as themself', async () => {
    const parties = await viewerParties(em(), await citizen(DEMO.tolvan));
    expect(parties).toEqual([{ kind: PartyKind.PERSON, id: ids[DEMO.tolvan] }]);
  });
});
