import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { DEMO } from '../../src/db/demo-data';
import type { SharedMailbox } from '../../src/entities/shared-mailbox';
import type { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { arrangeCaseload } from '../testkit/caseload';
import { startTestServer, type TestServer } from '../testkit/server';

// The unread count an UNREAD_COUNT notice carries is kept (unread_count, with deltas the triggers of message_recipient
// write) instead of counted on each send. Whatever path changes the unread rows, and however many writers run at
// once, the count a party's latest notice carries must be the number of its unread rows.

let t: TestServer;
let maritaToken: string;
let annaToken: string;
let anna: Staff;
let mailbox: SharedMailbox;
let citizenIds: string[];

beforeAll(async () => {
  t = await startTestServer();
  ({ anna, mailbox, maritaToken, citizenIds } = await arrangeCaseload(t));
  annaToken = await t.token.staff(DEMO.secondCaseworker);
}, 120_000);
afterAll(() => t.close());

const Send = parse(
  `mutation SendForCount($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
) as TypedDocumentNode<{ sendMessage: { id: string }[] }, { input: Record<string, unknown> }>;
const Read = parse(`mutation ReadForCount($id: ID!) { markMessageRead(messageId: $id) { id } }`) as TypedDocumentNode<
  { markMessageRead: { id: string } },
  { id: string }
>;

async function send(personIds: string[]): Promise<string[]> {
  const r = await apiAs(t, maritaToken).mutate(Send, {
    input: {
      idempotencyKey: randomUUID(),
      to: { personIds, staffIds: [anna.id], sharedMailboxIds: [mailbox.id] },
      subject: 'Räkna',
      body: '<p>Hej</p>',
    },
  });
  expect(r.codes).toEqual([]);
  return r.data!.sendMessage.map((m) => m.id);
}

/** The count the party's latest UNREAD_COUNT notice carries (null: none yet), and the number of its unread rows now. */
async function counts(partyKey: string): Promise<{ notice: number | null; rows: number }> {
  const conn = t.em().getConnection();
  const [n] = await conn.execute<{ c: number }[]>(
    `select (payload->>'unreadCount')::int as c from notice where party_key = ? and kind = 'UNREAD_COUNT' order by seq desc limit 1`,
    [partyKey],
  );
  const [r] = await conn.execute<{ c: number }[]>(
    `select count(*)::int as c from message_recipient where party_key = ? and read_at is null`,
    [partyKey],
  );
  return { notice: n?.c ?? null, rows: r.c };
}

const Mailboxes = parse(`query BadgesForCount { mailboxes { mailbox { kind id } unreadCount } }`) as TypedDocumentNode<{
  mailboxes: { mailbox: { kind: string; id: string }; unreadCount: number }[];
}>;

/** Anna's mailbox badges (her own, then the shared one) as the `mailboxes` query gives them, by party key. */
async function badges(): Promise<Record<string, number>> {
  const r = await apiAs(t, annaToken).query(Mailboxes, {});
  expect(r.codes).toEqual([]);
  return Object.fromEntries(r.data!.mailboxes.map((m) => [`${m.mailbox.kind}:${m.mailbox.id}`, m.unreadCount]));
}

const citizenKey = (id: string) => `PERSON:${id}`;
const annaKey = () => `STAFF:${anna.id}`;
const mailboxKey = () => `SHARED_MAILBOX:${mailbox.id}`;

test('after sends, each recipient party’s notice carries its number of unread rows', async () => {
  const [first, second] = [await counts(citizenKey(citizenIds[0])), await counts(citizenKey(citizenIds[1]))];
  await send(citizenIds.slice(0, 3));
  await send(citizenIds.slice(0, 1));
  for (const key of [citizenKey(citizenIds[0]), citizenKey(citizenIds[1]), annaKey(), mailboxKey()]) {
    const c = await counts(key);
    expect(c.notice).toBe(c.rows);
  }
  expect((await counts(citizenKey(citizenIds[0]))).notice).toBe(first.rows + 2);
  expect((await counts(citizenKey(citizenIds[1]))).notice).toBe(second.rows + 1);
});

test('a read lowers the count the reader’s next notice carries', async () => {
  const [id] = await send(citizenIds.slice(3, 4));
  const before = await counts(annaKey());
  expect(before.notice).toBe(before.rows);
  const r = await apiAs(t, annaToken).mutate(Read, { id });
  expect(r.codes).toEqual([]);
  const after = await counts(annaKey());
  expect(after.rows).toBe(before.rows - 1);
  expect(after.notice).toBe(after.rows);
});

test('rows deleted by any path (here: a message deleted, its recipients by cascade) count from the party’s next notice, and in the staff badges at once', async () => {
  const { rows: before } = await counts(citizenKey(citizenIds[4]));
  const [doomed] = await send(citizenIds.slice(4, 5));
  await send(citizenIds.slice(4, 5));
  expect((await counts(citizenKey(citizenIds[4]))).notice).toBe(before + 2);
  await t.em().getConnection().execute(`delete from message where id = ?`, [doomed]);
  // Before any notice folds the deletion in: the staff badges (kept counts with the deltas not yet folded) are the rows.
  expect(await badges()).toEqual({
    [annaKey()]: (await counts(annaKey())).rows,
    [mailboxKey()]: (await counts(mailboxKey())).rows,
  });
  await send(citizenIds.slice(4, 5));
  const c = await counts(citizenKey(citizenIds[4]));
  expect(c.rows).toBe(before + 2);
  expect(c.notice).toBe(before + 2);
});

test('many sends and reads at once: every party’s latest notice, and every staff badge, still carries its number of unread rows', async () => {
  const targets = citizenIds.slice(10, 14);
  const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => send([targets[i % targets.length], targets[0]])));
  // Anna reads some of what she got while more is sent to her.
  await Promise.all([
    ...sent.slice(0, 6).map((ids) => apiAs(t, annaToken).mutate(Read, { id: ids[0] })),
    ...Array.from({ length: 6 }, (_, i) => send([targets[i % targets.length]])),
  ]);
  for (const key of [...targets.map(citizenKey), annaKey(), mailboxKey()]) {
    const c = await counts(key);
    expect({ key, notice: c.notice }).toEqual({ key, notice: c.rows });
  }
  expect(await badges()).toEqual({
    [annaKey()]: (await counts(annaKey())).rows,
    [mailboxKey()]: (await counts(mailboxKey())).rows,
  });
});
