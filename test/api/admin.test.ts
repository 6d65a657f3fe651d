import { randomUUID } from 'node:crypto';
import {
  AccessLogDocument,
  AddSharedMailboxMemberDocument,
  CreateSharedMailboxDocument,
  CreateStaffDocument,
  CreateUnitDocument,
  RemoveSharedMailboxMemberDocument,
  SharedMailboxesDocument,
  StaffMeDocument,
  StaffMembersDocument,
  UnitsDocument,
  UpdateStaffDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { SharedMailbox, SharedMailboxMember } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { apiAs, type ApiResult } from '../testkit/api';
import type { TestServer } from '../testkit/server';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let staffIds: Record<string, string>;
let ifoUnit: string;
let mailbox: string;
const as = (who: Caller) => w.as(who);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  staffIds = w.staffId;
  ifoUnit = w.unitId['IFO Vuxen – Försörjningsstöd'];
  mailbox = w.mailboxId;
});
afterAll(() => w.close());

function expectDenied(r: ApiResult<unknown>, code: string, field?: string) {
  expect(r.codes).toEqual([code]);
  expect(r.data ?? null).toBeNull();
  if (field) expect(r.errors[0].extensions?.field).toBe(field);
}

let n = 0;
const ops: Record<string, (c: ReturnType<typeof apiAs>) => Promise<ApiResult<unknown>>> = {
  staffMe: (c) => c.query(StaffMeDocument),
  sharedMailboxes: (c) => c.query(SharedMailboxesDocument),
  staffMembers: (c) => c.query(StaffMembersDocument),
  createStaff: (c) =>
    c.mutate(CreateStaffDocument, {
      input: { username: `matrix${++n}`, givenName: 'M', familyName: 'Atris', role: 'EXECUTOR', unitId: ifoUnit },
    }),
  updateStaff: (c) =>
    c.mutate(UpdateStaffDocument, { id: staffIds[DEMO.executor], input: { title: 'Budget- och skuldrådgivare' } }),
  units: (c) => c.query(UnitsDocument),
  createUnit: (c) => c.mutate(CreateUnitDocument, { name: `Enhet ${++n}`, municipality: 'Söderköpings kommun' }),
  createSharedMailbox: (c) => c.mutate(CreateSharedMailboxDocument, { name: `Brevlåda ${++n}`, unitId: ifoUnit }),
  addSharedMailboxMember: (c) =>
    c.mutate(AddSharedMailboxMemberDocument, { mailboxId: mailbox, staffId: staffIds[DEMO.caseworker] }),
  removeSharedMailboxMember: (c) =>
    c.mutate(RemoveSharedMailboxMemberDocument, { mailboxId: mailbox, staffId: staffIds[DEMO.otherUnitCaseworker] }),
  accessLog: (c) => c.query(AccessLogDocument, { actorId: staffIds[DEMO.caseworker] }),
};

/**
 * What each allowed call returns, checked on every "ok" row of the matrix below: an allowed row proves the data it
 * gets back, not only that there was no error. `n` is the serial the call just used for its new name.
 */
const returns: Record<string, (data: any, who: Caller) => void> = {
  staffMe: (data, who) =>
    expect(data.staffMe).toMatchObject({
      id: staffIds[DEMO[who as Exclude<Caller, 'citizen'>]],
      username: DEMO[who as Exclude<Caller, 'citizen'>],
    }),
  // All of them for administrators; for other staff the ones they are a member of (Marita is; Bo and Per are in none).
  sharedMailboxes: (data, who) => {
    if (who === 'otherUnitCaseworker' || who === 'executor') return expect(data.sharedMailboxes).toEqual([]);
    expect(data.sharedMailboxes).toContainEqual(
      expect.objectContaining({
        id: mailbox,
        name: 'Försörjningsstöd mottagning',
        unit: expect.objectContaining({ id: ifoUnit }),
      }),
    );
  },
  staffMembers: (data) =>
    expect(data.staffMembers).toContainEqual(
      expect.objectContaining({ id: staffIds[DEMO.executor], username: DEMO.executor, role: 'EXECUTOR' }),
    ),
  createStaff: (data) =>
    expect(data.createStaff).toMatchObject({
      username: `matrix${n}`,
      name: 'M Atris',
      role: 'EXECUTOR',
      active: true,
      unit: { id: ifoUnit },
    }),
  updateStaff: (data) =>
    expect(data.updateStaff).toMatchObject({ id: staffIds[DEMO.executor], title: 'Budget- och skuldrådgivare' }),
  units: (data) =>
    expect(data.units).toContainEqual(expect.objectContaining({ id: ifoUnit, name: 'IFO Vuxen – Försörjningsstöd' })),
  createUnit: (data) =>
    expect(data.createUnit).toEqual({
      id: expect.any(String),
      name: `Enhet ${n}`,
      municipality: 'Söderköpings kommun',
    }),
  createSharedMailbox: (data) =>
    expect(data.createSharedMailbox).toEqual({ id: expect.any(String), name: `Brevlåda ${n}`, unit: { id: ifoUnit } }),
  addSharedMailboxMember: (data) => {
    expect(data.addSharedMailboxMember.id).toBe(mailbox);
    expect(data.addSharedMailboxMember.members).toContainEqual(
      expect.objectContaining({ id: staffIds[DEMO.caseworker] }),
    );
  },
  removeSharedMailboxMember: (data) => {
    expect(data.removeSharedMailboxMember.id).toBe(mailbox);
    expect(data.removeSharedMailboxMember.members.map((m: { id: string }) => m.id)).not.toContain(
      staffIds[DEMO.otherUnitCaseworker],
    );
  },
  // Filtered by actor: every entry listed is Marita's.
  accessLog: (data) =>
    expect(data.accessLog.nodes.map((e: { actor: { id: string } }) => e.actor.id)).toEqual(
      data.accessLog.nodes.map(() => staffIds[DEMO.caseworker]),
    ),
};

describe('authorization matrix: staff and administration', () => {
  const staffOnly = ['staffMe', 'sharedMailboxes'];
  const rows: [string, Caller, 'ok' | 'FORBIDDEN'][] = [];
  for (const op of Object.keys(ops)) {
    for (const who of ['caseworker', 'otherUnitCaseworker', 'executor', 'admin', 'citizen'] as Caller[]) {
      const allowed = staffOnly.includes(op) ? who !== 'citizen' : who === 'admin';
      rows.push([op, who, allowed ? 'ok' : 'FORBIDDEN']);
    }
  }
  test.each(rows)('%s as %s → %s', async (op, who, outcome) => {
    const r = await ops[op](await as(who));
    if (outcome === 'ok') {
      expect(r.errors).toEqual([]);
      expect(r.data).toBeDefined();
      returns[op](r.data, who);
    } else expectDenied(r, 'FORBIDDEN');
  });

  test('refused administration writes nothing', async () => {
    const em = t.em();
    const before = [
      await em.count(Staff, {}),
      await em.count(Unit, {}),
      await em.count(SharedMailbox, {}),
      await em.count(SharedMailboxMember, {}),
    ];
    for (const who of ['caseworker', 'executor', 'citizen'] as const) {
      const c = await as(who);
      for (const op of [
        'createStaff',
        'createUnit',
        'createSharedMailbox',
        'addSharedMailboxMember',
        'removeSharedMailboxMember',
      ])
        await ops[op](c);
      await c.mutate(AddSharedMailboxMemberDocument, {
        mailboxId: mailbox,
        staffId: staffIds[DEMO.otherUnitCaseworker],
      });
      await c.mutate(RemoveSharedMailboxMemberDocument, {
        mailboxId: mailbox,
        staffId: staffIds[DEMO.secondCaseworker],
      });
    }
    const em2 = t.em();
    expect([
      await em2.count(Staff, {}),
      await em2.count(Unit, {}),
      await em2.count(SharedMailbox, {}),
      await em2.count(SharedMailboxMember, {}),
    ]).toEqual(before);
  });
});

describe('staffMe and sharedMailboxes', () => {
  test('staffMe is the signed-in staff member with their unit', async () => {
    const r = await (await as('caseworker')).query(StaffMeDocument);
    expect(r.data?.staffMe).toMatchObject({
      username: DEMO.caseworker,
      name: 'Marita Aronsson',
      role: 'CASEWORKER',
      unit: { id: ifoUnit },
    });
  });

  test('staff see the shared mailboxes they are members of; administrators see all', async () => {
    const names = async (who: Caller) =>
      (await (await as(who)).query(SharedMailboxesDocument)).data!.sharedMailboxes.map((m) => m.name);
    expect(await names('caseworker')).toEqual(['Försörjningsstöd mottagning']);
    expect(await names('otherUnitCaseworker')).toEqual([]);
    expect(await names('executor')).toEqual([]);
    expect(await names('admin')).toEqual(expect.arrayContaining(['Försörjningsstöd mottagning']));
  });
});

describe('staff administration', () => {
  test('create a staff member, who can then sign in in their role', async () => {
    const admin = await as('admin');
    const r = await admin.mutate(CreateStaffDocument, {
      input: {
        username: ' NyHandl01 ',
        givenName: 'Ny',
        familyName: 'Handläggare',
        title: 'Socialsekreterare',
        role: 'CASEWORKER',
        unitId: ifoUnit,
      },
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.createStaff).toMatchObject({
      username: 'nyhandl01',
      name: 'Ny Handläggare',
      role: 'CASEWORKER',
      active: true,
      unit: { id: ifoUnit },
    });
    const me = await apiAs(t, await t.token.staff('nyhandl01')).query(StaffMeDocument);
    expect(me.data?.staffMe.username).toBe('nyhandl01');
    expect((await admin.query(StaffMembersDocument)).data?.staffMembers.map((s) => s.username)).toContain('nyhandl01');
  });

  test.each([
    ['username', { username: 'mararo01' }, 'CONFLICT'],
    ['username', { username: 'Ö' }, 'BAD_USER_INPUT'],
    ['username', { username: '  ' }, 'BAD_USER_INPUT'],
    ['givenName', { givenName: '' }, 'BAD_USER_INPUT'],
    ['familyName', { familyName: 'x'.repeat(201) }, 'BAD_USER_INPUT'],
    ['unitId', { unitId: randomUUID() }, 'BAD_USER_INPUT'],
    ['unitId', { unitId: 'no-unit' }, 'BAD_USER_INPUT'],
  ])('createStaff names the field %s (%j) with %s, and writes nothing', async (field, input, code) => {
    const before = await t.em().count(Staff, {});
    const r = await (
      await as('admin')
    ).mutate(CreateStaffDocument, {
      input: { username: 'fresh01', givenName: 'F', familyName: 'R', role: 'EXECUTOR', unitId: ifoUnit, ...input },
    });
    expectDenied(r, code, field);
    expect(await t.em().count(Staff, {})).toBe(before);
  });

  test('a disabled account is refused at once, and enabled again at once', async () => {
    const admin = await as('admin');
    const executor = await as('executor');
    expect(
      (await admin.mutate(UpdateStaffDocument, { id: staffIds[DEMO.executor], input: { active: false } })).data
        ?.updateStaff.active,
    ).toBe(false);
    expect((await executor.query(StaffMeDocument)).codes).toEqual(['UNAUTHENTICATED']);
    expect(
      (await admin.mutate(UpdateStaffDocument, { id: staffIds[DEMO.executor], input: { active: true } })).errors,
    ).toEqual([]);
    expect((await executor.query(StaffMeDocument)).data?.staffMe.username).toBe(DEMO.executor);
  });

  test('updateStaff changes role, unit and title; a role change applies to the next request', async () => {
    const admin = await as('admin');
    const otherUnit = (await t.em().findOneOrFail(Staff, staffIds[DEMO.otherUnitCaseworker], { populate: ['unit'] }))
      .unit.id;
    const id = (await t.em().findOneOrFail(Staff, { username: 'nyhandl01' })).id;
    const r = await admin.mutate(UpdateStaffDocument, {
      id,
      input: { role: 'EXECUTOR', unitId: otherUnit, title: null },
    });
    expect(r.errors).toEqual([]);
    expect(r.data?.updateStaff).toMatchObject({ role: 'EXECUTOR', title: null, unit: { id: otherUnit } });
    const me = await apiAs(t, await t.token.staff('nyhandl01')).query(StaffMeDocument);
    expect(me.data?.staffMe).toMatchObject({ role: 'EXECUTOR', unit: { id: otherUnit } });
  });

  test('updateStaff on an unknown or malformed id is NOT_FOUND; a bad unit names unitId', async () => {
    const admin = await as('admin');
    expectDenied(await admin.mutate(UpdateStaffDocument, { id: randomUUID(), input: { title: 'x' } }), 'NOT_FOUND');
    expectDenied(await admin.mutate(UpdateStaffDocument, { id: 'x', input: { title: 'x' } }), 'NOT_FOUND');
    expectDenied(
      await admin.mutate(UpdateStaffDocument, { id: staffIds[DEMO.executor], input: { unitId: randomUUID() } }),
      'BAD_USER_INPUT',
      'unitId',
    );
  });

  test('administrators cannot disable themselves or drop their own administrator role; the error names the field', async () => {
    const admin = await as('admin');
    expectDenied(
      await admin.mutate(UpdateStaffDocument, { id: staffIds[DEMO.admin], input: { active: false } }),
      'BAD_USER_INPUT',
      'active',
    );
    expectDenied(
      await admin.mutate(UpdateStaffDocument, { id: staffIds[DEMO.admin], input: { role: 'CASEWORKER' } }),
      'BAD_USER_INPUT',
      'role',
    );
    const self = await t.em().findOneOrFail(Staff, staffIds[DEMO.admin]);
    expect([self.active, self.role]).toEqual([true, 'ADMIN']);
  });
});

describe('units and shared mailboxes', () => {
  test('create a unit; a taken name is CONFLICT on field name; blanks are BAD_USER_INPUT', async () => {
    const admin = await as('admin');
    const r = await admin.mutate(CreateUnitDocument, { name: ' Familjerätt ', municipality: 'Söderköpings kommun' });
    expect(r.data?.createUnit).toMatchObject({ name: 'Familjerätt', municipality: 'Söderköpings kommun' });
    expect((await admin.query(UnitsDocument)).data?.units.map((u) => u.name)).toContain('Familjerätt');
    expectDenied(
      await admin.mutate(CreateUnitDocument, { name: 'Familjerätt', municipality: 'X' }),
      'CONFLICT',
      'name',
    );
    expectDenied(await admin.mutate(CreateUnitDocument, { name: ' ', municipality: 'X' }), 'BAD_USER_INPUT', 'name');
    expectDenied(
      await admin.mutate(CreateUnitDocument, { name: 'Y', municipality: '' }),
      'BAD_USER_INPUT',
      'municipality',
    );
  });

  test('create a shared mailbox, add and remove members; membership shows to the member at once', async () => {
    const admin = await as('admin');
    const created = await admin.mutate(CreateSharedMailboxDocument, {
      name: 'Barn och unga mottagning',
      unitId: ifoUnit,
    });
    expect(created.errors).toEqual([]);
    const id = created.data!.createSharedMailbox.id;
    expectDenied(
      await admin.mutate(CreateSharedMailboxDocument, { name: 'Barn och unga mottagning', unitId: ifoUnit }),
      'CONFLICT',
      'name',
    );
    expectDenied(
      await admin.mutate(CreateSharedMailboxDocument, { name: 'Z', unitId: randomUUID() }),
      'BAD_USER_INPUT',
      'unitId',
    );

    const bo = await as('otherUnitCaseworker');
    const add = await admin.mutate(AddSharedMailboxMemberDocument, {
      mailboxId: id,
      staffId: staffIds[DEMO.otherUnitCaseworker],
    });
    expect(add.data?.addSharedMailboxMember.members.map((m) => m.username)).toEqual([DEMO.otherUnitCaseworker]);
    const again = await admin.mutate(AddSharedMailboxMemberDocument, {
      mailboxId: id,
      staffId: staffIds[DEMO.otherUnitCaseworker],
    });
    expect(again.data?.addSharedMailboxMember.members).toHaveLength(1);
    expect((await bo.query(SharedMailboxesDocument)).data?.sharedMailboxes.map((m) => m.name)).toEqual([
      'Barn och unga mottagning',
    ]);

    const removed = await admin.mutate(RemoveSharedMailboxMemberDocument, {
      mailboxId: id,
      staffId: staffIds[DEMO.otherUnitCaseworker],
    });
    expect(removed.data?.removeSharedMailboxMember.members).toEqual([]);
    expect((await bo.query(SharedMailboxesDocument)).data?.sharedMailboxes).toEqual([]);
  });

  test('membership of an unknown mailbox is NOT_FOUND; of an unknown staff member BAD_USER_INPUT on staffId', async () => {
    const admin = await as('admin');
    expectDenied(
      await admin.mutate(AddSharedMailboxMemberDocument, {
        mailboxId: randomUUID(),
        staffId: staffIds[DEMO.caseworker],
      }),
      'NOT_FOUND',
    );
    expectDenied(
      await admin.mutate(RemoveSharedMailboxMemberDocument, { mailboxId: 'nope', staffId: staffIds[DEMO.caseworker] }),
      'NOT_FOUND',
    );
    expectDenied(
      await admin.mutate(AddSharedMailboxMemberDocument, { mailboxId: mailbox, staffId: randomUUID() }),
      'BAD_USER_INPUT',
      'staffId',
    );
  });
});
