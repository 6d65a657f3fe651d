import { randomUUID } from 'node:crypto';
import { ConversationDocument, ConversationsDocument, SendMessageDocument } from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import type { Viewer } from '../../src/auth/viewer';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { MessageService } from '../../src/domain/message.service';
import { Person } from '../../src/entities/person';
import { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff, StaffRole } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { makePdf, upload } from '../testkit/files';
import { addCaseHolder } from '../testkit/messaging';
import { startTestServer, type TestServer } from '../testkit/server';

// Issue 3, item 10 (STYLE: "tests count SQL statements for list queries"):
// an inbox page, a conversation and a send cost a fixed number of statements
// however many rows they carry. Counts are of every statement MikroORM sent
// for the request, from authentication to commit.

let t: TestServer;
let maritaToken: string;
let anna: Staff;
let marita: Staff;
let mailbox: SharedMailbox;
let tolvanId: string;

const staffViewer = (staff: Staff): Viewer => ({ kind: 'staff', staff, role: staff.role });
/** The messaging service as a given user, on its own EntityManager, for arranging data quickly. */
const as = (viewer: Viewer) => new MessageService(t.em(), viewer, 'arrange');

/** The statements one call sends, with the list for a failure message. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
  t.sql.reset();
  const result = await fn();
  const statements = t.sql.statements.filter((s) => /\[query\]/.test(s));
  return { result, count: statements.length, statements };
}

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  const em = t.em();
  marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
  anna = await em.findOneOrFail(Staff, { username: DEMO.secondCaseworker });
  mailbox = await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' });
  tolvanId = (await em.findOneOrFail(Person, { personnummer: DEMO.tolvan })).id;
  maritaToken = await t.token.staff(DEMO.caseworker);

  // 12 conversations with Tolvan, then 55 with other citizens, all alike:
  // Marita writes a citizen of hers (Anna and the shared mailbox copied), the
  // citizen answers.
  const tolvan = await em.findOneOrFail(Person, tolvanId);
  const citizens = [...Array.from({ length: 12 }, () => tolvan)];
  for (let i = 0; i < 55; i++) citizens.push((await addCaseHolder(t.em(), DEMO.caseworker, { givenName: `Invånare${i}` })).person);
  for (const [i, person] of citizens.entries()) {
    const [sent] = await as(staffViewer(marita)).send({
      idempotencyKey: randomUUID(),
      to: { personIds: [person.id], staffIds: [anna.id], sharedMailboxIds: [mailbox.id] },
      subject: `Ärende ${i}`,
      body: '<p>Hej! Hur går det?</p>',
      readReceiptRequested: true,
    });
    await as({ kind: 'citizen', person }).reply(sent.id, { idempotencyKey: randomUUID(), body: 'Det går bra, tack.' });
  }
}, 120_000);
afterAll(() => t.close());

describe('the inbox page (last message, unread count, participants, citizen)', () => {
  const page = (first: number) => measure(() => apiAs(t, maritaToken).query(ConversationsDocument, { first }));

  test('costs the same small number of statements for 5 and for 50 conversations', async () => {
    const five = await page(5);
    const fifty = await page(50);
    expect(five.result.codes).toEqual([]);
    expect(five.result.data!.conversations.nodes).toHaveLength(5);
    expect(fifty.result.data!.conversations.nodes).toHaveLength(50);
    const node = fifty.result.data!.conversations.nodes[49];
    expect(node.unreadCount).toBe(1);
    expect(node.lastMessage!.sender.kind).toBe('PERSON');
    expect(node.participants.map((p) => p.kind).sort()).toEqual(['PERSON', 'SHARED_MAILBOX', 'STAFF', 'STAFF']);
    expect(node.citizen!.name).toMatch(/^Invånare/);

    // Measured: 9 statements at both sizes (auth, begin, the one page query,
    // access log, commit; then participants, last messages, parties' names,
    // and the senders' names). Every last message here is the citizen's, whose name is
    // already being fetched for `citizen`, so the count does not depend on
    // which loader answers first.
    expect(five.count).toBe(fifty.count);
    if (fifty.count > 9) throw new Error(`inbox page of 50 sent ${fifty.count} statements:\n${fifty.statements.join('\n')}`);
  });

  test('the next page through the cursor costs the same', async () => {
    const first = await page(20);
    const next = await measure(() => apiAs(t, maritaToken).query(ConversationsDocument, { first: 20, after: first.result.data!.conversations.pageInfo.endCursor }));
    expect(next.result.data!.conversations.nodes).toHaveLength(20);
    expect(next.count).toBe(first.count);
  });

  test('a shared mailbox\'s inbox and a citizen\'s inbox are fixed too', async () => {
    const box = async (first: number) => measure(() => apiAs(t, maritaToken).query(ConversationsDocument, { sharedMailboxId: mailbox.id, first }));
    const [b5, b50] = [await box(5), await box(50)];
    expect(b50.result.data!.conversations.nodes).toHaveLength(50);
    expect(b5.count).toBe(b50.count);

    const tolvan = apiAs(t, await t.token.citizen(DEMO.tolvan));
    const own = (first: number) => measure(() => tolvan.query(citizen.ConversationsDocument, { first }));
    const [c2, c12] = [await own(2), await own(12)];
    expect(c12.result.codes).toEqual([]);
    expect(c12.result.data!.conversations.nodes).toHaveLength(12);
    // Measured: 10 for a shared mailbox (one more: the membership check), 8 for a citizen.
    expect(b50.count).toBeLessThanOrEqual(10);
    expect(c2.count).toBe(c12.count);
    expect(c12.count).toBeLessThanOrEqual(8);
  });

  test('unread counts messages, not deliveries: a message to Marita and her shared mailbox is one unread', async () => {
    const [node] = (await apiAs(t, maritaToken).query(ConversationsDocument, { first: 1 })).data!.conversations.nodes;
    expect(node.unreadCount).toBe(1);
    const opened = await apiAs(t, maritaToken).query(ConversationDocument, { id: node.id });
    expect(opened.codes).toEqual([]);
    expect(opened.data!.conversation.unreadCount).toBe(1);
    // In the shared mailbox both are unread: Marita's message to it and the answer.
    const box = await apiAs(t, maritaToken).query(ConversationsDocument, { sharedMailboxId: mailbox.id, first: 1 });
    expect(box.data!.conversations.nodes[0]).toMatchObject({ id: node.id, unreadCount: 2 });
  });

  test('the indexes for the inbox and unread queries exist', async () => {
    const rows: { indexname: string }[] = await t.em().getConnection().execute(`select indexname from pg_indexes where schemaname = current_schema()`);
    const names = rows.map((r) => r.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'message_recipient_unread_index',
        'conversation_participant_party_key_conversation_id_index',
        'conversation_last_message_at_id_index',
        'message_conversation_id_created_at_index',
        'message_recipient_conversation_id_index',
      ]),
    );
  });
});

describe('opening a conversation (every message with sender, recipients, receipts, attachments, history)', () => {
  /**
   * Marita writes Tolvan (Anna and the mailbox copied) with a PDF and a read
   * receipt, then `rounds` times: Tolvan answers, Anna answers from the
   * mailbox with a PDF, Marita answers; everyone reads. Every party both sends
   * and takes part, so which loader answer arrives first cannot change which
   * names are still to be fetched.
   */
  async function conversationWith(rounds: number): Promise<string> {
    const base = t.url.replace(/\/graphql$/, '');
    const annaToken = await t.token.staff(DEMO.secondCaseworker);
    const pdf = await makePdf('Bilaga');
    const upload1 = await upload(base, maritaToken, pdf, 'bilaga.pdf');
    const maritaV = staffViewer(marita);
    const annaV = staffViewer(anna);
    const tolvanV = { kind: 'citizen' as const, person: await t.em().findOneOrFail(Person, tolvanId) };
    const [first] = await as(maritaV).send({
      idempotencyKey: randomUUID(),
      to: { personIds: [tolvanId], staffIds: [anna.id], sharedMailboxIds: [mailbox.id] },
      subject: `Lång tråd ${rounds}`,
      body: '<p>Start</p>',
      readReceiptRequested: true,
      attachmentIds: [upload1.body.id],
    });
    let last = first;
    for (let i = 0; i < rounds; i++) {
      last = await as(tolvanV).reply(last.id, { idempotencyKey: randomUUID(), body: `Tolvan ${i}` });
      await as(maritaV).markRead(last.id);
      const att = await upload(base, annaToken, pdf, `bilaga ${i}.pdf`);
      last = await as(annaV).reply(last.id, { idempotencyKey: randomUUID(), body: `Mottagningen ${i}`, fromSharedMailboxId: mailbox.id, readReceiptRequested: true, attachmentIds: [att.body.id] });
      await as(tolvanV).markRead(last.id);
      last = await as(maritaV).reply(last.id, { idempotencyKey: randomUUID(), body: `Marita ${i}`, readReceiptRequested: true });
      await as(tolvanV).markRead(last.id);
    }
    return first.conversation.id;
  }

  test('costs the same for 4 messages and for 31', async () => {
    const short = await conversationWith(1);
    const long = await conversationWith(10);
    const open = (id: string) => measure(() => apiAs(t, maritaToken).query(ConversationDocument, { id }));
    const s = await open(short);
    const l = await open(long);
    expect(s.result.codes).toEqual([]);
    expect(s.result.data!.conversation.messages).toHaveLength(4);
    const messages = l.result.data!.conversation.messages;
    expect(messages).toHaveLength(31);
    expect(messages[29]).toMatchObject({ sender: { kind: 'SHARED_MAILBOX' }, writtenBy: { name: 'Anna Ekholm' }, attachments: [{ filename: 'bilaga 9.pdf' }] });
    expect(messages[30].readReceipts!.find((r) => r.recipient.kind === 'PERSON')!.readAt).not.toBeNull();
    expect(messages[30].history.map((h) => h.kind)).toEqual(['SENT', 'READ']);

    // Measured: 13 statements at both sizes (auth, begin, viewer's mailboxes,
    // the conversation row, access log, commit; then participants, messages,
    // the viewer's mailboxes again for readByMe, parties' names, attachments,
    // recipients, history).
    expect(l.count).toBe(s.count);
    if (l.count > 13) throw new Error(`a conversation of 31 messages sent ${l.count} statements:\n${l.statements.join('\n')}`);
  });
});

describe('sending', () => {
  let tenStaff: Staff[];
  beforeAll(async () => {
    const em = t.em();
    const unit = (await em.findOneOrFail(Staff, marita.id, { populate: ['unit'] })).unit;
    tenStaff = Array.from({ length: 10 }, (_, i) => em.create(Staff, { username: `sqltest${i}`, givenName: 'Kollega', familyName: `Nummer${i}`, role: StaffRole.CASEWORKER, unit }));
    await em.flush();
  });

  const send = (staffIds: string[], personIds: string[] = []) =>
    measure(() =>
      apiAs(t, maritaToken).mutate(SendMessageDocument, {
        input: { idempotencyKey: randomUUID(), to: { personIds, staffIds, sharedMailboxIds: [mailbox.id] }, subject: 'Till många', body: '<p>Hej alla</p>', readReceiptRequested: true },
      }),
    );

  test('to ten staff members and a mailbox costs no more than to two', async () => {
    const two = await send(tenStaff.slice(0, 1).map((s) => s.id));
    const eleven = await send(tenStaff.map((s) => s.id));
    expect(two.result.codes).toEqual([]);
    expect(eleven.result.codes).toEqual([]);
    expect(eleven.result.data!.sendMessage[0].recipients).toHaveLength(11);
    // Measured: 23 statements for both (auth, begin, key, staff, mailboxes,
    // out-of-office settings, one insert per table, the notices' lock, unread
    // counts and insert, key result, commit; the mailbox members to wake after
    // commit; then the answer's fields through the loaders).
    expect(eleven.count).toBe(two.count);
    if (eleven.count > 23) throw new Error(`a send to 11 sent ${eleven.count} statements:\n${eleven.statements.join('\n')}`);
  });

  test('with a citizen among them, too', async () => {
    const two = await send([tenStaff[0].id], [tolvanId]);
    const twelve = await send(tenStaff.map((s) => s.id), [tolvanId]);
    expect(twelve.result.codes).toEqual([]);
    expect(twelve.result.data!.sendMessage[0].recipients).toHaveLength(12);
    // Measured: 28 for both (the writing rules and the access log add four,
    // the notification jobs two: who wants what, and one insert of all jobs).
    expect(twelve.count).toBe(two.count);
    expect(twelve.count).toBeLessThanOrEqual(28);
  });
});
