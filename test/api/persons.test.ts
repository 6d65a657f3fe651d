import { randomUUID } from 'node:crypto';
import { MeDocument } from '../../clients/citizen/src';
import {
  PersonDocument,
  PersonsDocument,
  SetEServiceDocument,
  UpdatePersonContactDetailsDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Assignment, Case, CaseStatus, Intervention } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation, RelationType } from '../../src/entities/relation';
import { Staff, StaffRole } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { PersonBareDocument, PersonIdsDocument, PersonsWideDocument } from '../generated/graphql';
import { type ApiResult } from '../testkit/api';
import type { TestServer } from '../testkit/server';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let ids: Record<string, string>;
const as = (who: Caller) => w.as(who);
const citizen = (pnr: string) => w.citizen(pnr);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  ids = w.personId;
});
afterAll(() => w.close());

function expectOk(r: ApiResult<unknown>) {
  expect(r.errors).toEqual([]);
  expect(r.data).toBeDefined();
}
function expectDenied(r: ApiResult<unknown>, code: string) {
  expect(r.codes).toEqual([code]);
  expect(r.data ?? null).toBeNull();
}

const noChange = { messagingEnabled: true, notifyBySms: true, notifyByEmail: true };

describe('authorization matrix: person operations', () => {
  type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
  type Op = {
    run: (c: Awaited<ReturnType<typeof as>>) => Promise<ApiResult<any>>;
    /** What an allowed call returns: checked on every "ok" row, so an allowed row proves the data, not only no error. */
    returns: (data: any, who: Caller) => void;
  };
  const tolvan = () => ({ id: ids[DEMO.tolvan], name: 'Tolvan Tolvansson' });
  const ops: Record<string, Op> = {
    persons: {
      run: (c) => c.query(PersonsDocument, {}),
      returns: (data, who) => {
        const listed = data.persons.nodes.map((p: { id: string }) => p.id);
        // Tolvan to her case's unit and executor; the other unit's caseworker gets Kalle (his unit's) and not Tolvan.
        if (who === 'otherUnitCaseworker') {
          expect(listed).toContain(ids[DEMO.otherUnitPerson]);
          expect(listed).not.toContain(ids[DEMO.tolvan]);
        } else expect(listed).toContain(ids[DEMO.tolvan]);
      },
    },
    person: {
      run: (c) => c.query(PersonBareDocument, { id: ids[DEMO.tolvan] }),
      returns: (data) => expect(data.person).toMatchObject({ ...tolvan(), personnummer: DEMO.tolvan }),
    },
    setEService: {
      run: (c) => c.mutate(SetEServiceDocument, { personId: ids[DEMO.tolvan], input: noChange }),
      returns: (data) => expect(data.setEService).toMatchObject({ ...tolvan(), eService: noChange }),
    },
    updatePersonContactDetails: {
      run: (c) =>
        c.mutate(UpdatePersonContactDetailsDocument, { personId: ids[DEMO.tolvan], input: { city: 'Söderköping' } }),
      returns: (data) =>
        expect(data.updatePersonContactDetails).toMatchObject({ ...tolvan(), address: { city: 'Söderköping' } }),
    },
  };
  // Target: Tolvan, on mararo01's case with perutf01's assignment; bobarn01 works in another unit.
  const matrix: [string, Caller, Outcome][] = [
    ['persons', 'caseworker', 'ok'],
    ['persons', 'executor', 'ok'],
    ['persons', 'otherUnitCaseworker', 'ok'],
    ['persons', 'admin', 'FORBIDDEN'],
    ['persons', 'citizen', 'FORBIDDEN'],
    ['person', 'caseworker', 'ok'],
    ['person', 'secondCaseworker', 'ok'],
    ['person', 'executor', 'ok'],
    ['person', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['person', 'admin', 'FORBIDDEN'],
    ['person', 'citizen', 'FORBIDDEN'],
    ['setEService', 'caseworker', 'ok'],
    ['setEService', 'secondCaseworker', 'ok'],
    ['setEService', 'executor', 'FORBIDDEN'],
    ['setEService', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['setEService', 'admin', 'FORBIDDEN'],
    ['setEService', 'citizen', 'FORBIDDEN'],
    ['updatePersonContactDetails', 'caseworker', 'ok'],
    ['updatePersonContactDetails', 'executor', 'FORBIDDEN'],
    ['updatePersonContactDetails', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['updatePersonContactDetails', 'admin', 'FORBIDDEN'],
    ['updatePersonContactDetails', 'citizen', 'FORBIDDEN'],
  ];
  test.each(matrix)('%s as %s → %s', async (op, who, outcome) => {
    const r = await ops[op].run(await as(who));
    if (outcome === 'ok') {
      expectOk(r);
      ops[op].returns(r.data, who);
    } else expectDenied(r, outcome);
  });

  test('denied updates change nothing in the database', async () => {
    const before = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    for (const who of ['executor', 'otherUnitCaseworker', 'admin', 'citizen'] as const) {
      const c = await as(who);
      await c.mutate(UpdatePersonContactDetailsDocument, {
        personId: ids[DEMO.tolvan],
        input: { city: 'Norrköping', mobile: null },
      });
      await c.mutate(SetEServiceDocument, {
        personId: ids[DEMO.tolvan],
        input: { messagingEnabled: false, notifyBySms: false, notifyByEmail: false },
      });
    }
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    expect([after.city, after.mobile, after.messagingEnabled]).toEqual([before.city, before.mobile, true]);
  });
});

describe('R1/R2 who appears in the persons list', () => {
  const pnrs = async (who: Caller) =>
    (await (await as(who)).query(PersonIdsDocument, {})).data!.persons.nodes.map((p) => p.personnummer);

  test("R1 a caseworker sees the persons of their unit's caseload, by family name", async () => {
    const mine = [DEMO.protectedPerson, DEMO.relation, DEMO.tolvan]; // Skyddad, Test Ek, Tolvansson
    expect(await pnrs('caseworker')).toEqual(mine);
    expect(await pnrs('secondCaseworker')).toEqual(mine);
  });

  test("R1 a caseworker of another unit sees only their own unit's persons", async () => {
    expect(await pnrs('otherUnitCaseworker')).toEqual([DEMO.otherUnitPerson]);
  });

  test('R2 an executor sees only the persons of their assignments', async () => {
    expect(await pnrs('executor')).toEqual([DEMO.tolvan]);
  });

  test('search by part of a name, by personnummer in any common format, and never outside what one may see', async () => {
    const c = await as('caseworker');
    const search = async (s: string) =>
      (await c.query(PersonIdsDocument, { search: s })).data!.persons.nodes.map((p) => p.personnummer);
    expect(await search('tolv')).toEqual([DEMO.tolvan]);
    expect(await search('19121212-1212')).toEqual([DEMO.tolvan]);
    expect(await search('121212+1212')).toEqual([DEMO.tolvan]);
    expect(await search('Kalle')).toEqual([]);
    expect(await search(DEMO.otherUnitPerson)).toEqual([]);
    expect(await search('%')).toEqual([]);
  });

  test('pagination: first/after walk the list without gaps or repeats; bad page arguments name their field', async () => {
    const c = await as('caseworker');
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await c.query(PersonIdsDocument, { first: 1, after });
      seen.push(...r.data!.persons.nodes.map((p) => p.personnummer));
      if (!r.data!.persons.pageInfo.hasNextPage) break;
      after = r.data!.persons.pageInfo.endCursor;
    }
    expect(seen).toEqual([DEMO.protectedPerson, DEMO.relation, DEMO.tolvan]);
    for (const [vars, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
      [{ after: 'not-a-cursor' }, 'after'],
    ] as const) {
      const r = await c.query(PersonIdsDocument, vars);
      expect(r.codes).toEqual(['BAD_USER_INPUT']);
      expect(r.errors[0].extensions?.field).toBe(field);
    }
  });
});

describe('R5 what a caller may not see answers NOT_FOUND exactly like a missing id', () => {
  test.each([
    ['a person of another unit', () => ids[DEMO.tolvan]],
    ['a random uuid', () => randomUUID()],
    ['a string that is no uuid', () => 'not-a-uuid'],
  ])('person(%s) as bobarn01', async (_what, id) => {
    const reference = await (await as('otherUnitCaseworker')).query(PersonBareDocument, { id: randomUUID() });
    const r = await (await as('otherUnitCaseworker')).query(PersonBareDocument, { id: id() });
    expectDenied(r, 'NOT_FOUND');
    expect(r.errors.map((e) => ({ message: e.message, extensions: e.extensions }))).toEqual(
      reference.errors.map((e) => ({ message: e.message, extensions: e.extensions })),
    );
  });

  test('the same for the mutations on a person', async () => {
    const c = await as('otherUnitCaseworker');
    const errorsFor = async (id: string) => {
      const a = await c.mutate(SetEServiceDocument, {
        personId: id,
        input: { messagingEnabled: false, notifyBySms: false, notifyByEmail: false },
      });
      const b = await c.mutate(UpdatePersonContactDetailsDocument, { personId: id, input: { city: 'X' } });
      return [...a.errors, ...b.errors].map((e) => ({ message: e.message, code: e.extensions?.code }));
    };
    const hidden = await errorsFor(ids[DEMO.tolvan]);
    expect(hidden.map((e) => e.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(await errorsFor(randomUUID())).toEqual(hidden);
    expect(await errorsFor('42')).toEqual(hidden);
  });
});

describe("R3 protected identity is masked for everyone but the caseworker of the person's own case", () => {
  const hidden = { contactDetailsHidden: true, address: null, mobile: null, email: null };

  test("annekh01, Sanna's caseworker, sees her address and contact details", async () => {
    const r = await (await as('secondCaseworker')).query(PersonBareDocument, { id: ids[DEMO.protectedPerson] });
    expect(r.data?.person).toMatchObject({
      contactDetailsHidden: false,
      address: { street: 'Hemlig adress 1', postalCode: '600 00', city: 'Okänd ort' },
      mobile: '+46709998877',
      email: 'sanna@example.se',
    });
  });

  test('mararo01 in the same unit sees Sanna, but not her details: in the person query and in the list', async () => {
    const c = await as('caseworker');
    const one = await c.query(PersonBareDocument, { id: ids[DEMO.protectedPerson] });
    expect(one.data?.person).toMatchObject({ name: 'Sanna Skyddad', ...hidden });
    const list = await c.query(PersonsDocument, { search: 'Sanna' });
    expect(list.data?.persons.nodes).toEqual([expect.objectContaining({ protectedIdentity: true, ...hidden })]);
  });

  test('persons without protected identity show their details to every staff member who sees them', async () => {
    for (const who of ['caseworker', 'secondCaseworker', 'executor'] as const) {
      const r = await (await as(who)).query(PersonBareDocument, { id: ids[DEMO.tolvan] });
      expect(r.data?.person).toMatchObject({
        contactDetailsHidden: false,
        mobile: '+46701234567',
        address: { street: 'Storgatan 12' },
      });
    }
  });

  test('an executor with an assignment for a protected person sees the person, never the details', async () => {
    const em = t.em();
    const sannasCase = await em.findOneOrFail(Case, { holder: ids[DEMO.protectedPerson] });
    const a = em.create(Assignment, {
      case: sannasCase,
      executor: await em.findOneOrFail(Staff, { username: DEMO.executor }),
      description: 'Boendestöd',
      startDate: '2025-02-01',
    });
    await em.flush();
    try {
      const c = await as('executor');
      const r = await c.query(PersonBareDocument, { id: ids[DEMO.protectedPerson] });
      expect(r.data?.person).toMatchObject(hidden);
      const list = await c.query(PersonsDocument, {});
      expect(list.data?.persons.nodes.find((p) => p.id === ids[DEMO.protectedPerson])).toMatchObject(hidden);
    } finally {
      await t.em().nativeDelete(Assignment, { id: a.id });
    }
  });

  test('the full person query (with cases and relations) masks the protected person just the same', async () => {
    const r = await (await as('caseworker')).query(PersonDocument, { id: ids[DEMO.protectedPerson] });
    expect(r.errors).toEqual([]);
    expect(r.data?.person).toMatchObject({ ...hidden, cases: [expect.objectContaining({ title: 'Skydd och stöd' })] });
  });
});

describe('updatePersonContactDetails', () => {
  test('normalises what the caseworker typed, and clears with null or ""', async () => {
    const c = await as('caseworker');
    const r = await c.mutate(UpdatePersonContactDetailsDocument, {
      personId: ids[DEMO.relation],
      input: { mobile: '070-350 33 75', street: '  Ströms väg 17 ', postalCode: '' },
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.updatePersonContactDetails).toMatchObject({
      mobile: '+46703503375',
      address: { street: 'Ströms väg 17', postalCode: null, city: 'Söderköping' },
    });
    const stored = await t.em().findOneOrFail(Person, { personnummer: DEMO.relation });
    expect([stored.street, stored.postalCode, stored.email]).toEqual([
      'Ströms väg 17',
      null,
      'josefine.testek@example.se',
    ]);
  });

  test.each([
    ['mobile', { mobile: '12345' }],
    ['email', { email: 'not-an-address' }],
    ['mobile', { mobile: null }], // Tolvan is notified by SMS: the number cannot go
    ['email', { email: '' }], // … and by e-mail
  ])('BAD_USER_INPUT names the field %s, and nothing is written', async (field, input) => {
    const before = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    const r = await (
      await as('caseworker')
    ).mutate(UpdatePersonContactDetailsDocument, {
      personId: ids[DEMO.tolvan],
      input: { city: 'Norrköping', ...input },
    });
    expectDenied(r, 'BAD_USER_INPUT');
    expect(r.errors[0].extensions?.field).toBe(field);
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    expect([after.city, after.mobile, after.email]).toEqual([before.city, before.mobile, before.email]);
  });

  test("a protected identity's details are changed only by the caseworker of their own case", async () => {
    const denied = await (
      await as('caseworker')
    ).mutate(UpdatePersonContactDetailsDocument, { personId: ids[DEMO.protectedPerson], input: { city: 'Linköping' } });
    expectDenied(denied, 'FORBIDDEN');
    expect((await t.em().findOneOrFail(Person, { personnummer: DEMO.protectedPerson })).city).toBe('Okänd ort');
    const ok = await (
      await as('secondCaseworker')
    ).mutate(UpdatePersonContactDetailsDocument, { personId: ids[DEMO.protectedPerson], input: { city: 'Linköping' } });
    expect(ok.errors).toEqual([]);
    expect(ok.data?.updatePersonContactDetails.address?.city).toBe('Linköping');
  });
});

describe('setEService', () => {
  const off = { messagingEnabled: false, notifyBySms: false, notifyByEmail: false };

  test("activation takes effect at once: the citizen's `me` shows it in the very next request", async () => {
    const kalle = await citizen(DEMO.otherUnitPerson);
    expect((await kalle.query(MeDocument)).data?.me.eService).toMatchObject(off);
    const bo = await as('otherUnitCaseworker');
    const r = await bo.mutate(SetEServiceDocument, {
      personId: ids[DEMO.otherUnitPerson],
      input: { messagingEnabled: true, notifyBySms: true, notifyByEmail: false, mobile: '0739 12 34 56' },
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.setEService).toMatchObject({
      mobile: '+46739123456',
      eService: { messagingEnabled: true, notifyBySms: true, notifyByEmail: false },
    });
    const me = (await kalle.query(MeDocument)).data?.me;
    expect(me?.eService).toMatchObject({ messagingEnabled: true, notifyBySms: true, notifyByEmail: false });
    expect(me?.eService.changedAt).not.toBeNull();
    expect(me?.mobile).toBe('+46739123456');
    const stored = await t
      .em()
      .findOneOrFail(Person, { personnummer: DEMO.otherUnitPerson }, { populate: ['eServiceChangedBy'] });
    expect(stored.eServiceChangedBy?.username).toBe(DEMO.otherUnitCaseworker);
  });

  test('deactivation also takes effect at once, and keeps the contact details', async () => {
    const r = await (
      await as('otherUnitCaseworker')
    ).mutate(SetEServiceDocument, { personId: ids[DEMO.otherUnitPerson], input: off });
    expect(r.errors).toEqual([]);
    const me = (await (await citizen(DEMO.otherUnitPerson)).query(MeDocument)).data?.me;
    expect(me?.eService).toMatchObject(off);
    expect(me?.mobile).toBe('+46739123456');
  });

  test.each([
    ['mobile', { messagingEnabled: true, notifyBySms: true, notifyByEmail: false, mobile: null }],
    ['email', { messagingEnabled: true, notifyBySms: false, notifyByEmail: true, email: null }],
    ['messagingEnabled', { messagingEnabled: false, notifyBySms: true, notifyByEmail: false }],
    ['mobile', { messagingEnabled: true, notifyBySms: false, notifyByEmail: false, mobile: '+1 555 0100' }],
    ['email', { messagingEnabled: true, notifyBySms: false, notifyByEmail: false, email: 'kalle@' }],
  ])('BAD_USER_INPUT names the field %s, and nothing is written', async (field, input) => {
    const before = await t.em().findOneOrFail(Person, { personnummer: DEMO.otherUnitPerson });
    const r = await (
      await as('otherUnitCaseworker')
    ).mutate(SetEServiceDocument, {
      personId: ids[DEMO.otherUnitPerson],
      input: { email: 'kalle@example.se', ...input },
    });
    expectDenied(r, 'BAD_USER_INPUT');
    expect(r.errors[0].extensions?.field).toBe(field);
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.otherUnitPerson });
    expect([after.mobile, after.email, after.messagingEnabled, after.eServiceChangedAt]).toEqual([
      before.mobile,
      before.email,
      before.messagingEnabled,
      before.eServiceChangedAt,
    ]);
  });

  test('CASE_CLOSED for a person who only is a relation (no ongoing case of their own)', async () => {
    const r = await (
      await as('caseworker')
    ).mutate(SetEServiceDocument, {
      personId: ids[DEMO.relation],
      input: { messagingEnabled: true, notifyBySms: false, notifyByEmail: false },
    });
    expectDenied(r, 'CASE_CLOSED');
  });

  test("CASE_CLOSED when the case holder's case is closed; deactivation is still possible", async () => {
    const em = t.em();
    const c = await em.findOneOrFail(Case, { holder: ids[DEMO.otherUnitPerson] });
    c.status = CaseStatus.CLOSED;
    await em.flush();
    try {
      const bo = await as('otherUnitCaseworker');
      expectDenied(
        await bo.mutate(SetEServiceDocument, {
          personId: ids[DEMO.otherUnitPerson],
          input: { messagingEnabled: true, notifyBySms: false, notifyByEmail: false },
        }),
        'CASE_CLOSED',
      );
      expect((await t.em().findOneOrFail(Person, { personnummer: DEMO.otherUnitPerson })).messagingEnabled).toBe(false);
      expectOk(await bo.mutate(SetEServiceDocument, { personId: ids[DEMO.otherUnitPerson], input: off }));
    } finally {
      c.status = CaseStatus.OPEN;
      await em.flush();
    }
  });

  test("a protected identity's contact details cannot be set through the e-service by another caseworker", async () => {
    const r = await (
      await as('caseworker')
    ).mutate(SetEServiceDocument, {
      personId: ids[DEMO.protectedPerson],
      input: { messagingEnabled: true, notifyBySms: true, notifyByEmail: false, mobile: '0701111111' },
    });
    expectDenied(r, 'FORBIDDEN');
    expect((await t.em().findOneOrFail(Person, { personnummer: DEMO.protectedPerson })).mobile).toBe('+46709998877');
  });
});

describe('no N+1: the wide persons query costs the same for 2 persons as for 20', () => {
  test('PersonsWide', async () => {
    const em = t.em();
    const unit = em.create(Unit, { name: 'N+1 enheten', municipality: 'Söderköpings kommun' });
    const cw = em.create(Staff, {
      username: 'nplus01',
      givenName: 'Nils',
      familyName: 'Plus',
      role: StaffRole.CASEWORKER,
      unit,
    });
    const ex = await em.findOneOrFail(Staff, { username: DEMO.executor });
    let n = 0;
    const addHolder = () => {
      n++;
      const pnr = `1950${String(100 + n).slice(1)}01`; // fake but unique; validity is not checked by the entity
      const holder = em.create(Person, {
        personnummer: `${pnr}00${String(n).padStart(2, '0')}`,
        givenName: `Person${n}`,
        familyName: `Efternamn${String(n).padStart(2, '0')}`,
        mobile: '+46701234567',
      });
      const c = em.create(Case, { title: 'Ekonomiskt bistånd', holder, unit, caseworker: cw, openedOn: '2025-01-01' });
      const i = em.create(Intervention, { case: c, code: 'EK', name: 'Ekonomiskt bistånd', startDate: '2025-01-01' });
      em.create(Assignment, { case: c, intervention: i, executor: ex, description: 'Stöd', startDate: '2025-01-01' });
      const rel = em.create(Person, {
        personnummer: `${pnr}99${String(n).padStart(2, '0')}`,
        givenName: `Rel${n}`,
        familyName: `Zrelation${String(n).padStart(2, '0')}`,
      });
      em.create(Relation, {
        case: c,
        person: rel,
        types: [RelationType.APPROVED_FOR_MESSAGES],
        validFrom: '2025-01-01',
        registeredBy: cw,
      });
    };
    addHolder();
    await em.flush();
    const c = await w.staff('nplus01');

    const measure = async (first: number) => {
      t.sql.reset();
      const r = await c.query(PersonsWideDocument, { first });
      expect(r.errors).toEqual([]);
      return {
        count: t.sql.count(),
        persons: r.data!.persons.nodes.length,
        relations: r.data!.persons.nodes.flatMap((p) => p.cases.flatMap((k) => k.relations)).length,
      };
    };
    const small = await measure(2); // the holder and their relation
    for (let k = 0; k < 9; k++) addHolder();
    await em.flush();
    const large = await measure(20); // ten holders and ten relations
    expect(small.persons).toBe(2);
    expect(large.persons).toBe(20);
    expect(large.relations).toBe(10);
    expect(large.count).toBe(small.count);
    // viewer; persons with their access (R3) and the log, one statement; cases; begin, units, caseworkers,
    // interventions, relations, assignments, log of relations shown, executors, commit; related persons.
    // (17 before the persons page became one statement.)
    expect(small.count).toBe(13);
  });
});
