import { MeDocument, MyContactsDocument, UpdateMyContactDetailsDocument } from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { todayInSweden } from '../../src/domain/time';
import { Case, CaseStatus } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { Relation } from '../../src/entities/relation';
import { MeWithCasesDocument } from '../generated/graphql';
import { apiAs, type ApiResult } from '../testkit/api';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
const citizen = (pnr: string) => w.citizen(pnr);
const staff = (username: string) => w.staff(username);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
});
afterAll(() => w.close());

function expectDenied(r: ApiResult<unknown>, code: string, field?: string) {
  expect(r.codes).toEqual([code]);
  expect(r.data ?? null).toBeNull();
  if (field) expect(r.errors[0].extensions?.field).toBe(field);
}

describe('authorization matrix: citizen operations are for citizens only', () => {
  const ops: Record<string, (c: ReturnType<typeof apiAs>) => Promise<ApiResult<unknown>>> = {
    me: (c) => c.query(MeDocument),
    myContacts: (c) => c.query(MyContactsDocument),
    updateMyContactDetails: (c) =>
      c.mutate(UpdateMyContactDetailsDocument, { input: { email: 'tolvan.tolvansson@example.se' } }),
  };
  // What Tolvan gets back, checked on every "ok" row: an allowed row proves the data, not only no error.
  const returns: Record<string, (data: any) => void> = {
    me: (data) =>
      expect(data.me).toMatchObject({
        id: w.personId[DEMO.tolvan],
        personnummer: DEMO.tolvan,
        name: 'Tolvan Tolvansson',
      }),
    myContacts: (data) =>
      expect(data.myContacts).toContainEqual(
        expect.objectContaining({
          caseId: w.caseId[DEMO.tolvan],
          caseTitle: 'Ekonomiskt bistånd',
          caseworkerName: 'Marita Aronsson',
          asRelation: false,
        }),
      ),
    updateMyContactDetails: (data) =>
      expect(data.updateMyContactDetails).toMatchObject({
        id: w.personId[DEMO.tolvan],
        email: 'tolvan.tolvansson@example.se',
      }),
  };
  const rows: [string, string, string][] = [];
  for (const op of Object.keys(ops)) {
    rows.push([op, 'citizen', 'ok']);
    for (const u of [DEMO.caseworker, DEMO.executor, DEMO.admin, DEMO.otherUnitCaseworker])
      rows.push([op, u, 'FORBIDDEN']);
  }
  test.each(rows)('%s as %s → %s', async (op, who, outcome) => {
    const r = await ops[op](who === 'citizen' ? await citizen(DEMO.tolvan) : await staff(who));
    if (outcome === 'ok') {
      expect(r.errors).toEqual([]);
      expect(r.data).toBeDefined();
      returns[op](r.data);
    } else expectDenied(r, 'FORBIDDEN');
  });

  test('R4 a citizen cannot reach staff-only fields through their own profile', async () => {
    const r = await (await citizen(DEMO.tolvan)).query(MeWithCasesDocument);
    expect(r.codes).toEqual(['FORBIDDEN']);
  });
});

describe('me', () => {
  test("the citizen's own profile, contact details and e-service settings", async () => {
    const r = await (await citizen(DEMO.tolvan)).query(MeDocument);
    expect(r.data?.me).toMatchObject({
      personnummer: DEMO.tolvan,
      name: 'Tolvan Tolvansson',
      address: { street: 'Storgatan 12', postalCode: '614 30', city: 'Söderköping' },
      mobile: '+46701234567',
      email: 'tolvan.tolvansson@example.se',
      eService: { messagingEnabled: true, notifyBySms: true, notifyByEmail: true },
    });
  });

  test('R3/R4 a person with protected identity sees their own address and contact details', async () => {
    const r = await (await citizen(DEMO.protectedPerson)).query(MeDocument);
    expect(r.data?.me).toMatchObject({
      address: { street: 'Hemlig adress 1' },
      mobile: '+46709998877',
      email: 'sanna@example.se',
    });
  });

  test('a personnummer the social services do not know gets E_SERVICE_NOT_ACTIVATED', async () => {
    const r = await (await citizen('200002291235')).query(MeDocument);
    expect(r.codes).toEqual(['E_SERVICE_NOT_ACTIVATED']);
  });
});

describe('myContacts', () => {
  test('the case holder sees the caseworker of their ongoing case', async () => {
    const r = await (await citizen(DEMO.tolvan)).query(MyContactsDocument);
    expect(r.data?.myContacts).toEqual([
      expect.objectContaining({
        caseTitle: 'Ekonomiskt bistånd',
        caseworkerName: 'Marita Aronsson',
        caseworkerTitle: 'Socialsekreterare',
        unitName: 'IFO Vuxen – Försörjningsstöd',
        asRelation: false,
      }),
    ]);
  });

  test('an activated relation sees the caseworker of the case they are related to', async () => {
    const r = await (await citizen(DEMO.relation)).query(MyContactsDocument);
    expect(r.data?.myContacts).toEqual([
      expect.objectContaining({ caseTitle: 'Ekonomiskt bistånd', caseworkerName: 'Marita Aronsson', asRelation: true }),
    ]);
  });

  test('a closed case, or a relation whose validity has ended, is no longer listed', async () => {
    const em = t.em();
    const c = await em.findOneOrFail(Case, { holder: { personnummer: DEMO.tolvan } });
    const rel = await em.findOneOrFail(Relation, { person: { personnummer: DEMO.relation } });
    const tolvan = await citizen(DEMO.tolvan);
    const josefine = await citizen(DEMO.relation);
    try {
      rel.validTo = todayInSweden(new Date(Date.now() - 86_400_000));
      await em.flush();
      expect((await josefine.query(MyContactsDocument)).data?.myContacts).toEqual([]);
      rel.validTo = null;
      c.status = CaseStatus.CLOSED;
      await em.flush();
      expect((await tolvan.query(MyContactsDocument)).data?.myContacts).toEqual([]);
      expect((await josefine.query(MyContactsDocument)).data?.myContacts).toEqual([]);
    } finally {
      c.status = CaseStatus.OPEN;
      rel.validTo = null;
      await em.flush();
    }
  });

  test('a person on no case has no contacts', async () => {
    const em = t.em();
    em.create(Person, { personnummer: '200002291235', givenName: 'Utan', familyName: 'Ärende' });
    await em.flush();
    expect((await (await citizen('200002291235')).query(MyContactsDocument)).data?.myContacts).toEqual([]);
  });
});

describe('updateMyContactDetails', () => {
  test('normalises the mobile number and changes only what is sent', async () => {
    const c = await citizen(DEMO.tolvan);
    const r = await c.mutate(UpdateMyContactDetailsDocument, { input: { mobile: '073-123 45 67' } });
    expect(r.errors).toEqual([]);
    expect(r.data?.updateMyContactDetails).toMatchObject({
      mobile: '+46731234567',
      email: 'tolvan.tolvansson@example.se',
    });
    expect((await c.query(MeDocument)).data?.me.mobile).toBe('+46731234567');
  });

  test('clearing an address nobody is notified at is fine', async () => {
    const r = await (
      await citizen(DEMO.otherUnitPerson)
    ).mutate(UpdateMyContactDetailsDocument, { input: { email: 'kalle@example.se' } });
    expect(r.data?.updateMyContactDetails.email).toBe('kalle@example.se');
    const cleared = await (
      await citizen(DEMO.otherUnitPerson)
    ).mutate(UpdateMyContactDetailsDocument, { input: { email: '' } });
    expect(cleared.errors).toEqual([]);
    expect(cleared.data?.updateMyContactDetails.email).toBeNull();
  });

  test.each([
    ['mobile', { mobile: '12345' }],
    ['email', { email: 'tolvan@' }],
    ['mobile', { mobile: null, email: 'ny@example.se' }], // Tolvan is notified by SMS
    ['email', { email: '' }], // … and by e-mail
  ])('BAD_USER_INPUT names the field %s, and nothing is written', async (field, input) => {
    const before = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    expectDenied(
      await (await citizen(DEMO.tolvan)).mutate(UpdateMyContactDetailsDocument, { input }),
      'BAD_USER_INPUT',
      field,
    );
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    expect([after.mobile, after.email]).toEqual([before.mobile, before.email]);
  });

  test('the notification choices (Min profil): SMS off, e-mail on; each needs somewhere to go, and a refusal writes nothing', async () => {
    const c = await citizen(DEMO.relation); // Josefine: e-mail on, SMS off
    const on = await c.mutate(UpdateMyContactDetailsDocument, { input: { notifyBySms: true, notifyByEmail: false } });
    expect(on.errors).toEqual([]);
    expect(on.data?.updateMyContactDetails.eService).toMatchObject({ notifyBySms: true, notifyByEmail: false });
    expect(on.data?.updateMyContactDetails.eService.changedAt).toBeTruthy();
    const stored = await t.em().findOneOrFail(Person, { personnummer: DEMO.relation });
    expect([stored.notifyBySms, stored.notifyByEmail, stored.eServiceChangedBy]).toEqual([true, false, null]);

    // Clearing the mobile while SMS is chosen, or choosing e-mail with no address: refused, naming the field.
    expectDenied(await c.mutate(UpdateMyContactDetailsDocument, { input: { mobile: '' } }), 'BAD_USER_INPUT', 'mobile');
    expectDenied(
      await c.mutate(UpdateMyContactDetailsDocument, { input: { email: '', notifyByEmail: true } }),
      'BAD_USER_INPUT',
      'email',
    );
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.relation });
    expect([after.mobile, after.email, after.notifyBySms, after.notifyByEmail]).toEqual([
      stored.mobile,
      stored.email,
      true,
      false,
    ]);
    // Turning SMS off and clearing the number in one change is fine.
    const off = await c.mutate(UpdateMyContactDetailsDocument, { input: { mobile: null, notifyBySms: false } });
    expect(off.errors).toEqual([]);
    expect(off.data?.updateMyContactDetails).toMatchObject({ mobile: null, eService: { notifyBySms: false } });
  });

  test('a citizen changes only their own record', async () => {
    const before = await t.em().findOneOrFail(Person, { personnummer: DEMO.relation });
    await (
      await citizen(DEMO.tolvan)
    ).mutate(UpdateMyContactDetailsDocument, { input: { email: 'tolvan2@example.se' } });
    const after = await t.em().findOneOrFail(Person, { personnummer: DEMO.relation });
    expect(after.email).toBe(before.email);
    expect((await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan })).email).toBe('tolvan2@example.se');
  });
});
