import { randomUUID } from 'node:crypto';
import * as citizen from '../../clients/citizen/src';
import {
  ContactListsDocument,
  ConversationDocument,
  DeleteContactListDocument,
  DeleteDraftDocument,
  DraftsDocument,
  MailboxSettingsDocument,
  SaveContactListDocument,
  SaveDraftDocument,
  SendDraftDocument,
  SendMessageDocument,
  UpdateMailboxSettingsDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Draft } from '../../src/entities/draft';
import { Staff, StaffRole } from '../../src/entities/staff';
import { key } from '../testkit/messaging';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let person: Record<string, string>;
let staff: Record<string, string>;
let mailboxId: string;

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  person = w.personId;
  staff = w.staffId;
  mailboxId = w.mailboxId;
});
afterAll(() => w.close());

const asStaff = (username: string) => w.staff(username);
const asCitizen = (pnr: string) => w.citizen(pnr);

describe('drafts (utkast)', () => {
  test('save returns savedAt, an update keeps the id and moves savedAt on; the list shows the latest state', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const first = await marita.mutate(SaveDraftDocument, {
      input: { subject: 'Kallel', to: { personIds: [person[DEMO.tolvan]] } },
    });
    expect(first.codes).toEqual([]);
    const { id, savedAt } = first.data!.saveDraft;
    expect(new Date(savedAt).getTime()).not.toBeNaN();

    const second = await marita.mutate(SaveDraftDocument, {
      input: { draftId: id, subject: 'Kallelse till möte', body: '<p>Hej <script>x()</script>Tolvan</p>' },
    });
    expect(second.codes).toEqual([]);
    expect(second.data!.saveDraft.id).toBe(id);
    expect(new Date(second.data!.saveDraft.savedAt).getTime()).toBeGreaterThan(new Date(savedAt).getTime());
    expect(second.data!.saveDraft.bodyHtml).toBe('<p>Hej Tolvan</p>');
    expect(second.data!.saveDraft.to.parties.map((p) => p.id)).toEqual([person[DEMO.tolvan]]);

    const list = await marita.query(DraftsDocument, {});
    const mine = list.data!.drafts.nodes.find((d) => d.id === id)!;
    expect(mine).toMatchObject({ subject: 'Kallelse till möte', savedAt: second.data!.saveDraft.savedAt });
  });

  test('sending a draft delivers it as saved and removes the draft', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const saved = await marita.mutate(SaveDraftDocument, {
      input: {
        subject: 'Från utkast',
        body: '<p>Utkastets text</p>',
        to: { personIds: [person[DEMO.tolvan]] },
        readReceiptRequested: true,
      },
    });
    const draftId = saved.data!.saveDraft.id;
    const sent = await marita.mutate(SendDraftDocument, { draftId, idempotencyKey: key() });
    expect(sent.codes).toEqual([]);
    const [message] = sent.data!.sendDraft;
    expect(message).toMatchObject({ subject: 'Från utkast', bodyText: 'Utkastets text', readReceiptRequested: true });
    expect((await marita.query(DraftsDocument, {})).data!.drafts.nodes.map((d) => d.id)).not.toContain(draftId);
    const seen = await (
      await asCitizen(DEMO.tolvan)
    ).query(citizen.ConversationDocument, { id: message.conversationId });
    expect(seen.data!.conversation.messages.map((m) => m.bodyText)).toEqual(['Utkastets text']);
  });

  test('a draft whose send is refused stays, and nothing is sent', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const saved = await marita.mutate(SaveDraftDocument, {
      input: { subject: 'Fel mottagare', body: '<p>x</p>', to: { personIds: [person[DEMO.otherUnitPerson]] } },
    });
    const draftId = saved.data!.saveDraft.id;
    const sent = await marita.mutate(SendDraftDocument, { draftId, idempotencyKey: key() });
    expect(sent.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
    expect(await t.em().count(Draft, { id: draftId })).toBe(1);
  });

  test('a reply draft is sent in its conversation', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const original = (
      await marita.mutate(SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { personIds: [person[DEMO.tolvan]] },
          subject: 'Tråd',
          body: '<p>Första</p>',
        },
      })
    ).data!.sendMessage[0];
    const tolvan = await asCitizen(DEMO.tolvan);
    const draft = await tolvan.mutate(citizen.SaveDraftDocument, {
      input: { replyToMessageId: original.id, body: '<p>Mitt svar</p>' },
    });
    expect(draft.codes).toEqual([]);
    const sent = await tolvan.mutate(citizen.SendDraftDocument, {
      draftId: draft.data!.saveDraft.id,
      idempotencyKey: key(),
    });
    expect(sent.codes).toEqual([]);
    expect(sent.data!.sendDraft[0]).toMatchObject({
      conversationId: original.conversationId,
      inReplyToId: original.id,
      subject: 'SV: Tråd',
    });
    expect((await tolvan.query(citizen.DraftsDocument, {})).data!.drafts.nodes).toEqual([]);
  });

  test('delete removes the draft; deleting it again is NOT_FOUND', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const draftId = (await marita.mutate(SaveDraftDocument, { input: { subject: 'Slängs' } })).data!.saveDraft.id;
    const deleted = await marita.mutate(DeleteDraftDocument, { draftId });
    expect(deleted.data!.deleteDraft).toBe(true);
    expect((await marita.query(DraftsDocument, {})).data!.drafts.nodes.map((d) => d.id)).not.toContain(draftId);
    expect((await marita.mutate(DeleteDraftDocument, { draftId })).codes).toEqual(['NOT_FOUND']);
  });

  test("another user's draft is NOT_FOUND for reading, updating, sending and deleting, and stays untouched", async () => {
    const marita = await asStaff(DEMO.caseworker);
    const draftId = (
      await marita.mutate(SaveDraftDocument, {
        input: { subject: 'Maritas utkast', to: { personIds: [person[DEMO.tolvan]] } },
      })
    ).data!.saveDraft.id;
    for (const other of [await asStaff(DEMO.secondCaseworker), await asCitizen(DEMO.tolvan)]) {
      expect((await other.query(DraftsDocument, {})).data!.drafts.nodes.map((d) => d.id)).not.toContain(draftId);
      expect(
        (await other.mutate(SaveDraftDocument, { draftId, input: { draftId, subject: 'Kapat' } } as never)).codes,
      ).toEqual(['NOT_FOUND']);
      expect((await other.mutate(SendDraftDocument, { draftId, idempotencyKey: key() })).codes).toEqual(['NOT_FOUND']);
      expect((await other.mutate(DeleteDraftDocument, { draftId })).codes).toEqual(['NOT_FOUND']);
    }
    const still = await t.em().findOneOrFail(Draft, draftId);
    expect(still.subject).toBe('Maritas utkast');
  });

  test("a reply draft to someone else's conversation is NOT_FOUND", async () => {
    const marita = await asStaff(DEMO.caseworker);
    const original = (
      await marita.mutate(SendMessageDocument, {
        input: { idempotencyKey: key(), to: { personIds: [person[DEMO.tolvan]] }, subject: 'Privat', body: '<p>x</p>' },
      })
    ).data!.sendMessage[0];
    const josefine = await asCitizen(DEMO.relation);
    expect(
      (await josefine.mutate(citizen.SaveDraftDocument, { input: { replyToMessageId: original.id, body: 'x' } })).codes,
    ).toEqual(['NOT_FOUND']);
  });

  test('a draft from a shared mailbox one is not a member of, or about a case that does not exist, is NOT_FOUND on its field', async () => {
    const bo = await asStaff(DEMO.otherUnitCaseworker);
    for (const input of [
      { fromSharedMailboxId: mailboxId },
      { fromSharedMailboxId: randomUUID() },
      { caseId: randomUUID() },
    ]) {
      const r = await bo.mutate(SaveDraftDocument, { input: { subject: 'x', ...input } });
      expect(r.codes).toEqual(['NOT_FOUND']);
      expect(r.errors[0].extensions?.field).toBe(Object.keys(input)[0]);
    }
    const marita = await asStaff(DEMO.caseworker);
    const ok = await marita.mutate(SaveDraftDocument, {
      input: { subject: 'Från brevlådan', fromSharedMailboxId: mailboxId },
    });
    expect(ok.codes).toEqual([]);
  });
});

describe('signature', () => {
  test('the signature is added only when addSignature is true, as escaped text', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const set = await marita.mutate(UpdateMailboxSettingsDocument, {
      input: { signature: 'Marita Aronsson\nSocialsekreterare <IFO>' },
    });
    expect(set.codes).toEqual([]);
    const send = (addSignature?: boolean) =>
      marita.mutate(SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.secondCaseworker]] },
          subject: 'Signatur',
          body: '<p>Hej</p>',
          addSignature,
        },
      });
    for (const flag of [undefined, false]) {
      const m = (await send(flag)).data!.sendMessage[0];
      expect(m.bodyText).toBe('Hej');
      expect(m.bodyHtml).toBe('<p>Hej</p>');
    }
    const signed = (await send(true)).data!.sendMessage[0];
    expect(signed.bodyText).toBe('Hej\n\n--\nMarita Aronsson\nSocialsekreterare <IFO>');
    expect(signed.bodyHtml).toContain('Socialsekreterare &lt;IFO&gt;');
    expect(signed.bodyHtml).not.toContain('<IFO>');
  });
});

describe('out-of-office (frånvaro)', () => {
  const away = {
    absenceEnabled: true,
    absenceReply: 'Jag är ledig till måndag. Vid brådskande ärenden, ring växeln.',
    absenceForwardToId: '',
  };

  afterAll(async () => {
    await (await asStaff(DEMO.caseworker)).mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } });
  });

  test('turning absence on without a reply text is BAD_USER_INPUT on absenceReply, and nothing changes', async () => {
    const e = t.em();
    const marita = await e.findOneOrFail(Staff, { username: DEMO.caseworker }, { populate: ['unit'] });
    e.create(Staff, {
      username: 'ledig01',
      givenName: 'Lena',
      familyName: 'Ledig',
      role: StaffRole.CASEWORKER,
      unit: marita.unit,
    });
    await e.flush();
    const lena = await asStaff('ledig01');
    for (const input of [{ absenceEnabled: true }, { absenceEnabled: true, absenceReply: '   ' }]) {
      const r = await lena.mutate(UpdateMailboxSettingsDocument, { input });
      expect(r.codes).toEqual(['BAD_USER_INPUT']);
      expect(r.errors[0].extensions!.field).toBe('absenceReply');
    }
    expect((await lena.query(MailboxSettingsDocument, {})).data!.mailboxSettings.absenceEnabled).toBe(false);
  });

  test('a message to an absent caseworker is forwarded to the shared mailbox, with one automatic reply per conversation per absence', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const on = await marita.mutate(UpdateMailboxSettingsDocument, {
      input: { ...away, absenceForwardToId: mailboxId },
    });
    expect(on.codes).toEqual([]);
    expect(on.data!.updateMailboxSettings).toMatchObject({ absenceEnabled: true, absenceForwardTo: { id: mailboxId } });

    const tolvan = await asCitizen(DEMO.tolvan);
    const first = (
      await tolvan.mutate(citizen.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.caseworker]] },
          subject: 'Hjälp',
          body: '<p>Ett</p>',
        },
      })
    ).data!.sendMessage[0];
    expect(first.recipients.map((r) => r.id).sort()).toEqual([staff[DEMO.caseworker], mailboxId].sort());
    expect(first.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['SENT', 'FORWARDED', 'AUTO_REPLIED']));

    const autoReplies = async (conversationId: string) => {
      const c = await tolvan.query(citizen.ConversationDocument, { id: conversationId });
      return c.data!.conversation.messages.filter((m) => m.isAutoReply);
    };
    const [auto] = await autoReplies(first.conversationId);
    expect(auto).toMatchObject({
      bodyText: away.absenceReply,
      subject: 'SV: Hjälp',
      sender: { id: staff[DEMO.caseworker] },
      inReplyToId: first.id,
    });
    expect(auto.recipients.map((r) => r.id)).toEqual([person[DEMO.tolvan]]);

    // The mailbox's members see the forwarded conversation.
    const anna = await asStaff(DEMO.secondCaseworker);
    expect((await anna.query(ConversationDocument, { id: first.conversationId })).codes).toEqual([]);

    // A second message in the same conversation, during the same absence: no second automatic reply.
    const again = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: auto.id,
      input: { idempotencyKey: key(), body: 'Två' },
    });
    expect(again.codes).toEqual([]);
    expect(again.data!.replyToMessage.history.map((h) => h.kind)).not.toContain('AUTO_REPLIED');
    expect(await autoReplies(first.conversationId)).toHaveLength(1);

    // A new conversation during the same absence gets its own automatic reply.
    const other = (
      await tolvan.mutate(citizen.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [staff[DEMO.caseworker]] },
          subject: 'Annat',
          body: '<p>Tre</p>',
        },
      })
    ).data!.sendMessage[0];
    expect(await autoReplies(other.conversationId)).toHaveLength(1);

    // A new absence (off, then on) answers the first conversation once more.
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } })).codes).toEqual(
      [],
    );
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: true } })).codes).toEqual([]);
    const later = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: auto.id,
      input: { idempotencyKey: key(), body: 'Fyra' },
    });
    expect(later.codes).toEqual([]);
    expect(await autoReplies(first.conversationId)).toHaveLength(2);
    const last = await autoReplies(first.conversationId);
    expect(last[1].inReplyToId).toBe(later.data!.replyToMessage.id);

    // Once back, no forwarding and no automatic reply.
    expect((await marita.mutate(UpdateMailboxSettingsDocument, { input: { absenceEnabled: false } })).codes).toEqual(
      [],
    );
    const back = await tolvan.mutate(citizen.SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { staffIds: [staff[DEMO.caseworker]] },
        subject: 'Tillbaka?',
        body: '<p>Fem</p>',
      },
    });
    expect(back.data!.sendMessage[0].recipients.map((r) => r.id)).toEqual([staff[DEMO.caseworker]]);
    expect(await autoReplies(back.data!.sendMessage[0].conversationId)).toHaveLength(0);
  });
});

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

describe('HTML sanitizing of message bodies', () => {
  const cases: [string, string, string][] = [
    ['scripts are removed with their content', '<p>Hej<script>alert(document.cookie)</script> då</p>', '<p>Hej då</p>'],
    ['event handlers are removed', '<p onclick="steal()" onmouseover="steal()">Klicka</p>', '<p>Klicka</p>'],
    [
      'style attributes (hidden text) are removed',
      '<p style="display:none">Dolt</p><p style="color:white">Vitt</p>',
      '<p>Dolt</p><p>Vitt</p>',
    ],
    ['style elements are removed with their content', '<style>p{display:none}</style><p>Syns</p>', '<p>Syns</p>'],
    [
      'remote images (tracking pixels) are removed',
      '<p>Bild<img src="http://tracker.example/p.gif" width="1"></p>',
      '<p>Bild</p>',
    ],
    [
      'javascript: links lose their target',
      '<p><a href="javascript:alert(1)">Klick</a></p>',
      '<p><a rel="noopener noreferrer nofollow" target="_blank">Klick</a></p>',
    ],
    [
      'frames and forms are removed',
      '<p>Text</p><iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="pnr"></form>',
      '<p>Text</p>',
    ],
    [
      'allowed formatting stays',
      '<h2>Rubrik</h2><p><strong>Fet</strong>, <em>kursiv</em> och <u>understruken</u><br>rad två</p><ul><li>ett</li><li>två</li></ul><blockquote>Citat</blockquote>',
      '<h2>Rubrik</h2><p><strong>Fet</strong>, <em>kursiv</em> och <u>understruken</u><br />rad två</p><ul><li>ett</li><li>två</li></ul><blockquote>Citat</blockquote>',
    ],
    [
      'https links stay and open safely',
      '<p><a href="https://www.soderkoping.se/" target="_top">Kommunen</a></p>',
      '<p><a href="https://www.soderkoping.se/" target="_blank" rel="noopener noreferrer nofollow">Kommunen</a></p>',
    ],
  ];

  test.each(cases)('%s', async (_name, body, expected) => {
    const marita = await asStaff(DEMO.caseworker);
    const r = await marita.mutate(SendMessageDocument, {
      input: { idempotencyKey: key(), to: { staffIds: [staff[DEMO.secondCaseworker]] }, subject: 'HTML', body },
    });
    expect(r.codes).toEqual([]);
    expect(r.data!.sendMessage[0].bodyHtml).toBe(expected);
  });

  test('a body that is empty once sanitized is BAD_USER_INPUT on body, and nothing is sent', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const r = await marita.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { staffIds: [staff[DEMO.secondCaseworker]] },
        subject: 'Tomt',
        body: '<script>alert(1)</script><img src="http://x/y.png">',
      },
    });
    expect(r.codes).toEqual(['BAD_USER_INPUT']);
    expect(r.errors[0].extensions!.field).toBe('body');
  });
});
