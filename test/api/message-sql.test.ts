import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { SendMessageDocument } from '../../clients/staff/src';
import type { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff, StaffRole } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { arrangeCaseload, measure as measureStatements } from '../testkit/caseload';
import { startTestServer, type TestServer } from '../testkit/server';

// STYLE: "tests count SQL statements": a send and a reply cost a fixed number of statements however many
// recipients they have. Counts are of every statement MikroORM sent for the request, from authentication to commit.
// (The inbox and an opened conversation: conversation-sql.test.ts.)

let t: TestServer;
let maritaToken: string;
let anna: Staff;
let marita: Staff;
let mailbox: SharedMailbox;
let tolvanId: string;
let citizenIds: string[] = [];
const measure = <T>(fn: () => Promise<T>) => measureStatements(t, fn);

beforeAll(async () => {
  t = await startTestServer();
  ({ marita, anna, mailbox, tolvanId, maritaToken, citizenIds } = await arrangeCaseload(t));
}, 120_000);
afterAll(() => t.close());

/** The mutation's own work: what the sender needs back to show the sent message (its id and conversation). */
const SendOnly = parse(
  `mutation SendOnly($input: SendMessageInput!) { sendMessage(input: $input) { id conversationId } }`,
) as TypedDocumentNode<{ sendMessage: { id: string; conversationId: string }[] }, { input: Record<string, unknown> }>;
const ReplyOnly = parse(
  `mutation ReplyOnly($messageId: ID!, $input: ReplyInput!) { replyToMessage(messageId: $messageId, input: $input) { id conversationId } }`,
) as TypedDocumentNode<
  { replyToMessage: { id: string; conversationId: string } },
  { messageId: string; input: Record<string, unknown> }
>;

describe('a send in a few statements', () => {
  const sendTo = (personIds: string[], extra: Record<string, unknown> = {}) =>
    measure(() =>
      apiAs(t, maritaToken).mutate(SendOnly, {
        input: {
          idempotencyKey: randomUUID(),
          to: { personIds, staffIds: [anna.id], sharedMailboxIds: [mailbox.id] },
          subject: 'Få satser',
          body: '<p>Hej</p>',
          readReceiptRequested: true,
          ...extra,
        },
      }),
    );

  test('to 1 citizen and to 10 citizens (each in their own conversation, Anna and the mailbox copied): at most 8 statements', async () => {
    const one = await sendTo(citizenIds.slice(0, 1));
    const ten = await sendTo(citizenIds.slice(1, 11));
    expect(one.result.codes).toEqual([]);
    expect(ten.result.codes).toEqual([]);
    expect(ten.result.data!.sendMessage).toHaveLength(10);
    // Measured: 6 for both (auth, begin, the key claim with every read the rules need, the write rules' links
    // included, one write of all rows with the viewers' notice locks, the notices, commit); 7 while the write
    // links had a statement of their own; before batching: 21 for 1 and 84 for 10. The same count for 1 and 10: nothing is per recipient.
    expect(ten.count).toBe(one.count);
    if (one.count > 8)
      throw new Error(`a send to 1 citizen sent ${one.count} statements:\n${one.statements.join('\n')}`);
    if (ten.count > 8)
      throw new Error(`a send to 10 citizens sent ${ten.count} statements:\n${ten.statements.join('\n')}`);
  });

  test('to a citizen who chose SMS and e-mail notifications: the jobs are written too, still at most 8', async () => {
    const personId = citizenIds[20];
    await t
      .em()
      .getConnection()
      .execute(
        `update person set notify_by_sms = true, notify_by_email = true, mobile = '+46701234567', email = 'a@example.se' where id = ?`,
        [personId],
      );
    const sent = await sendTo([personId]);
    expect(sent.result.codes).toEqual([]);
    const [message] = sent.result.data!.sendMessage;
    const jobs: { kind: string; channel: string }[] = await t
      .em()
      .getConnection()
      .execute(
        `select data->>'kind' as kind, data->>'channel' as channel from pgboss.job where name = 'notify' and data->>'messageId' = ? order by 1, 2`,
        [message.id],
      );
    expect(jobs.map((j) => `${j.kind}:${j.channel}`)).toEqual(expect.arrayContaining(['new:email', 'new:sms']));
    // Measured: 7 (the send's 6 and one insert of all jobs).
    if (sent.count > 8)
      throw new Error(`a send with notifications sent ${sent.count} statements:\n${sent.statements.join('\n')}`);
  });

  test('a reply: at most 8 statements', async () => {
    const [first] = (await sendTo(citizenIds.slice(11, 12))).result.data!.sendMessage;
    const reply = await measure(() =>
      apiAs(t, maritaToken).mutate(ReplyOnly, {
        messageId: first.id,
        input: { idempotencyKey: randomUUID(), body: 'Ett tillägg.' },
      }),
    );
    expect(reply.result.codes).toEqual([]);
    // Measured: 7 (auth, begin, the key claim locking the conversation, the reads after the lock, one write, the notices, commit); 22 before.
    if (reply.count > 8) throw new Error(`a reply sent ${reply.count} statements:\n${reply.statements.join('\n')}`);
  });
});

describe('sending', () => {
  let tenStaff: Staff[];
  beforeAll(async () => {
    const em = t.em();
    const unit = (await em.findOneOrFail(Staff, marita.id, { populate: ['unit'] })).unit;
    tenStaff = Array.from({ length: 10 }, (_, i) =>
      em.create(Staff, {
        username: `sqltest${i}`,
        givenName: 'Kollega',
        familyName: `Nummer${i}`,
        role: StaffRole.CASEWORKER,
        unit,
      }),
    );
    await em.flush();
  });

  const send = (staffIds: string[], personIds: string[] = []) =>
    measure(() =>
      apiAs(t, maritaToken).mutate(SendMessageDocument, {
        input: {
          idempotencyKey: randomUUID(),
          to: { personIds, staffIds, sharedMailboxIds: [mailbox.id] },
          subject: 'Till många',
          body: '<p>Hej alla</p>',
          readReceiptRequested: true,
        },
      }),
    );

  test('to ten staff members and a mailbox costs no more than to two', async () => {
    const two = await send(tenStaff.slice(0, 1).map((s) => s.id));
    const eleven = await send(tenStaff.map((s) => s.id));
    expect(two.result.codes).toEqual([]);
    expect(eleven.result.codes).toEqual([]);
    expect(eleven.result.data!.sendMessage[0].recipients).toHaveLength(11);
    // Measured: at most 12 for both (the send's 6 without a citizen, then the answer's fields through the loaders); 23 before batching.
    expect(eleven.count).toBe(two.count);
    if (eleven.count > 12)
      throw new Error(`a send to 11 sent ${eleven.count} statements:\n${eleven.statements.join('\n')}`);
  });

  test('with a citizen among them, too', async () => {
    const two = await send([tenStaff[0].id], [tolvanId]);
    const twelve = await send(
      tenStaff.map((s) => s.id),
      [tolvanId],
    );
    expect(twelve.result.codes).toEqual([]);
    expect(twelve.result.data!.sendMessage[0].recipients).toHaveLength(12);
    // Measured: 13 for both (the loaders for the citizen's name and contact add one or two; the writing rules and the
    // access log are in the send's statements). 14 while the writing rules had a statement of their own; 28 before batching.
    expect(twelve.count).toBe(two.count);
    expect(twelve.count).toBeLessThanOrEqual(13);
  });
});
