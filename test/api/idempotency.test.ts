import { randomUUID } from 'node:crypto';
import { SendMessageDocument, type SendMessageInput } from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import type { Api } from '../testkit/world';
import { makePdf, upload } from '../testkit/files';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

// sendMessage takes a client-generated idempotency key; a
// retry with the same key returns the first result and creates nothing; the
// same key with a different payload is refused (IDEMPOTENCY_KEY_REUSED).

let w: DemoWorld;
let t: TestServer;
let tolvanId: string;
let josefineId: string;
let maritaId: string;
let marita: Api;
let anna: Api;
let tolvan: Api;
let maritaToken: string;

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  tolvanId = w.personId[DEMO.tolvan];
  josefineId = w.personId[DEMO.relation];
  maritaId = w.staffId[DEMO.caseworker];
  maritaToken = await t.token.staff(DEMO.caseworker);
  marita = await w.staff(DEMO.caseworker);
  anna = await w.staff(DEMO.secondCaseworker);
  tolvan = await w.citizen(DEMO.tolvan);
});
afterAll(() => w.close());

const TABLES = [
  'send_request',
  'conversation',
  'conversation_participant',
  'message',
  'message_recipient',
  'message_event',
  'attachment',
  'access_log_entry',
] as const;

/** Row counts of every table a send writes to. */
async function snapshot(): Promise<Record<string, number>> {
  const [row] = await t
    .em()
    .getConnection()
    .execute(`select ${TABLES.map((n) => `(select count(*)::int from ${n}) as ${n}`).join(', ')}`);
  return row;
}

const input = (overrides: Partial<SendMessageInput> = {}): SendMessageInput => ({
  idempotencyKey: randomUUID(),
  to: { personIds: [tolvanId] },
  subject: 'Kallelse till möte',
  body: '<p>Välkommen på torsdag kl 14.</p>',
  ...overrides,
});

const ids = (r: { data?: { sendMessage: { id: string; conversationId: string }[] } }) =>
  r.data!.sendMessage.map((m) => [m.id, m.conversationId]);

test('a retry with the same key returns the same messages and creates nothing', async () => {
  const first = await marita.mutate(SendMessageDocument, {
    input: input({ idempotencyKey: 'retry-0001', to: { personIds: [tolvanId, josefineId] } }),
  });
  expect(first.codes).toEqual([]);
  expect(first.data!.sendMessage).toHaveLength(2);
  const after = await snapshot();

  for (let i = 0; i < 3; i++) {
    const retry = await marita.mutate(SendMessageDocument, {
      input: input({ idempotencyKey: 'retry-0001', to: { personIds: [tolvanId, josefineId] } }),
    });
    expect(retry.codes).toEqual([]);
    expect(ids(retry)).toEqual(ids(first));
    expect(retry.data!.sendMessage.map((m) => m.subject)).toEqual(['Kallelse till möte', 'Kallelse till möte']);
  }
  expect(await snapshot()).toEqual(after);
});

test('a retry of a send with an attachment returns the first result, not "attachment already sent"', async () => {
  const up = await upload(t.url.replace(/\/graphql$/, ''), maritaToken, await makePdf('Beslut'), 'beslut.pdf');
  const send = input({ attachmentIds: [up.body.id] });
  const first = await marita.mutate(SendMessageDocument, { input: send });
  expect(first.codes).toEqual([]);
  const after = await snapshot();
  const retry = await marita.mutate(SendMessageDocument, { input: send });
  expect(retry.codes).toEqual([]);
  expect(ids(retry)).toEqual(ids(first));
  expect(retry.data!.sendMessage[0].attachments.map((a) => a.id)).toEqual([up.body.id]);
  expect(await snapshot()).toEqual(after);
});

describe('the same key with a different payload: IDEMPOTENCY_KEY_REUSED, nothing written', () => {
  const key = 'reused-key-0001';
  let before: Record<string, number>;
  beforeAll(async () => {
    expect((await marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: key }) })).codes).toEqual([]);
    before = await snapshot();
  });
  afterEach(async () => {
    expect(await snapshot()).toEqual(before);
  });

  test.each<[string, () => Partial<SendMessageInput>]>([
    ['another body', () => ({ body: '<p>Välkommen på fredag i stället.</p>' })],
    ['another subject', () => ({ subject: 'Ny tid' })],
    ['other recipients', () => ({ to: { personIds: [josefineId] } })],
    ['a read receipt asked', () => ({ readReceiptRequested: true })],
  ])('%s', async (_what, change) => {
    const res = await marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: key, ...change() }) });
    expect(res.codes).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(res.errors[0].extensions).toMatchObject({ field: 'idempotencyKey' });
    expect(res.data?.sendMessage).toBeFalsy();
  });

  test('a reply may not reuse the key of a send', async () => {
    const [sent] = (await tolvan.query(citizen.ConversationsDocument, {})).data!.conversations.nodes;
    const convo = await tolvan.query(citizen.ConversationDocument, { id: sent.id });
    const reply = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: convo.data!.conversation.messages[0].id,
      input: { idempotencyKey: 'tolvans-key-1', body: 'Tack!' },
    });
    expect(reply.codes).toEqual([]);
    before = await snapshot();
    const send = await tolvan.mutate(citizen.SendMessageDocument, {
      input: { idempotencyKey: 'tolvans-key-1', to: { staffIds: [maritaId] }, subject: 'Fråga', body: 'Tack!' },
    });
    expect(send.codes).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });
});

test('the same key used by another user is independent', async () => {
  const key = 'shared-key-0001';
  const mine = await marita.mutate(SendMessageDocument, {
    input: input({ idempotencyKey: key, to: { staffIds: [maritaId] }, subject: 'Till mig själv' }),
  });
  expect(mine.codes).toEqual([]);
  const before = await snapshot();
  const theirs = await anna.mutate(SendMessageDocument, {
    input: input({ idempotencyKey: key, to: { staffIds: [maritaId] }, subject: 'Från Anna' }),
  });
  expect(theirs.codes).toEqual([]);
  expect(theirs.data!.sendMessage[0].id).not.toBe(mine.data!.sendMessage[0].id);
  expect(theirs.data!.sendMessage[0].sender.name).toBe('Anna Ekholm');
  const after = await snapshot();
  expect(after.message).toBe(before.message + 1);
  expect(after.send_request).toBe(before.send_request + 1);
});

test('concurrent sends with the same key produce exactly one message, and all answer it', async () => {
  const send = input({ idempotencyKey: `concurrent-${randomUUID()}` });
  const before = await snapshot();
  const clients = await Promise.all([1, 2, 3, 4, 5].map(() => w.staff(DEMO.caseworker)));
  const results = await Promise.all(clients.map((c) => c.mutate(SendMessageDocument, { input: send })));
  for (const r of results) expect(r.codes).toEqual([]);
  expect(new Set(results.map((r) => JSON.stringify(ids(r)))).size).toBe(1);
  const after = await snapshot();
  expect(after.message).toBe(before.message + 1);
  expect(after.conversation).toBe(before.conversation + 1);
  expect(after.send_request).toBe(before.send_request + 1);
});

test('concurrent sends with the same key and different payloads: one is sent, the others are refused', async () => {
  const key = `race-${randomUUID()}`;
  const before = await snapshot();
  const results = await Promise.all(
    ['Ett', 'Två', 'Tre', 'Fyra'].map((subject) =>
      marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: key, subject }) }),
    ),
  );
  const sent = results.filter((r) => r.codes.length === 0);
  expect(sent).toHaveLength(1);
  expect(results.filter((r) => r.codes[0] === 'IDEMPOTENCY_KEY_REUSED')).toHaveLength(3);
  expect((await snapshot()).message).toBe(before.message + 1);
});

test('a send that fails writes no key, so the corrected send can use it', async () => {
  const before = await snapshot();
  const stranger = w.personId[DEMO.otherUnitPerson];
  const refused = await marita.mutate(SendMessageDocument, {
    input: input({ idempotencyKey: 'fix-and-retry-1', to: { personIds: [stranger] } }),
  });
  expect(refused.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
  expect(await snapshot()).toEqual(before);
  const fixed = await marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: 'fix-and-retry-1' }) });
  expect(fixed.codes).toEqual([]);
});

test('replies are idempotent too', async () => {
  const [sent] = (await marita.mutate(SendMessageDocument, { input: input() })).data!.sendMessage;
  const reply = { messageId: sent.id, input: { idempotencyKey: randomUUID(), body: 'Jag kommer.' } };
  const first = await tolvan.mutate(citizen.ReplyToMessageDocument, reply);
  expect(first.codes).toEqual([]);
  const before = await snapshot();
  const retry = await tolvan.mutate(citizen.ReplyToMessageDocument, reply);
  expect(retry.data!.replyToMessage.id).toBe(first.data!.replyToMessage.id);
  expect(await snapshot()).toEqual(before);
  const changed = await tolvan.mutate(citizen.ReplyToMessageDocument, {
    ...reply,
    input: { ...reply.input, body: 'Jag kommer inte.' },
  });
  expect(changed.codes).toEqual(['IDEMPOTENCY_KEY_REUSED']);
});

test.each([
  ['too short', 'abc1234'],
  ['empty', ''],
  ['blank', '          '],
  ['with spaces', 'my key with spaces'],
  ['too long', 'k'.repeat(101)],
  ['with non-ASCII letters', 'nyckel-åäö-1'],
  ['with a slash', 'abc/def/ghi'],
])('an invalid key (%s) is refused: BAD_USER_INPUT on idempotencyKey, nothing written', async (_what, key) => {
  const before = await snapshot();
  const res = await marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: key }) });
  expect(res.codes).toEqual(['BAD_USER_INPUT']);
  expect(res.errors[0].extensions).toMatchObject({ field: 'idempotencyKey' });
  expect(await snapshot()).toEqual(before);
});

test('keys of 8 and 100 characters are accepted', async () => {
  for (const key of ['abcd-123', 'K'.repeat(100)]) {
    expect((await marita.mutate(SendMessageDocument, { input: input({ idempotencyKey: key }) })).codes).toEqual([]);
  }
});
