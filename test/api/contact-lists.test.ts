import { ContactListsDocument, DeleteContactListDocument, SaveContactListDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let staff: Record<string, string>;
let mailboxId: string;

beforeAll(async () => {
  w = await demoWorld();
  staff = w.staffId;
  mailboxId = w.mailboxId;
});
afterAll(() => w.close());

const asStaff = (username: string) => w.staff(username);

describe('contact lists (kontaktlistor)', () => {
  test('create, list with members, replace and delete', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const created = await marita.mutate(SaveContactListDocument, {
      input: { name: 'Mottagningen', staffIds: [staff[DEMO.secondCaseworker]], sharedMailboxIds: [mailboxId] },
    });
    expect(created.codes).toEqual([]);
    const id = created.data!.saveContactList.id;
    const members = (l: { members: { id: string }[] }) => l.members.map((m) => m.id).sort();
    expect(members(created.data!.saveContactList)).toEqual([staff[DEMO.secondCaseworker], mailboxId].sort());

    const listed = (await marita.query(ContactListsDocument, {})).data!.contactLists;
    expect(listed.map((l) => [l.name, members(l)])).toEqual([
      ['Mottagningen', [staff[DEMO.secondCaseworker], mailboxId].sort()],
    ]);

    const replaced = await marita.mutate(SaveContactListDocument, {
      input: { id, name: 'Utförare', staffIds: [staff[DEMO.executor]], sharedMailboxIds: [] },
    });
    expect(replaced.codes).toEqual([]);
    expect(replaced.data!.saveContactList.id).toBe(id);
    const afterReplace = (await marita.query(ContactListsDocument, {})).data!.contactLists;
    expect(afterReplace.map((l) => [l.id, l.name, members(l)])).toEqual([[id, 'Utförare', [staff[DEMO.executor]]]]);

    expect((await marita.mutate(DeleteContactListDocument, { id })).data!.deleteContactList).toBe(true);
    expect((await marita.query(ContactListsDocument, {})).data!.contactLists).toEqual([]);
    expect((await marita.mutate(DeleteContactListDocument, { id })).codes).toEqual(['NOT_FOUND']);
  });

  test("another staff member's list is NOT_FOUND and stays as it was", async () => {
    const marita = await asStaff(DEMO.caseworker);
    const id = (
      await marita.mutate(SaveContactListDocument, {
        input: { name: 'Privat lista', staffIds: [staff[DEMO.executor]], sharedMailboxIds: [] },
      })
    ).data!.saveContactList.id;
    const anna = await asStaff(DEMO.secondCaseworker);
    expect((await anna.query(ContactListsDocument, {})).data!.contactLists.map((l) => l.id)).not.toContain(id);
    expect(
      (await anna.mutate(SaveContactListDocument, { input: { id, name: 'Kapad', staffIds: [], sharedMailboxIds: [] } }))
        .codes,
    ).toEqual(['NOT_FOUND']);
    expect((await anna.mutate(DeleteContactListDocument, { id })).codes).toEqual(['NOT_FOUND']);
    const mine = (await marita.query(ContactListsDocument, {})).data!.contactLists.find((l) => l.id === id)!;
    expect([mine.name, mine.members.map((m) => m.id)]).toEqual(['Privat lista', [staff[DEMO.executor]]]);
  });

  test('two lists of one owner cannot share a name, neither when created nor when renamed (CONFLICT)', async () => {
    const anna = await asStaff(DEMO.secondCaseworker);
    const a = await anna.mutate(SaveContactListDocument, {
      input: { name: 'Lista A', staffIds: [], sharedMailboxIds: [mailboxId] },
    });
    const b = await anna.mutate(SaveContactListDocument, {
      input: { name: 'Lista B', staffIds: [], sharedMailboxIds: [mailboxId] },
    });
    expect([a.codes, b.codes]).toEqual([[], []]);
    expect(
      (await anna.mutate(SaveContactListDocument, { input: { name: 'Lista A', staffIds: [], sharedMailboxIds: [] } }))
        .codes,
    ).toEqual(['CONFLICT']);
    const rename = await anna.mutate(SaveContactListDocument, {
      input: { id: b.data!.saveContactList.id, name: 'Lista A', staffIds: [], sharedMailboxIds: [] },
    });
    expect(rename.codes).toEqual(['CONFLICT']);
    expect(rename.errors[0].extensions!.field).toBe('name');
  });

  test('unknown staff or mailboxes in a list are BAD_USER_INPUT', async () => {
    const anna = await asStaff(DEMO.secondCaseworker);
    const r = await anna.mutate(SaveContactListDocument, {
      input: { name: 'Trasig', staffIds: ['not-an-id'], sharedMailboxIds: [] },
    });
    expect(r.codes).toEqual(['BAD_USER_INPUT']);
    expect(r.errors[0].extensions!.field).toBe('staffIds');
  });
});
