import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { resolveViewer, type Viewer } from '../../src/auth/viewer';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { initOrm, type Orm } from '../../src/db/orm';
import { loadPersonAccess, maySeeContactDetails } from '../../src/domain/access-policy';
import { Assignment, Case, CaseStatus } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation, RelationType } from '../../src/entities/relation';
import { Staff, StaffRole } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { createTestDatabase } from '../testkit/server';

// The policy on its own, against a real database: no server, no GraphQL.
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
const statements: string[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm(db.url, { onQuery: (s) => statements.push(s), poolMax: 3 });
  await seedDemoData(orm.em.fork());
  const people = await orm.em.fork().find(Person, {});
  for (const p of people) ids[p.personnummer] = p.id;
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

const em = () => orm.em.fork() as EntityManager;
const staff = (username: string) => resolveViewer(em(), { kind: 'staff', username });
const citizen = (pnr: string) => resolveViewer(em(), { kind: 'citizen', personnummer: pnr });

async function access(viewer: Viewer, pnr: string) {
  return (await loadPersonAccess(em(), viewer, [ids[pnr]])).get(ids[pnr])!;
}
async function contactVisible(viewer: Viewer, pnr: string) {
  const person = await em().findOneOrFail(Person, { personnummer: pnr });
  return maySeeContactDetails(viewer, person, await access(viewer, pnr));
}

describe("R1 a caseworker sees persons of their own cases and of their unit's caseload", () => {
  test('mararo01: own case holder Tolvan and the relation on it, Sanna through the unit, not Kalle of another unit', async () => {
    const v = await staff(DEMO.caseworker);
    expect(await access(v, DEMO.tolvan)).toEqual({ visible: true, ownCaseworker: true });
    // Josefine is on the case as a relation: visible, but not "her own" case (R3).
    expect(await access(v, DEMO.relation)).toEqual({ visible: true, ownCaseworker: false });
    expect(await access(v, DEMO.protectedPerson)).toEqual({ visible: true, ownCaseworker: false });
    expect(await access(v, DEMO.otherUnitPerson)).toEqual({ visible: false, ownCaseworker: false });
  });

  test('annekh01 (same unit): Sanna as own caseworker, Tolvan and Josefine through the unit', async () => {
    const v = await staff(DEMO.secondCaseworker);
    expect(await access(v, DEMO.protectedPerson)).toEqual({ visible: true, ownCaseworker: true });
    expect(await access(v, DEMO.tolvan)).toEqual({ visible: true, ownCaseworker: false });
    expect(await access(v, DEMO.relation)).toEqual({ visible: true, ownCaseworker: false });
  });

  test('bobarn01 (another unit) sees only Kalle: secrecy holds between units', async () => {
    const v = await staff(DEMO.otherUnitCaseworker);
    expect(await access(v, DEMO.otherUnitPerson)).toEqual({ visible: true, ownCaseworker: true });
    for (const pnr of [DEMO.tolvan, DEMO.relation, DEMO.protectedPerson])
      expect((await access(v, pnr)).visible).toBe(false);
  });

  test('a person known to the social services but on no case is seen by no caseworker', async () => {
    const e = em();
    const lone = e.create(Person, { personnummer: '200002291235', givenName: 'Ensam', familyName: 'Person' });
    await e.flush();
    ids[lone.personnummer] = lone.id;
    for (const u of [DEMO.caseworker, DEMO.secondCaseworker, DEMO.otherUnitCaseworker, DEMO.executor]) {
      expect((await access(await staff(u), lone.personnummer)).visible).toBe(false);
    }
  });
});

describe('R2 an executor sees the persons of their ongoing assignments only', () => {
  test('perutf01 sees Tolvan (assignment), but neither the relation on the case nor anyone else', async () => {
    const v = await staff(DEMO.executor);
    expect(await access(v, DEMO.tolvan)).toEqual({ visible: true, ownCaseworker: false });
    for (const pnr of [DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson])
      expect((await access(v, pnr)).visible).toBe(false);
  });

  test('an assignment that ended yesterday no longer gives access; one ending today still does', async () => {
    const e = em();
    const a = await e.findOneOrFail(Assignment, { executor: { username: DEMO.executor } });
    const v = await staff(DEMO.executor);
    try {
      a.endDate = isoDay(-1);
      await e.flush();
      expect((await access(v, DEMO.tolvan)).visible).toBe(false);
      a.endDate = isoDay(0);
      await e.flush();
      expect((await access(v, DEMO.tolvan)).visible).toBe(true);
    } finally {
      a.endDate = null;
      await e.flush();
    }
  });

  test('an assignment that starts tomorrow gives no access yet', async () => {
    const e = em();
    const a = await e.findOneOrFail(Assignment, { executor: { username: DEMO.executor } });
    const v = await staff(DEMO.executor);
    const start = a.startDate;
    try {
      a.startDate = isoDay(1);
      await e.flush();
      expect((await access(v, DEMO.tolvan)).visible).toBe(false);
    } finally {
      a.startDate = start;
      await e.flush();
    }
  });
});

describe("R3 protected identity: contact details only for the caseworker of the person's own case", () => {
  test("annekh01 (Sanna's caseworker) may see them; mararo01 in the same unit may not", async () => {
    expect(await contactVisible(await staff(DEMO.secondCaseworker), DEMO.protectedPerson)).toBe(true);
    expect(await contactVisible(await staff(DEMO.caseworker), DEMO.protectedPerson)).toBe(false);
  });

  test('persons without protected identity: every staff member who sees them sees their details', async () => {
    expect(await contactVisible(await staff(DEMO.caseworker), DEMO.tolvan)).toBe(true);
    expect(await contactVisible(await staff(DEMO.secondCaseworker), DEMO.tolvan)).toBe(true);
    expect(await contactVisible(await staff(DEMO.executor), DEMO.tolvan)).toBe(true);
  });

  test('an executor with an assignment for a protected person sees the person but not the details', async () => {
    const e = em();
    const sannasCase = await e.findOneOrFail(Case, { holder: { personnummer: DEMO.protectedPerson } });
    const per = await e.findOneOrFail(Staff, { username: DEMO.executor });
    const a = e.create(Assignment, {
      case: sannasCase,
      executor: per,
      description: 'Boendestöd',
      startDate: '2025-02-01',
    });
    await e.flush();
    try {
      const v = await staff(DEMO.executor);
      expect(await access(v, DEMO.protectedPerson)).toEqual({ visible: true, ownCaseworker: false });
      expect(await contactVisible(v, DEMO.protectedPerson)).toBe(false);
    } finally {
      await em().nativeDelete(Assignment, { id: a.id });
    }
  });

  test('whoever may not see the person at all never sees the details', async () => {
    expect(await contactVisible(await staff(DEMO.otherUnitCaseworker), DEMO.tolvan)).toBe(false);
  });

  test("registering a protected person as a relation on one's own case does not reveal their details", async () => {
    const e = em();
    const kallesCase = await e.findOneOrFail(Case, { holder: { personnummer: DEMO.otherUnitPerson } });
    const bo = await e.findOneOrFail(Staff, { username: DEMO.otherUnitCaseworker });
    const sanna = await e.findOneOrFail(Person, { personnummer: DEMO.protectedPerson });
    const r = e.create(Relation, {
      case: kallesCase,
      person: sanna,
      types: [RelationType.APPROVED_FOR_MESSAGES],
      validFrom: '2024-01-01',
      registeredBy: bo,
    });
    await e.flush();
    try {
      const v = await staff(DEMO.otherUnitCaseworker);
      expect(await access(v, DEMO.protectedPerson)).toEqual({ visible: true, ownCaseworker: false });
      expect(await contactVisible(v, DEMO.protectedPerson)).toBe(false);
    } finally {
      await em().nativeDelete(Relation, { id: r.id });
    }
  });
});

describe('R4 a citizen sees only themself', () => {
  test('Tolvan sees Tolvan with contact details, and nobody else', async () => {
    const v = await citizen(DEMO.tolvan);
    expect((await access(v, DEMO.tolvan)).visible).toBe(true);
    expect(await contactVisible(v, DEMO.tolvan)).toBe(true);
    for (const pnr of [DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson])
      expect((await access(v, pnr)).visible).toBe(false);
  });

  test('a protected person sees their own details', async () => {
    expect(await contactVisible(await citizen(DEMO.protectedPerson), DEMO.protectedPerson)).toBe(true);
  });
});

test('R4b administrators see no person data at all', async () => {
  const v = await staff(DEMO.admin);
  for (const pnr of [DEMO.tolvan, DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson])
    expect((await access(v, pnr)).visible).toBe(false);
});

test('R4c an administrator whose unit has cases still sees no person data', async () => {
  const e = em();
  const ifo = await e.findOneOrFail(Unit, { name: 'IFO Vuxen – Försörjningsstöd' });
  e.create(Staff, { username: 'ifoadm01', givenName: 'Ida', familyName: 'Admin', role: StaffRole.ADMIN, unit: ifo });
  await e.flush();
  const v = await staff('ifoadm01');
  expect((await access(v, DEMO.tolvan)).visible).toBe(false);
});

test('R5 unknown, malformed and invisible ids all answer "not visible", the same way', async () => {
  const v = await staff(DEMO.caseworker);
  const unknown = randomUUID();
  const result = await loadPersonAccess(em(), v, [unknown, 'not-a-uuid', "x' or 1=1 --", ids[DEMO.otherUnitPerson]]);
  const none = { visible: false, ownCaseworker: false };
  expect([...result.values()]).toEqual([none, none, none, none]);
});

test('access for many persons costs one SQL statement', async () => {
  const v = await staff(DEMO.caseworker);
  const all = Object.values(ids);
  statements.splice(0);
  const result = await loadPersonAccess(em(), v, all);
  expect(result.size).toBe(all.length);
  expect(statements.filter((s) => /\[query\]/.test(s))).toHaveLength(1);
});

test('a closed case still shows its holder to the unit (the file stays readable), but not to other units', async () => {
  const e = em();
  const c = await e.findOneOrFail(Case, { holder: { personnummer: DEMO.tolvan } });
  c.status = CaseStatus.CLOSED;
  await e.flush();
  try {
    expect((await access(await staff(DEMO.caseworker), DEMO.tolvan)).visible).toBe(true);
    expect((await access(await staff(DEMO.otherUnitCaseworker), DEMO.tolvan)).visible).toBe(false);
  } finally {
    c.status = CaseStatus.OPEN;
    await e.flush();
  }
});

function isoDay(offset: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(
    new Date(Date.now() + offset * 86_400_000),
  );
}
