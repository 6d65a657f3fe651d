import { randomUUID } from 'node:crypto';
import { MyContactsDocument } from '../../clients/citizen/src';
import {
  ActivateRelationDocument,
  CaseDocument,
  DeactivateRelationDocument,
  MyAssignmentsDocument,
  PersonDocument,
  RegisterRelationDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { todayInSweden } from '../../src/domain/time';
import { Assignment, Case, CaseStatus } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation } from '../../src/entities/relation';
import { Staff, StaffRole } from '../../src/entities/staff';
import type { RelationType } from '../../clients/staff/src';
import { CaseBareDocument, CaseRelationsDocument } from '../generated/graphql';
import { apiAs, type ApiResult } from '../testkit/api';
import type { TestServer } from '../testkit/server';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let ids: Record<string, string>;
let tolvansCase: string;
let josefinesRelation: string;
const as = (who: Caller) => w.as(who);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  ids = w.personId;
  tolvansCase = w.caseId[DEMO.tolvan];
  josefinesRelation = (await t.em().findOneOrFail(Relation, { person: ids[DEMO.relation] })).id;
});
afterAll(() => w.close());

function expectOk(r: ApiResult<unknown>) {
  expect(r.errors).toEqual([]);
  expect(r.data).toBeDefined();
}
function expectDenied(r: ApiResult<unknown>, code: string, field?: string) {
  expect(r.codes).toEqual([code]);
  expect(r.data ?? null).toBeNull();
  if (field) expect(r.errors[0].extensions?.field).toBe(field);
}

/** A valid 12-digit personnummer born 19<yymmdd>, with its Luhn check digit computed here. */
let serial = 100;
function newPnr(yymmdd = '750505'): string {
  const nine = `${yymmdd}${serial++}`;
  const sum = [...nine].reduce((acc, ch, i) => {
    const p = Number(ch) * (i % 2 === 0 ? 2 : 1);
    return acc + Math.floor(p / 10) + (p % 10);
  }, 0);
  return `19${nine}${(10 - (sum % 10)) % 10}`;
}
function day(offset: number): string {
  return todayInSweden(new Date(Date.now() + offset * 86_400_000));
}
const approved: RelationType[] = ['APPROVED_FOR_MESSAGES'];
const register = (
  c: ReturnType<typeof apiAs>,
  input: Partial<Parameters<typeof registerInput>[0]> = {},
  caseId = tolvansCase,
) => c.mutate(RegisterRelationDocument, { caseId, input: registerInput(input) });
function registerInput(input: {
  personnummer?: string;
  givenName?: string | null;
  familyName?: string | null;
  types?: RelationType[];
  validFrom?: string;
  validTo?: string | null;
}) {
  return {
    personnummer: newPnr(),
    givenName: 'Ny',
    familyName: 'Relation',
    types: approved,
    validFrom: '2025-01-01',
    ...input,
  };
}
async function counts() {
  const em = t.em();
  return { persons: await em.count(Person, {}), relations: await em.count(Relation, {}) };
}

describe('authorization matrix: case and relation operations', () => {
  type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
  type Op = {
    run: (c: ReturnType<typeof apiAs>) => Promise<ApiResult<any>>;
    /** What an allowed call returns: checked on every "ok" row, so an allowed row proves the data, not only no error. */
    returns: (data: any) => void;
  };
  let registered = '';
  const ops: Record<string, Op> = {
    case: {
      run: (c) => c.query(CaseDocument, { id: tolvansCase }),
      returns: (data) =>
        expect(data.case).toMatchObject({
          id: tolvansCase,
          title: 'Ekonomiskt bistånd',
          holder: { id: ids[DEMO.tolvan], name: 'Tolvan Tolvansson' },
        }),
    },
    myAssignments: {
      run: (c) => c.query(MyAssignmentsDocument),
      returns: (data) =>
        expect(data.myAssignments).toContainEqual(
          expect.objectContaining({
            description: 'Budgetrådgivning',
            case: expect.objectContaining({ id: tolvansCase }),
          }),
        ),
    },
    registerRelation: {
      run: (c) => register(c, { personnummer: (registered = newPnr()) }),
      returns: (data) =>
        expect(data.registerRelation).toMatchObject({
          types: approved,
          validFrom: '2025-01-01',
          person: { personnummer: registered, name: 'Ny Relation' },
        }),
    },
    activateRelation: {
      run: (c) =>
        c.mutate(ActivateRelationDocument, {
          relationId: josefinesRelation,
          input: { notifyBySms: false, notifyByEmail: true },
        }),
      returns: (data) =>
        expect(data.activateRelation).toMatchObject({
          id: josefinesRelation,
          activatedAt: expect.any(String),
          messagingActive: true,
          person: { id: ids[DEMO.relation], eService: { notifyBySms: false, notifyByEmail: true } },
        }),
    },
    deactivateRelation: {
      run: (c) => c.mutate(DeactivateRelationDocument, { relationId: josefinesRelation }),
      returns: (data) =>
        expect(data.deactivateRelation).toEqual({ id: josefinesRelation, activatedAt: null, messagingActive: false }),
    },
  };
  // Target: Tolvan's case (mararo01's, unit IFO Vuxen, perutf01 holds an assignment) and Josefine's relation on it.
  const matrix: [string, Caller, Outcome][] = [
    ['case', 'caseworker', 'ok'],
    ['case', 'secondCaseworker', 'ok'],
    ['case', 'executor', 'ok'],
    ['case', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['case', 'admin', 'FORBIDDEN'],
    ['case', 'citizen', 'FORBIDDEN'],
    ['myAssignments', 'executor', 'ok'],
    ['myAssignments', 'caseworker', 'FORBIDDEN'],
    ['myAssignments', 'otherUnitCaseworker', 'FORBIDDEN'],
    ['myAssignments', 'admin', 'FORBIDDEN'],
    ['myAssignments', 'citizen', 'FORBIDDEN'],
    ['registerRelation', 'caseworker', 'ok'],
    ['registerRelation', 'secondCaseworker', 'ok'],
    ['registerRelation', 'executor', 'FORBIDDEN'],
    ['registerRelation', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['registerRelation', 'admin', 'FORBIDDEN'],
    ['registerRelation', 'citizen', 'FORBIDDEN'],
    ['activateRelation', 'caseworker', 'ok'],
    ['activateRelation', 'secondCaseworker', 'ok'],
    ['activateRelation', 'executor', 'FORBIDDEN'],
    ['activateRelation', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['activateRelation', 'admin', 'FORBIDDEN'],
    ['activateRelation', 'citizen', 'FORBIDDEN'],
    ['deactivateRelation', 'executor', 'FORBIDDEN'],
    ['deactivateRelation', 'otherUnitCaseworker', 'NOT_FOUND'],
    ['deactivateRelation', 'admin', 'FORBIDDEN'],
    ['deactivateRelation', 'citizen', 'FORBIDDEN'],
    ['deactivateRelation', 'caseworker', 'ok'],
  ];
  test.each(matrix)('%s as %s → %s', async (op, who, outcome) => {
    const r = await ops[op].run(await as(who));
    if (outcome === 'ok') {
      expectOk(r);
      ops[op].returns(r.data);
    } else expectDenied(r, outcome);
  });

  test('denied relation mutations write nothing', async () => {
    const before = await counts();
    const activatedAt = (await t.em().findOneOrFail(Relation, josefinesRelation)).activatedAt;
    for (const who of ['executor', 'otherUnitCaseworker', 'admin', 'citizen'] as const) {
      const c = await as(who);
      await register(c);
      await c.mutate(ActivateRelationDocument, {
        relationId: josefinesRelation,
        input: { notifyBySms: false, notifyByEmail: false },
      });
    }
    expect(await counts()).toEqual(before);
    expect((await t.em().findOneOrFail(Relation, josefinesRelation)).activatedAt).toEqual(activatedAt);
  });
});

describe('R5 a case or relation one may not see answers NOT_FOUND exactly like a missing id', () => {
  const shape = (r: ApiResult<unknown>) => r.errors.map((e) => ({ message: e.message, extensions: e.extensions }));

  test('case(id) as bobarn01', async () => {
    const c = await as('otherUnitCaseworker');
    const hidden = await c.query(CaseBareDocument, { id: tolvansCase });
    expectDenied(hidden, 'NOT_FOUND');
    expect(shape(await c.query(CaseBareDocument, { id: randomUUID() }))).toEqual(shape(hidden));
    expect(shape(await c.query(CaseBareDocument, { id: 'case-1' }))).toEqual(shape(hidden));
  });

  test('register/activate/deactivate on a case or relation of another unit', async () => {
    const c = await as('otherUnitCaseworker');
    const pnr = newPnr();
    for (const [hiddenId, randomId] of [
      [tolvansCase, randomUUID()],
      [tolvansCase, 'nope'],
    ]) {
      expect(shape(await register(c, { personnummer: pnr }, hiddenId))).toEqual(
        shape(await register(c, { personnummer: pnr }, randomId)),
      );
    }
    for (const randomId of [randomUUID(), 'nope']) {
      const input = { notifyBySms: false, notifyByEmail: false };
      const hidden = await c.mutate(ActivateRelationDocument, { relationId: josefinesRelation, input });
      expectDenied(hidden, 'NOT_FOUND');
      expect(shape(await c.mutate(ActivateRelationDocument, { relationId: randomId, input }))).toEqual(shape(hidden));
      expect(shape(await c.mutate(DeactivateRelationDocument, { relationId: randomId }))).toEqual(
        shape(await c.mutate(DeactivateRelationDocument, { relationId: josefinesRelation })),
      );
    }
  });
});

describe('case', () => {
  test('shows holder, unit, caseworker, interventions, assignments and relations', async () => {
    const r = await (await as('caseworker')).query(CaseDocument, { id: tolvansCase });
    expect(r.errors).toEqual([]);
    expect(r.data?.case).toMatchObject({
      title: 'Ekonomiskt bistånd',
      status: 'OPEN',
      holder: { personnummer: DEMO.tolvan },
      caseworker: { username: DEMO.caseworker },
      interventions: [{ label: 'Insats EK Ekonomiskt bistånd 2024-02-15' }],
      assignments: [{ description: 'Budgetrådgivning', executor: { name: 'Per Utförsson' } }],
    });
    expect(r.data?.case.relations.map((x) => x.person.personnummer)).toContain(DEMO.relation);
  });

  test('R2 the executor opens the case of their assignment but not its relations: person(id) refuses them, so Case.relations does too (the edge applies the rule of its root)', async () => {
    const per = await as('executor');
    const r = await per.query(CaseRelationsDocument, { id: tolvansCase });
    expect(r.errors).toEqual([]);
    expect(r.data?.case.relations).toEqual([]);
    expect((await per.query(PersonDocument, { id: ids[DEMO.relation] })).codes).toEqual(['NOT_FOUND']);
  });

  test("R1 the caseworker of the case sees the relation's contact details", async () => {
    const r = await (await as('caseworker')).query(CaseRelationsDocument, { id: tolvansCase });
    const josefine = r.data?.case.relations.find((x) => x.person.personnummer === DEMO.relation);
    expect(josefine?.person).toMatchObject({ contactDetailsHidden: false, mobile: '+46703503375' });
  });
});

describe('myAssignments', () => {
  test("lists the executor's ongoing assignments with their case and holder", async () => {
    const r = await (await as('executor')).query(MyAssignmentsDocument);
    expect(r.errors).toEqual([]);
    expect(r.data?.myAssignments).toEqual([
      expect.objectContaining({
        description: 'Budgetrådgivning',
        case: expect.objectContaining({
          title: 'Ekonomiskt bistånd',
          holder: expect.objectContaining({ name: 'Tolvan Tolvansson' }),
        }),
      }),
    ]);
  });

  test('ended and not yet started assignments are not listed, and then the case is NOT_FOUND', async () => {
    const em = t.em();
    const a = await em.findOneOrFail(Assignment, { executor: { username: DEMO.executor } });
    const c = await as('executor');
    try {
      for (const change of [{ endDate: day(-1) }, { startDate: day(1) }]) {
        Object.assign(a, { startDate: '2024-03-01', endDate: null }, change);
        await em.flush();
        expect((await c.query(MyAssignmentsDocument)).data?.myAssignments).toEqual([]);
        expectDenied(await c.query(CaseBareDocument, { id: tolvansCase }), 'NOT_FOUND');
      }
    } finally {
      Object.assign(a, { startDate: '2024-03-01', endDate: null });
      await em.flush();
    }
    expect((await c.query(MyAssignmentsDocument)).data?.myAssignments).toHaveLength(1);
  });
});

describe('registerRelation', () => {
  test('registers a new person (10-digit personnummer stored as 12 digits), not yet activated', async () => {
    const pnr = newPnr('800101');
    const r = await register(await as('caseworker'), {
      personnummer: `${pnr.slice(2, 8)}-${pnr.slice(8)}`,
      givenName: ' Greta ',
      familyName: 'God Man',
      types: ['GUARDIAN', 'APPROVED_FOR_MESSAGES', 'GUARDIAN'],
      validTo: '2030-12-31',
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.registerRelation).toMatchObject({
      types: ['GUARDIAN', 'APPROVED_FOR_MESSAGES'],
      validFrom: '2025-01-01',
      validTo: '2030-12-31',
      activatedAt: null,
      messagingActive: false,
      person: { name: 'Greta God Man', personnummer: pnr },
    });
    const stored = await t
      .em()
      .findOneOrFail(Relation, { person: { personnummer: pnr } }, { populate: ['registeredBy'] });
    expect(stored.registeredBy.username).toBe(DEMO.caseworker);
  });

  test("an existing person needs no names: the register's names are kept", async () => {
    const r = await register(await as('caseworker'), {
      personnummer: DEMO.otherUnitPerson,
      givenName: null,
      familyName: null,
      types: ['RELATIVE'],
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.registerRelation.person.name).toBe('Kalle Barnsson');
  });

  test.each([
    ['personnummer', 'an invalid personnummer', { personnummer: '191212121213' }],
    ['personnummer', 'garbage as personnummer', { personnummer: 'Tolvan' }],
    ['personnummer', 'the case holder as their own relation', { personnummer: DEMO.tolvan }],
    ['givenName', 'a new person without a given name', { givenName: '  ' }],
    ['familyName', 'a new person without a family name', { familyName: null }],
    ['types', 'no relation type', { types: [] }],
    ['validTo', 'validTo before validFrom', { validFrom: '2025-06-01', validTo: '2025-05-31' }],
  ])('BAD_USER_INPUT on %s for %s, and nothing is written', async (field, _what, input) => {
    const before = await counts();
    expectDenied(await register(await as('caseworker'), input as never), 'BAD_USER_INPUT', field);
    expect(await counts()).toEqual(before);
  });

  test('CONFLICT when the person is already registered on the case, and nothing is written', async () => {
    const before = await counts();
    expectDenied(await register(await as('caseworker'), { personnummer: DEMO.relation }), 'CONFLICT');
    expect(await counts()).toEqual(before);
  });

  test('CASE_CLOSED on a closed case, and nothing is written', async () => {
    const em = t.em();
    const c = await em.findOneOrFail(Case, tolvansCase);
    c.status = CaseStatus.CLOSED;
    await em.flush();
    try {
      const before = await counts();
      const cw = await as('caseworker');
      expectDenied(await register(cw), 'CASE_CLOSED');
      expectDenied(
        await cw.mutate(ActivateRelationDocument, {
          relationId: josefinesRelation,
          input: { notifyBySms: false, notifyByEmail: false },
        }),
        'CASE_CLOSED',
      );
      expect(await counts()).toEqual(before);
      // Stopping access is always allowed: the relation can be deactivated on the closed case.
      const stopped = await cw.mutate(DeactivateRelationDocument, { relationId: josefinesRelation });
      expect(stopped.codes).toEqual([]);
      expect(stopped.data!.deactivateRelation.activatedAt).toBeNull();
    } finally {
      c.status = CaseStatus.OPEN;
      await em.flush();
    }
  });
});

describe('activateRelation / deactivateRelation', () => {
  async function registered(input: Parameters<typeof registerInput>[0]) {
    const r = await register(await as('caseworker'), input);
    expect(r.errors).toEqual([]);
    return r.data!.registerRelation;
  }
  const activate = async (
    relationId: string,
    input = { notifyBySms: false, notifyByEmail: false } as {
      notifyBySms: boolean;
      notifyByEmail: boolean;
      mobile?: string | null;
      email?: string | null;
    },
  ) => (await as('caseworker')).mutate(ActivateRelationDocument, { relationId, input });
  async function unchanged(relationId: string, personId: string, fn: () => Promise<void>) {
    const em = t.em();
    const before = {
      rel: await em.findOneOrFail(Relation, relationId),
      person: await em.findOneOrFail(Person, personId),
    };
    const snapshot = {
      activatedAt: before.rel.activatedAt,
      messagingEnabled: before.person.messagingEnabled,
      mobile: before.person.mobile,
      email: before.person.email,
    };
    await fn();
    const em2 = t.em();
    const rel = await em2.findOneOrFail(Relation, relationId);
    const person = await em2.findOneOrFail(Person, personId);
    expect({
      activatedAt: rel.activatedAt,
      messagingEnabled: person.messagingEnabled,
      mobile: person.mobile,
      email: person.email,
    }).toEqual(snapshot);
  }

  test('RELATION_NOT_APPROVED_FOR_MESSAGES when the relation is not approved for messages', async () => {
    const rel = await registered({ types: ['GUARDIAN'] });
    await unchanged(rel.id, rel.person.id, async () =>
      expectDenied(await activate(rel.id), 'RELATION_NOT_APPROVED_FOR_MESSAGES'),
    );
  });

  test('RELATION_OUTSIDE_VALIDITY when validFrom is in the future', async () => {
    const rel = await registered({ validFrom: day(1) });
    await unchanged(rel.id, rel.person.id, async () =>
      expectDenied(await activate(rel.id), 'RELATION_OUTSIDE_VALIDITY'),
    );
  });

  test('RELATION_OUTSIDE_VALIDITY when validTo has passed', async () => {
    const rel = await registered({ validFrom: '2024-01-01', validTo: day(-1) });
    await unchanged(rel.id, rel.person.id, async () =>
      expectDenied(await activate(rel.id), 'RELATION_OUTSIDE_VALIDITY'),
    );
  });

  test('validity that starts and ends today is fine', async () => {
    const rel = await registered({ validFrom: day(0), validTo: day(0) });
    const r = await activate(rel.id);
    expect(r.errors).toEqual([]);
    expect(r.data?.activateRelation.messagingActive).toBe(true);
  });

  test('BAD_USER_INPUT naming the field when a chosen notification has nowhere to go, and nothing is written', async () => {
    const rel = await registered({});
    await unchanged(rel.id, rel.person.id, async () => {
      expectDenied(
        await activate(rel.id, { notifyBySms: true, notifyByEmail: false, email: 'ny@example.se' }),
        'BAD_USER_INPUT',
        'mobile',
      );
      expectDenied(await activate(rel.id, { notifyBySms: false, notifyByEmail: true }), 'BAD_USER_INPUT', 'email');
      expectDenied(
        await activate(rel.id, { notifyBySms: false, notifyByEmail: false, mobile: '12' }),
        'BAD_USER_INPUT',
        'mobile',
      );
    });
  });

  test("activation takes effect at once: the relation's own myContacts lists the case; deactivation removes it at once", async () => {
    const pnr = newPnr('850303');
    const rel = await registered({ personnummer: pnr, givenName: 'Rut', familyName: 'Relation' });
    const citizen = await w.citizen(pnr);
    expect((await citizen.query(MyContactsDocument)).data?.myContacts).toEqual([]);

    const r = await activate(rel.id, { notifyBySms: true, notifyByEmail: false, mobile: '0761234567' });
    expect(r.errors).toEqual([]);
    expect(r.data?.activateRelation).toMatchObject({
      messagingActive: true,
      person: { eService: { messagingEnabled: true, notifyBySms: true, notifyByEmail: false } },
    });
    expect(r.data?.activateRelation.activatedAt).not.toBeNull();
    expect((await citizen.query(MyContactsDocument)).data?.myContacts).toEqual([
      {
        caseId: tolvansCase,
        caseTitle: 'Ekonomiskt bistånd',
        caseworkerName: 'Marita Aronsson',
        caseworkerTitle: 'Socialsekreterare',
        unitName: 'IFO Vuxen – Försörjningsstöd',
        asRelation: true,
      },
    ]);

    const d = await (await as('caseworker')).mutate(DeactivateRelationDocument, { relationId: rel.id });
    expect(d.errors).toEqual([]);
    expect(d.data?.deactivateRelation).toMatchObject({ activatedAt: null, messagingActive: false });
    expect((await citizen.query(MyContactsDocument)).data?.myContacts).toEqual([]);
  });

  test('R3 a protected person as a relation: only a caseworker of one of her own cases may set her contact details', async () => {
    // annekh01, Sanna's caseworker, registers her on Tolvan's case (mararo01's).
    const rel = await register(await as('secondCaseworker'), {
      personnummer: DEMO.protectedPerson,
      givenName: null,
      familyName: null,
    });
    expect(rel.errors).toEqual([]);
    const relationId = rel.data!.registerRelation.id;
    // A caseworker of the same unit who is the caseworker of neither case.
    const em = t.em();
    const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker }, { populate: ['unit'] });
    em.create(Staff, {
      username: 'ifocw03',
      givenName: 'Ivar',
      familyName: 'Tredje',
      role: StaffRole.CASEWORKER,
      unit: marita.unit,
    });
    await em.flush();
    const third = await w.staff('ifocw03');
    await unchanged(relationId, ids[DEMO.protectedPerson], async () => {
      const r = await third.mutate(ActivateRelationDocument, {
        relationId,
        input: { notifyBySms: true, notifyByEmail: false, mobile: '0700000002' },
      });
      expectDenied(r, 'FORBIDDEN');
    });
    const own = await (
      await as('secondCaseworker')
    ).mutate(ActivateRelationDocument, {
      relationId,
      input: { notifyBySms: true, notifyByEmail: false, mobile: '0700000001' },
    });
    expect(own.errors).toEqual([]);
    expect((await t.em().findOneOrFail(Person, ids[DEMO.protectedPerson])).mobile).toBe('+46700000001');
  });
});
