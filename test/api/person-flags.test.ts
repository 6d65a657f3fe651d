import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { DEMO } from '../../src/db/demo-data';
import { buildRegisterExtract } from '../../src/domain/register-extract.service';
import { AccessAction, AccessLogEntry } from '../../src/entities/access-log-entry';
import { Person } from '../../src/entities/person';
import { Staff } from '../../src/entities/staff';
import type { ApiResult } from '../testkit/api';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

// The person's flags and phones (R3 for who sees them): Sekretessmarkering, Hemligt telefonnummer, Tolkbehov, home and work phones.

const doc = <T = any, V = any>(src: string) => parse(src) as unknown as TypedDocumentNode<T, V>;
const PERSON_FIELDS = `id protectedIdentity confidentialityMarking secretPhoneNumber needsInterpreter interpreterLanguage
  contactDetailsHidden phoneNumbersHidden mobile homePhone workPhone email`;
const PersonQ = doc(`query P($id: ID!) { person(id: $id) { ${PERSON_FIELDS} } }`);
const SetFlags = doc(
  `mutation F($personId: ID!, $input: PersonFlagsInput!) { setPersonFlags(personId: $personId, input: $input) { ${PERSON_FIELDS} } }`,
);
const UpdateContact = doc(
  `mutation C($personId: ID!, $input: ContactDetailsInput!) { updatePersonContactDetails(personId: $personId, input: $input) { ${PERSON_FIELDS} } }`,
);
const SetProtected = doc(
  `mutation S($personnummer: String!, $protectedIdentity: Boolean!) { setProtectedIdentity(personnummer: $personnummer, protectedIdentity: $protectedIdentity) }`,
);
const Me = doc(`query { me { id secretPhoneNumber mobile homePhone workPhone phoneNumbersHidden } }`);

let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterAll(() => w.close());

const as = (who: Caller) => w.as(who);
const id = (pnr: string) => w.personId[pnr];
const fresh = async (pnr: string) => w.t.em().findOneOrFail(Person, { personnummer: pnr });

function ok<T>(r: ApiResult<T>): T {
  expect(r.errors).toEqual([]);
  return r.data as T;
}

describe('setPersonFlags: caseworkers set the flags of persons they may see', () => {
  test('Marita sets Sekretessmarkering, Hemligt telefonnummer and Tolkbehov with a language on Tolvan; written and logged as a change', async () => {
    const em = w.t.em();
    const before = await em.count(AccessLogEntry, { person: id(DEMO.tolvan), action: AccessAction.PERSON_UPDATE });
    const r = await (
      await as('caseworker')
    ).mutate(SetFlags, {
      personId: id(DEMO.tolvan),
      input: {
        confidentialityMarking: true,
        secretPhoneNumber: true,
        needsInterpreter: true,
        interpreterLanguage: '  Arabiska ',
      },
    });
    expect(ok(r).setPersonFlags).toMatchObject({
      confidentialityMarking: true,
      secretPhoneNumber: true,
      needsInterpreter: true,
      interpreterLanguage: 'Arabiska',
      protectedIdentity: false,
    });
    const p = await fresh(DEMO.tolvan);
    expect([p.confidentialityMarking, p.secretPhoneNumber, p.needsInterpreter, p.interpreterLanguage]).toEqual([
      true,
      true,
      true,
      'Arabiska',
    ]);
    const rows = await w.t
      .em()
      .find(AccessLogEntry, { person: id(DEMO.tolvan), action: AccessAction.PERSON_UPDATE }, { populate: ['actor'] });
    expect(rows.length).toBe(before + 1);
    expect(rows.some((e) => e.actor.username === DEMO.caseworker)).toBe(true);

    // Leaving a flag out keeps it; turning the interpreter need off clears the language.
    const off = await (
      await as('caseworker')
    ).mutate(SetFlags, { personId: id(DEMO.tolvan), input: { needsInterpreter: false } });
    expect(ok(off).setPersonFlags).toMatchObject({
      confidentialityMarking: true,
      secretPhoneNumber: true,
      needsInterpreter: false,
      interpreterLanguage: null,
    });
    const back = await (
      await as('caseworker')
    ).mutate(SetFlags, {
      personId: id(DEMO.tolvan),
      input: { confidentialityMarking: false, secretPhoneNumber: false },
    });
    expect(ok(back).setPersonFlags).toMatchObject({ confidentialityMarking: false, secretPhoneNumber: false });
  });

  test('an interpreter need without a language is refused naming the field, and nothing is written', async () => {
    const r = await (
      await as('caseworker')
    ).mutate(SetFlags, { personId: id(DEMO.tolvan), input: { needsInterpreter: true, confidentialityMarking: true } });
    expect(r.codes).toEqual(['BAD_USER_INPUT']);
    expect(r.errors[0].extensions?.field).toBe('interpreterLanguage');
    expect(r.errors[0].message).toMatch(/language/);
    const p = await fresh(DEMO.tolvan);
    expect([p.needsInterpreter, p.confidentialityMarking]).toEqual([false, false]);
  });

  test.each([
    ['executor', 'FORBIDDEN'],
    ['admin', 'FORBIDDEN'],
    ['citizen', 'FORBIDDEN'],
    ['otherUnitCaseworker', 'NOT_FOUND'],
  ] as const)('as %s → %s, nothing written', async (who, code) => {
    const r = await (
      await as(who)
    ).mutate(SetFlags, { personId: id(DEMO.tolvan), input: { confidentialityMarking: true } });
    expect(r.codes).toEqual([code]);
    expect((await fresh(DEMO.tolvan)).confidentialityMarking).toBe(false);
  });

  test('the input has no Skyddad folkbokföring: a caseworker cannot set it through setPersonFlags', async () => {
    const r = await (
      await as('caseworker')
    ).mutate(SetFlags, { personId: id(DEMO.tolvan), input: { protectedIdentity: true } });
    expect(r.codes).toEqual(['BAD_USER_INPUT']);
    expect((await fresh(DEMO.tolvan)).protectedIdentity).toBe(false);
  });
});

describe('Skyddad folkbokföring: only an administrator records it', () => {
  test.each(['caseworker', 'secondCaseworker', 'executor', 'citizen'] as const)(
    '%s → FORBIDDEN, nothing written',
    async (who) => {
      const r = await (await as(who)).mutate(SetProtected, { personnummer: DEMO.tolvan, protectedIdentity: true });
      expect(r.codes).toEqual(['FORBIDDEN']);
      expect((await fresh(DEMO.tolvan)).protectedIdentity).toBe(false);
    },
  );

  test('the administrator sets it by personnummer (any format); it is enforced at once and logged', async () => {
    const admin = await as('admin');
    expect(
      ok(await admin.mutate(SetProtected, { personnummer: '19121212-1212', protectedIdentity: true }))
        .setProtectedIdentity,
    ).toBe(true);
    const adminId = (await w.t.em().findOneOrFail(Staff, { username: DEMO.admin })).id;
    expect(
      await w.t
        .em()
        .count(AccessLogEntry, { person: id(DEMO.tolvan), actor: adminId, action: AccessAction.PERSON_UPDATE }),
    ).toBe(1);
    // Marita is Tolvan's own caseworker and still sees the details; the executor no longer does.
    expect(ok(await (await as('caseworker')).query(PersonQ, { id: id(DEMO.tolvan) })).person).toMatchObject({
      protectedIdentity: true,
      contactDetailsHidden: false,
      mobile: '+46701234567',
    });
    expect(ok(await (await as('executor')).query(PersonQ, { id: id(DEMO.tolvan) })).person).toMatchObject({
      protectedIdentity: true,
      contactDetailsHidden: true,
      phoneNumbersHidden: true,
      mobile: null,
      email: null,
    });
    expect(
      ok(await admin.mutate(SetProtected, { personnummer: DEMO.tolvan, protectedIdentity: false }))
        .setProtectedIdentity,
    ).toBe(false);
    const bad = await admin.mutate(SetProtected, { personnummer: '191212121213', protectedIdentity: true });
    expect(bad.codes).toEqual(['BAD_USER_INPUT']);
    const unknown = await admin.mutate(SetProtected, { personnummer: '199001012385', protectedIdentity: true });
    expect(unknown.codes).toEqual(['NOT_FOUND']);
  });
});

describe('home and work phones beside the mobile', () => {
  test('the caseworker sets them with the contact details, in any common format; a bad number names its field and writes nothing', async () => {
    const c = await as('caseworker');
    const r = await c.mutate(UpdateContact, {
      personId: id(DEMO.tolvan),
      input: { homePhone: '0121-123 45', workPhone: '08-123 456 78' },
    });
    expect(ok(r).updatePersonContactDetails).toMatchObject({
      homePhone: '+4612112345',
      workPhone: '+46812345678',
      mobile: '+46701234567',
    });
    const bad = await c.mutate(UpdateContact, {
      personId: id(DEMO.tolvan),
      input: { workPhone: '12', city: 'Norrköping' },
    });
    expect(bad.codes).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors[0].extensions?.field).toBe('workPhone');
    expect((await fresh(DEMO.tolvan)).city).toBe('Söderköping');
    // The executor may not change them.
    expect(
      (await (await as('executor')).mutate(UpdateContact, { personId: id(DEMO.tolvan), input: { homePhone: null } }))
        .codes,
    ).toEqual(['FORBIDDEN']);
  });

  test("masked like the rest for a protected identity: Sanna's own caseworker sees them, a colleague in the unit does not", async () => {
    const anna = await as('secondCaseworker');
    ok(
      await anna.mutate(UpdateContact, {
        personId: id(DEMO.protectedPerson),
        input: { homePhone: '011-12 34 56', workPhone: '011-65 43 21' },
      }),
    );
    expect(ok(await anna.query(PersonQ, { id: id(DEMO.protectedPerson) })).person).toMatchObject({
      homePhone: '+4611123456',
      workPhone: '+4611654321',
      phoneNumbersHidden: false,
    });
    expect(ok(await (await as('caseworker')).query(PersonQ, { id: id(DEMO.protectedPerson) })).person).toMatchObject({
      contactDetailsHidden: true,
      phoneNumbersHidden: true,
      mobile: null,
      homePhone: null,
      workPhone: null,
      email: null,
    });
  });
});

describe('Hemligt telefonnummer: phone numbers only to caseworkers, never to an executor; the person sees their own', () => {
  test('with the flag on Tolvan, the executor sees the person and the e-mail but no phone number; caseworkers and Tolvan see them', async () => {
    const c = await as('caseworker');
    ok(await c.mutate(UpdateContact, { personId: id(DEMO.tolvan), input: { homePhone: '0121-123 45' } }));
    const executorBefore = ok(await (await as('executor')).query(PersonQ, { id: id(DEMO.tolvan) })).person;
    expect(executorBefore).toMatchObject({
      phoneNumbersHidden: false,
      mobile: '+46701234567',
      homePhone: '+4612112345',
    });

    ok(await c.mutate(SetFlags, { personId: id(DEMO.tolvan), input: { secretPhoneNumber: true } }));
    expect(ok(await (await as('executor')).query(PersonQ, { id: id(DEMO.tolvan) })).person).toMatchObject({
      secretPhoneNumber: true,
      contactDetailsHidden: false,
      phoneNumbersHidden: true,
      mobile: null,
      homePhone: null,
      workPhone: null,
      email: 'tolvan.tolvansson@example.se',
    });
    for (const who of ['caseworker', 'secondCaseworker'] as const) {
      expect(ok(await (await as(who)).query(PersonQ, { id: id(DEMO.tolvan) })).person).toMatchObject({
        phoneNumbersHidden: false,
        mobile: '+46701234567',
        homePhone: '+4612112345',
      });
    }
    expect(ok(await (await as('citizen')).query(Me)).me).toMatchObject({
      secretPhoneNumber: true,
      phoneNumbersHidden: false,
      mobile: '+46701234567',
      homePhone: '+4612112345',
    });
    ok(await c.mutate(SetFlags, { personId: id(DEMO.tolvan), input: { secretPhoneNumber: false } }));
  });
});

describe('the register extract carries the new details, and a staff-made one never a secret phone number', () => {
  test("Tolvan's own extract has his phones and interpreter language; the one an administrator makes leaves the numbers out while the flag is on", async () => {
    const c = await as('caseworker');
    ok(
      await c.mutate(UpdateContact, {
        personId: id(DEMO.tolvan),
        input: { homePhone: '0121-123 45', workPhone: '08-123 456 78' },
      }),
    );
    ok(
      await c.mutate(SetFlags, {
        personId: id(DEMO.tolvan),
        input: { secretPhoneNumber: true, needsInterpreter: true, interpreterLanguage: 'Somaliska' },
      }),
    );
    const own = (await buildRegisterExtract(w.t.em(), id(DEMO.tolvan))).json.profile as Record<string, unknown>;
    expect(own).toMatchObject({
      mobile: '+46701234567',
      homePhone: '+4612112345',
      workPhone: '+46812345678',
      secretPhoneNumber: true,
      needsInterpreter: true,
      interpreterLanguage: 'Somaliska',
    });
    const staffMade = (await buildRegisterExtract(w.t.em(), id(DEMO.tolvan), { forStaff: true })).json
      .profile as Record<string, unknown>;
    expect(staffMade).toMatchObject({
      mobile: null,
      homePhone: null,
      workPhone: null,
      email: 'tolvan.tolvansson@example.se',
      note: expect.stringMatching(/Hemligt telefonnummer/),
    });
    ok(
      await c.mutate(SetFlags, {
        personId: id(DEMO.tolvan),
        input: { secretPhoneNumber: false, needsInterpreter: false },
      }),
    );
    expect((await buildRegisterExtract(w.t.em(), id(DEMO.tolvan), { forStaff: true })).json.profile).toMatchObject({
      mobile: '+46701234567',
      homePhone: '+4612112345',
    });
  });
});
