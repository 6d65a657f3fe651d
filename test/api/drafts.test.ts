import { randomUUID } from 'node:crypto';
import * as citizen from '../../clients/citizen/src';
import {
  DeleteDraftDocument,
  DraftsDocument,
  SaveDraftDocument,
  SendDraftDocument,
  SendMessageDocument,
} from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Draft } from '../../src/entities/draft';
import { key } from '../testkit/messaging';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let person: Record<string, string>;
let mailboxId: string;

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  person = w.personId;
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
