import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { ConversationDocument, ConversationsDocument, PersonViewSearchDocument } from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import type { Viewer } from '../../src/auth/viewer';
import { DEMO } from '../../src/db/demo-data';
import type { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Person } from '../../src/entities/person';
import type { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { arrangeCaseload, measure as measureStatements, messagingAs, staffViewer } from '../testkit/caseload';
import { makePdf, upload } from '../testkit/files';
import { startTestServer, type TestServer } from '../testkit/server';

// STYLE: "tests count SQL statements for list queries": an inbox page and an opened conversation cost a fixed
// number of statements however many rows they carry. Counts are of every statement MikroORM sent for the request,
// from authentication to commit. The persons list too. (Sends: message-sql.test.ts.)

let t: TestServer;
let maritaToken: string;
let anna: Staff;
let marita: Staff;
let mailbox: SharedMailbox;
let tolvanId: string;
const as = (viewer: Viewer) => messagingAs(t, viewer);
const measure = <T>(fn: () => Promise<T>) => measureStatements(t, fn);

beforeAll(async () => {
  t = await startTestServer();
  ({ marita, anna, mailbox, tolvanId, maritaToken } = await arrangeCaseload(t));
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

    // The bound: at most 5. Measured: 2 at both sizes (auth; then one statement that reads the page with
    // each conversation's participants and names and its last message, and writes the access log of the
    // citizens listed; the loaders are primed with what it read). 9 before.
    expect(five.count).toBe(fifty.count);
    if (fifty.count > 5)
      throw new Error(`inbox page of 50 sent ${fifty.count} statements:\n${fifty.statements.join('\n')}`);
    // The access log is still written, one row per citizen listed.
    const [{ n }] = await t
      .em()
      .getConnection()
      .execute(
        `select count(*)::int as n from access_log_entry where action = 'CONVERSATION_LIST' and request_id is not null`,
      );
    expect(n).toBeGreaterThan(0);
  });

  test('the next page through the cursor costs the same', async () => {
    const first = await page(20);
    const next = await measure(() =>
      apiAs(t, maritaToken).query(ConversationsDocument, {
        first: 20,
        after: first.result.data!.conversations.pageInfo.endCursor,
      }),
    );
    expect(next.result.data!.conversations.nodes).toHaveLength(20);
    expect(next.count).toBe(first.count);
  });

  test("a page asking for the last messages' bodies gets them, in one statement more for 5 and for 50", async () => {
    // The page's statement reads the last message without its body (a list shows the subject); a client that
    // asks for the body gets it loaded, batched: the same body the message itself answers.
    const WithBodies = parse(`query WithBodies($first: Int) {
      conversations(first: $first) { nodes { id lastMessage { id bodyHtml bodyText } } } }`) as TypedDocumentNode<
      { conversations: { nodes: { id: string; lastMessage: { id: string; bodyHtml: string; bodyText: string } }[] } },
      { first: number }
    >;
    const bodies = (first: number) => measure(() => apiAs(t, maritaToken).query(WithBodies, { first }));
    const [five, fifty, plain] = [await bodies(5), await bodies(50), await page(50)];
    expect(fifty.result.codes).toEqual([]);
    const nodes = fifty.result.data!.conversations.nodes;
    expect(nodes).toHaveLength(50);
    const stored: { id: string; body_html: string; body_text: string }[] = await t
      .em()
      .getConnection()
      .execute(`select id, body_html, body_text from message where id in (${nodes.map(() => '?').join(', ')})`, [
        ...nodes.map((n) => n.lastMessage.id),
      ]);
    const byId = new Map(stored.map((m) => [m.id, m]));
    for (const n of nodes) {
      expect(n.lastMessage.bodyHtml).toBe(byId.get(n.lastMessage.id)!.body_html);
      expect(n.lastMessage.bodyText).toBe(byId.get(n.lastMessage.id)!.body_text);
      expect(n.lastMessage.bodyText.length).toBeGreaterThan(0);
    }
    expect(five.count).toBe(fifty.count);
    expect(fifty.count).toBe(plain.count + 1);
  });

  test("a shared mailbox's inbox and a citizen's inbox are fixed too", async () => {
    const box = async (first: number) =>
      measure(() => apiAs(t, maritaToken).query(ConversationsDocument, { sharedMailboxId: mailbox.id, first }));
    const [b5, b50] = [await box(5), await box(50)];
    expect(b50.result.data!.conversations.nodes).toHaveLength(50);
    expect(b5.count).toBe(b50.count);

    const tolvan = apiAs(t, await t.token.citizen(DEMO.tolvan));
    const own = (first: number) => measure(() => tolvan.query(citizen.ConversationsDocument, { first }));
    const [c2, c12] = [await own(2), await own(12)];
    expect(c12.result.codes).toEqual([]);
    expect(c12.result.data!.conversations.nodes).toHaveLength(12);
    // Measured: 3 for a shared mailbox (one more: the membership check), 2 for a citizen (10 and 8 before batching).
    expect(b50.count).toBeLessThanOrEqual(5);
    expect(c2.count).toBe(c12.count);
    expect(c12.count).toBeLessThanOrEqual(5);
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
    const rows: { indexname: string }[] = await t
      .em()
      .getConnection()
      .execute(`select indexname from pg_indexes where schemaname = current_schema()`);
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
      last = await as(annaV).reply(last.id, {
        idempotencyKey: randomUUID(),
        body: `Mottagningen ${i}`,
        fromSharedMailboxId: mailbox.id,
        readReceiptRequested: true,
        attachmentIds: [att.body.id],
      });
      await as(tolvanV).markRead(last.id);
      last = await as(maritaV).reply(last.id, {
        idempotencyKey: randomUUID(),
        body: `Marita ${i}`,
        readReceiptRequested: true,
      });
      await as(tolvanV).markRead(last.id);
    }
    return first.conversation.id;
  }

  test('costs the same for 4 messages and for 31', async () => {
    const short = await conversationWith(1);
    const long = await conversationWith(10);
    const open = (id: string) => measure(() => apiAs(t, maritaToken).query(ConversationDocument, { id }));
    const reads = async (): Promise<number> =>
      (
        await t
          .em()
          .getConnection()
          .execute(
            `select count(*)::int as n from access_log_entry where action = 'CONVERSATION_READ' and person_id = ?`,
            [tolvanId],
          )
      )[0].n;
    const readsBefore = await reads();
    const s = await open(short);
    // The staff read is access-logged, by the same statement that reads the conversation.
    expect(await reads()).toBe(readsBefore + 1);
    const l = await open(long);
    expect(s.result.codes).toEqual([]);
    expect(s.result.data!.conversation.messages).toHaveLength(4);
    const messages = l.result.data!.conversation.messages;
    expect(messages).toHaveLength(31);
    expect(messages[29]).toMatchObject({
      sender: { kind: 'SHARED_MAILBOX' },
      writtenBy: { name: 'Anna Ekholm' },
      attachments: [{ filename: 'bilaga 9.pdf' }],
    });
    expect(messages[30].readReceipts!.find((r) => r.recipient.kind === 'PERSON')!.readAt).not.toBeNull();
    expect(messages[30].history.map((h) => h.kind)).toEqual(['SENT', 'READ']);

    // Measured: 7 statements at both sizes (auth, viewer's mailboxes, the conversation row with its
    // participants and names and the access log in one statement; then messages, attachments, recipients,
    // history; the names are primed, and readByMe uses the mailboxes read first). 13 before batching, 8 while
    // the mailboxes were read again for readByMe.
    expect(l.count).toBe(s.count);
    if (l.count > 7)
      throw new Error(`a conversation of 31 messages sent ${l.count} statements:\n${l.statements.join('\n')}`);
  });
});

describe('the persons list', () => {
  const page = (first: number, after?: string | null) =>
    measure(() => apiAs(t, maritaToken).query(PersonViewSearchDocument, { first, after }));
  const listed = async () =>
    (
      await t
        .em()
        .getConnection()
        .execute<{ n: number }[]>(`select count(*)::int as n from access_log_entry where action = 'PERSON_LIST'`)
    )[0].n;

  test('costs the same statements for 5 and for 50 persons, the next page too, and logs each person listed', async () => {
    const before = await listed();
    const five = await page(5);
    const fifty = await page(50);
    expect(fifty.result.codes).toEqual([]);
    expect(five.result.data!.persons.nodes).toHaveLength(5);
    expect(fifty.result.data!.persons.nodes).toHaveLength(50);
    const next = await page(50, fifty.result.data!.persons.pageInfo.endCursor);
    expect(next.result.data!.persons.nodes.length).toBeGreaterThan(0);
    // Every person listed, and only those (not the one read to know whether there is a next page), is logged.
    expect(await listed()).toBe(before + 5 + 50 + next.result.data!.persons.nodes.length);

    // Measured: 2 at every size (auth; then one statement that reads the page of visible persons with whether each
    // is of the caseworker's own case, which the contact fields need, and writes the access log). 6 before
    // (a transaction around the page and the log's insert, then the contact fields' access read).
    expect(five.count).toBe(fifty.count);
    expect(next.count).toBe(fifty.count);
    if (fifty.count > 2)
      throw new Error(`a persons page of 50 sent ${fifty.count} statements:\n${fifty.statements.join('\n')}`);
  });
});
