import { randomUUID } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { MAX_OPERATIONS_PER_SOCKET } from '../../src/server';
import * as staffApi from '../../clients/staff/src';
import * as citizenApi from '../../clients/citizen/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { SharedMailbox, SharedMailboxMember } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { NoticeResolver } from '../../src/resolvers/notice.resolver';
import { resolveViewer } from '../../src/auth/viewer';
import { noticeStarts, noticesSince, noticesSinceMany, type NoticesPage } from '../../src/domain/notice.service';
import { viewerParties } from '../../src/domain/message-policy';
import { partyKey } from '../../src/entities/party';
import { apiAs } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';
import { subscribe, type Subscriber } from '../testkit/subscriptions';
import { openAcknowledgedSocket } from '../testkit/ws';

type StaffNotice = staffApi.NoticesSubscription['notices'];

let t: TestServer;
let ids: { tolvan: string; marita: string; anna: string; bo: string; mailbox: string };
const tokens: Record<string, string> = {};
const open: Subscriber<unknown>[] = [];

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  const em = t.em();
  ids = {
    tolvan: (await em.findOneOrFail(Person, { personnummer: DEMO.tolvan })).id,
    marita: (await em.findOneOrFail(Staff, { username: DEMO.caseworker })).id,
    anna: (await em.findOneOrFail(Staff, { username: DEMO.secondCaseworker })).id,
    bo: (await em.findOneOrFail(Staff, { username: DEMO.otherUnitCaseworker })).id,
    mailbox: (await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' })).id,
  };
  for (const u of [DEMO.caseworker, DEMO.secondCaseworker, DEMO.otherUnitCaseworker, DEMO.admin, DEMO.executor])
    tokens[u] = await t.token.staff(u);
  tokens.tolvan = await t.token.citizen(DEMO.tolvan);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => t.close());

async function listen(token: string, after?: string) {
  const s = await subscribe(t.wsUrl, token, staffApi.NoticesDocument, after ? { after } : {});
  open.push(s as Subscriber<unknown>);
  return s;
}

const send = (username: string, input: Omit<staffApi.SendMessageInput, 'idempotencyKey'>) =>
  apiAs(t, tokens[username]).mutate(staffApi.SendMessageDocument, {
    input: { idempotencyKey: randomUUID(), ...input },
  });

/** A message only `staffId` gets: once it arrives, everything sent before it has arrived too (notices are delivered in cursor order). */
async function sentinel(staffId: string, sub: Subscriber<{ notices: StaffNotice }>) {
  const subject = `sentinel ${randomUUID()}`;
  const r = await send(DEMO.admin, { to: { staffIds: [staffId] }, subject, body: 'x' });
  expect(r.codes).toEqual([]);
  await sub.waitFor((e) => e.some((n) => n.notices.subject === subject), 5000, subject);
  return subject;
}

const newMessages = (events: { notices: StaffNotice }[]) =>
  events.map((e) => e.notices).filter((n) => n.kind === 'NEW_MESSAGE');

describe('realtime notices over graphql-ws', () => {
  test('S1 a subscription without a valid token is refused with 4403', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const s = await subscribe(t.wsUrl, token, staffApi.NoticesDocument, {});
      open.push(s as Subscriber<unknown>);
      expect(await s.closed).toBe(4403);
      expect(s.events).toEqual([]);
    }
  });

  test('S2 a new message reaches its recipients only: subject, sender and time, never the body', async () => {
    const tolvan = await subscribe(t.wsUrl, tokens.tolvan, citizenApi.NoticesDocument, {});
    open.push(tolvan as Subscriber<unknown>);
    const marita = await listen(tokens[DEMO.caseworker]);
    const bo = await listen(tokens[DEMO.otherUnitCaseworker]);

    const r = await send(DEMO.caseworker, {
      to: { personIds: [ids.tolvan] },
      subject: 'Kallelse',
      body: '<p>Hemlig text</p>',
    });
    expect(r.codes).toEqual([]);
    const events = await tolvan.waitFor(
      (e) => e.some((n) => n.notices.kind === 'NEW_MESSAGE') && e.some((n) => n.notices.kind === 'UNREAD_COUNT'),
    );
    const notice = events.find((n) => n.notices.kind === 'NEW_MESSAGE')!.notices;
    expect(notice).toMatchObject({
      subject: 'Kallelse',
      senderName: 'Marita Aronsson',
      conversationId: r.data!.sendMessage[0].conversationId,
      mailbox: { kind: 'PERSON', id: ids.tolvan },
    });
    expect(JSON.stringify(events)).not.toContain('Hemlig text');
    expect(events.find((n) => n.notices.kind === 'UNREAD_COUNT')!.notices.unreadCount).toBe(1);

    await sentinel(ids.bo, bo);
    expect(newMessages(bo.events).map((n) => n.subject)).not.toContain('Kallelse');
    await sentinel(ids.marita, marita);
    expect(newMessages(marita.events).map((n) => n.subject)).not.toContain('Kallelse');
  });

  test('S3 a message to a shared mailbox reaches its members; a removed member stops getting them without reconnecting', async () => {
    const anna = await listen(tokens[DEMO.secondCaseworker]);
    const marita = await listen(tokens[DEMO.caseworker]);

    await send(DEMO.otherUnitCaseworker, {
      to: { sharedMailboxIds: [ids.mailbox] },
      subject: 'Till brevlådan 1',
      body: 'x',
    });
    for (const sub of [anna, marita]) {
      await sub.waitFor((e) =>
        newMessages(e).some((n) => n.subject === 'Till brevlådan 1' && n.mailbox.kind === 'SHARED_MAILBOX'),
      );
    }

    const removed = await apiAs(t, tokens[DEMO.admin]).mutate(staffApi.RemoveSharedMailboxMemberDocument, {
      mailboxId: ids.mailbox,
      staffId: ids.anna,
    });
    expect(removed.codes).toEqual([]);
    await send(DEMO.otherUnitCaseworker, {
      to: { sharedMailboxIds: [ids.mailbox] },
      subject: 'Till brevlådan 2',
      body: 'x',
    });
    await marita.waitFor((e) => newMessages(e).some((n) => n.subject === 'Till brevlådan 2'));
    await sentinel(ids.anna, anna);
    expect(newMessages(anna.events).map((n) => n.subject)).not.toContain('Till brevlådan 2');

    await apiAs(t, tokens[DEMO.admin]).mutate(staffApi.AddSharedMailboxMemberDocument, {
      mailboxId: ids.mailbox,
      staffId: ids.anna,
    });
  });

  test("S4 the sender gets a read receipt when the recipient reads a message that asked for one; the reader's unread count drops", async () => {
    const marita = await listen(tokens[DEMO.caseworker]);
    const tolvan = await subscribe(t.wsUrl, tokens.tolvan, citizenApi.NoticesDocument, {});
    open.push(tolvan as Subscriber<unknown>);
    const sent = await send(DEMO.caseworker, {
      to: { personIds: [ids.tolvan] },
      subject: 'Läs mig',
      body: 'x',
      readReceiptRequested: true,
    });
    const messageId = sent.data!.sendMessage[0].id;
    await tolvan.waitFor((e) => e.some((n) => n.notices.messageId === messageId));
    const before = tolvan.events.length;

    await apiAs(t, tokens.tolvan).mutate(citizenApi.MarkMessageReadDocument, { messageId });
    const receipts = await marita.waitFor((e) =>
      e.some((n) => n.notices.kind === 'READ_RECEIPT' && n.notices.messageId === messageId),
    );
    expect(receipts.find((n) => n.notices.kind === 'READ_RECEIPT')!.notices.readerName).toBe('Tolvan Tolvansson');
    const after = await tolvan.waitFor((e) => e.slice(before).some((n) => n.notices.kind === 'UNREAD_COUNT'));
    const counts = after.slice(before).filter((n) => n.notices.kind === 'UNREAD_COUNT');
    const unread = await apiAs(t, tokens.tolvan).query(citizenApi.MailboxesDocument, {});
    expect(counts[counts.length - 1].notices.unreadCount).toBe(unread.data!.mailboxes[0].unreadCount);
  });

  test('S5 catching up: noticesSince(cursor) returns exactly what was missed, in order; notices(after) replays it and goes live with no duplicate', async () => {
    const marita = apiAs(t, tokens[DEMO.caseworker]);
    const start = await marita.query(staffApi.NoticesSinceDocument, { cursor: null });
    const cursor = start.data!.noticesSince.cursor;
    expect(start.data!.noticesSince.notices).toEqual([]);

    const subjects = ['Missad 1', 'Missad 2', 'Missad 3'];
    for (const subject of subjects)
      await send(DEMO.otherUnitCaseworker, { to: { staffIds: [ids.marita] }, subject, body: 'x' });

    const missed = await marita.query(staffApi.NoticesSinceDocument, { cursor });
    const missedNew = missed.data!.noticesSince.notices.filter((n) => n.kind === 'NEW_MESSAGE');
    expect(missedNew.map((n) => n.subject)).toEqual(subjects);
    const cursors = missed.data!.noticesSince.notices.map((n) => BigInt(n.cursor));
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
    expect(missed.data!.noticesSince.cursor).toBe(String(cursors[cursors.length - 1]));
    const again = await marita.query(staffApi.NoticesSinceDocument, { cursor: missed.data!.noticesSince.cursor });
    expect(again.data!.noticesSince.notices).toEqual([]);

    const resumed = await listen(tokens[DEMO.caseworker], cursor);
    await resumed.waitFor((e) => newMessages(e).length >= 3, 5000, 'the replay');
    await send(DEMO.otherUnitCaseworker, { to: { staffIds: [ids.marita] }, subject: 'Live', body: 'x' });
    await resumed.waitFor((e) => newMessages(e).some((n) => n.subject === 'Live'));
    expect(newMessages(resumed.events).map((n) => n.subject)).toEqual([...subjects, 'Live']);
    const all = resumed.events.map((e) => e.notices.cursor);
    expect(new Set(all).size).toBe(all.length);
  });

  test('S6 a refused send notifies nobody', async () => {
    const marita = apiAs(t, tokens[DEMO.caseworker]);
    const { cursor } = (await marita.query(staffApi.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const refused = await send(DEMO.caseworker, {
      to: { staffIds: [ids.marita, randomUUID()] },
      subject: 'Nej',
      body: 'x',
    });
    expect(refused.codes).toEqual(['NOT_FOUND']);
    const since = await marita.query(staffApi.NoticesSinceDocument, { cursor });
    expect(since.data!.noticesSince.notices).toEqual([]);
  });

  test('S7 a disabled staff account stops receiving notices at once', async () => {
    const admin = apiAs(t, tokens[DEMO.admin]);
    expect(
      (await admin.mutate(staffApi.AddSharedMailboxMemberDocument, { mailboxId: ids.mailbox, staffId: ids.bo })).codes,
    ).toEqual([]);
    const bo = await listen(tokens[DEMO.otherUnitCaseworker]);
    await sentinel(ids.bo, bo);
    const count = bo.events.length;
    await admin.mutate(staffApi.UpdateStaffDocument, { id: ids.bo, input: { active: false } });
    // Bo is still a member of the mailbox, so this would wake his subscription.
    const r = await send(DEMO.caseworker, {
      to: { sharedMailboxIds: [ids.mailbox] },
      subject: 'Efter avstängning',
      body: 'x',
    });
    expect(r.codes).toEqual([]);
    // The server closes his socket (4403) when the account is disabled, before any later event.
    expect(await bo.closed).toBe(4403);
    expect(bo.events).toHaveLength(count);
    await admin.mutate(staffApi.UpdateStaffDocument, { id: ids.bo, input: { active: true } });
    await admin.mutate(staffApi.RemoveSharedMailboxMemberDocument, { mailboxId: ids.mailbox, staffId: ids.bo });
  });
});

describe('ordering under concurrency', () => {
  test('S8 twenty messages sent at once by different senders arrive live, each once, in cursor order, and match noticesSince exactly', async () => {
    const marita = apiAs(t, tokens[DEMO.caseworker]);
    const { cursor } = (await marita.query(staffApi.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const live = await listen(tokens[DEMO.caseworker]);
    const senders = [DEMO.secondCaseworker, DEMO.otherUnitCaseworker, DEMO.admin, DEMO.executor];
    const subjects = Array.from({ length: 20 }, (_, i) => `Samtidigt ${i}`);
    const results = await Promise.all(
      subjects.map((subject, i) =>
        send(senders[i % senders.length], { to: { staffIds: [ids.marita] }, subject, body: 'x' }),
      ),
    );
    expect(results.flatMap((r) => r.codes)).toEqual([]);

    // Every send has committed: this is the complete list, and the live stream must deliver exactly it.
    const since = (await marita.query(staffApi.NoticesSinceDocument, { cursor })).data!.noticesSince.notices;
    expect(
      since
        .filter((n) => n.kind === 'NEW_MESSAGE')
        .map((n) => n.subject)
        .sort(),
    ).toEqual([...subjects].sort());
    const last = since[since.length - 1].cursor;
    await live.waitFor((e) => e.some((n) => n.notices.cursor === last), 10_000, 'the last notice');
    const got = live.events.map((e) => e.notices);
    expect(got.map((n) => n.cursor)).toEqual(since.map((n) => n.cursor));
    const cursors = got.map((n) => BigInt(n.cursor));
    expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1])).toBe(true);
  });
});

describe('cost', () => {
  /** The statements that read notices after a cursor (one per read, whatever the number of sockets it serves). */
  const noticeReads = () => t.sql.statements.filter((q) => /from notice n\s+where n\.seq >/.test(q)).length;

  test("S10 one wake-up costs one read per viewer on the instance, shared by all that viewer's sockets, whatever their cursors, and by every member of a shared mailbox", async () => {
    const marita = apiAs(t, tokens[DEMO.caseworker]);
    const { cursor } = (await marita.query(staffApi.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const maritas = [
      ...(await Promise.all([1, 2, 3].map(() => listen(tokens[DEMO.caseworker])))),
      await listen(tokens[DEMO.caseworker], cursor),
    ];
    const annas = await Promise.all([1, 2].map(() => listen(tokens[DEMO.secondCaseworker])));
    // Every subscription is live (past its own catch-up) once a notice sent after it opened has reached it.
    for (const sub of maritas) await sentinel(ids.marita, sub);
    for (const sub of annas) await sentinel(ids.anna, sub);
    const toMailbox = async (subject: string) => {
      expect(
        (await send(DEMO.otherUnitCaseworker, { to: { sharedMailboxIds: [ids.mailbox] }, subject, body: 'x' })).codes,
      ).toEqual([]);
      for (const sub of [...maritas, ...annas])
        await sub.waitFor((e) => newMessages(e).some((n) => n.subject === subject));
    };
    // One to the mailbox first: every socket has just re-checked its caller when the measured one comes (a socket
    // whose check is older than a few seconds checks again before it reads, and would read on its own after that).
    await toMailbox(`Till brevlådan ${randomUUID()}`);

    t.sql.reset();
    const executed = jest.spyOn(NoticeResolver.prototype, 'notices');
    const subject = `Till brevlådan ${randomUUID()}`;
    try {
      await toMailbox(subject);
      // Two members of the mailbox with six sockets between them: one read for both, not one each (nor six).
      expect(noticeReads()).toBe(1);
      // The mailbox's notice is executed once for all six sockets (one document).
      expect(executed.mock.calls.filter(([notice]) => notice.subject === subject)).toHaveLength(1);
    } finally {
      executed.mockRestore();
    }
    for (const sub of [...maritas, ...annas])
      expect(newMessages(sub.events).filter((n) => n.subject === subject)).toHaveLength(1);
  });
});

describe('subscribing together', () => {
  const staffLookups = () => t.sql.statements.filter((q) => /from "staff" where username/.test(q)).length;
  /** The statements that read where a subscription without a cursor starts (its viewer's latest notice). */
  const startReads = () => t.sql.statements.filter((q) => /select max\(n\.seq\) as seq from notice n/.test(q)).length;

  test('S13 subscriptions that arrive together look their caller up in one statement and read where they start in one, and each goes live from there', async () => {
    const socket = await openAcknowledgedSocket(t.wsUrl, tokens[DEMO.caseworker]);
    try {
      const query = print(staffApi.NoticesDocument);
      const ops = ['a', 'b', 'c', 'd', 'e'];
      const sent = `före ${randomUUID()}`;
      // A notice committed before the subscribes: none of them gets it (they start from now).
      expect((await send(DEMO.admin, { to: { staffIds: [ids.marita] }, subject: sent, body: 'x' })).codes).toEqual([]);
      t.sql.reset();
      socket.sendTogether(ops.map((id) => ({ id, type: 'subscribe', payload: { query } })));
      // Every operation looks its caller up and reads its start before it is live; nothing is sent back until then.
      const deadline = Date.now() + 5000;
      while (startReads() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
      // Five operations: one lookup of their caller and one read of where they start, not five of each.
      expect(staffLookups()).toBe(1);
      expect(startReads()).toBe(1);

      const subject = `efter ${randomUUID()}`;
      expect((await send(DEMO.admin, { to: { staffIds: [ids.marita] }, subject, body: 'x' })).codes).toEqual([]);
      const got = new Map<string, string[]>(ops.map((id) => [id, []]));
      while ([...got.values()].some((subjects) => !subjects.includes(subject))) {
        const m = await socket.next();
        if (m.type === 'next' && m.payload.data.notices.kind === 'NEW_MESSAGE')
          got.get(m.id!)!.push(m.payload.data.notices.subject);
      }
      // Each operation got the notice sent after it once, and not the one before it.
      for (const id of ops) expect(got.get(id)).toEqual([subject]);
    } finally {
      socket.close();
    }
  });
});

describe('reads together', () => {
  test('S12 viewers read together get exactly what each would read alone: own and mailbox notices, an administrator no mailbox, a citizen their own; a read that fails fails alone; so do their starts', async () => {
    // Notices for everyone below: to the mailbox, to Marita and Anna personally, and a citizen's.
    const subject = `Tillsammans ${randomUUID()}`;
    const before = (await apiAs(t, tokens[DEMO.caseworker]).query(staffApi.NoticesSinceDocument, { cursor: null }))
      .data!.noticesSince.cursor;
    const em = t.em();
    const admin = (await em.findOneOrFail(Staff, { username: DEMO.admin })).id;
    // An administrator who is (by a row written past the API) a member of the mailbox still acts through none (M6).
    const membership = em.create(SharedMailboxMember, {
      mailbox: em.getReference(SharedMailbox, ids.mailbox),
      staff: em.getReference(Staff, admin),
    });
    await em.flush();
    try {
      for (const to of [{ sharedMailboxIds: [ids.mailbox] }, { staffIds: [ids.marita, ids.anna, ids.bo, admin] }])
        expect((await send(DEMO.caseworker, { to, subject, body: 'x' })).codes).toEqual([]);
      const viewers = await Promise.all([
        resolveViewer(em, { kind: 'staff', username: DEMO.caseworker }),
        resolveViewer(em, { kind: 'staff', username: DEMO.secondCaseworker }),
        resolveViewer(em, { kind: 'staff', username: DEMO.otherUnitCaseworker }),
        resolveViewer(em, { kind: 'staff', username: DEMO.admin }),
        resolveViewer(em, { kind: 'citizen', personnummer: DEMO.tolvan }),
      ]);
      // Each from the cursor before the sends, and from the start (the catch-up of a new socket).
      const reads = viewers.flatMap((viewer) => [before, '0'].map((cursor) => ({ viewer, cursor })));
      // And a read that fails (a cursor the database refuses): it answers its error, the others still answer.
      const broken = { viewer: viewers[4], cursor: 'not a seq' };
      const answers = await noticesSinceMany(t.em(), [...reads, broken]);
      expect(answers[reads.length]).toBeInstanceOf(Error);
      const together = answers.slice(0, reads.length) as NoticesPage[];
      const alone = await Promise.all(reads.map((r) => noticesSince(t.em(), r.viewer, r.cursor)));
      expect(together).toEqual(alone);
      // Not vacuous: Marita and Anna got the mailbox's notice and their own; Bo (not a member) and the administrator
      // (whose membership, if any, gives them nothing) their own only; the citizen has notices of their own.
      const kinds = (i: number) =>
        together[i * 2].notices.filter((n) => n.payload.subject === subject).map((n) => n.partyKey.split(':')[0]);
      expect([0, 1, 2, 3].map(kinds)).toEqual([
        ['SHARED_MAILBOX', 'STAFF'],
        ['SHARED_MAILBOX', 'STAFF'],
        ['STAFF'],
        ['STAFF'],
      ]);
      expect(together[9].notices.length).toBeGreaterThan(0);

      // Where each starts, read together, is the highest seq among the notices of the parties M6 gives them (read here
      // one by one with the rule's own list): after one more to the mailbox, Marita and Anna start at its notices, the
      // administrator (a member by that row) and Bo at their own.
      const last = `Sist ${randomUUID()}`;
      expect(
        (await send(DEMO.otherUnitCaseworker, { to: { sharedMailboxIds: [ids.mailbox] }, subject: last, body: 'x' }))
          .codes,
      ).toEqual([]);
      const starts = await noticeStarts(t.em(), viewers);
      const latest = await Promise.all(
        viewers.map(async (viewer) => {
          const keys = (await viewerParties(em, viewer)).map(partyKey);
          const [row] = await em
            .getConnection()
            .execute<{ seq: string }[]>(
              `select coalesce(max(seq), 0)::text as seq from notice where party_key in (?)`,
              [keys],
            );
          return row.seq;
        }),
      );
      expect(starts).toEqual(latest);
      expect(starts[0]).toBe(starts[1]);
      expect(new Set(starts.slice(1)).size).toBe(4);
    } finally {
      await em.remove(membership).flush();
    }
  });
});

describe('shared execution', () => {
  const SLIM = parse('subscription Slim { notices { cursor kind subject } }') as TypedDocumentNode<
    { notices: Pick<StaffNotice, 'cursor' | 'kind' | 'subject'> },
    Record<string, never>
  >;

  test("S11 one notice is executed once for all of a viewer's sockets with the same document, whatever their cursors; another document or viewer gets its own", async () => {
    const marita = apiAs(t, tokens[DEMO.caseworker]);
    const { cursor } = (await marita.query(staffApi.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const same = [await listen(tokens[DEMO.caseworker]), await listen(tokens[DEMO.caseworker], cursor)];
    const slim = await subscribe(t.wsUrl, tokens[DEMO.caseworker], SLIM, {});
    open.push(slim as Subscriber<unknown>);
    const anna = await listen(tokens[DEMO.secondCaseworker]);
    // Every subscription is live (past its own catch-up) once a notice sent after it opened has reached it.
    for (const sub of same) await sentinel(ids.marita, sub);
    await sentinel(ids.marita, slim as unknown as Subscriber<{ notices: StaffNotice }>);
    await sentinel(ids.anna, anna);

    const executed = jest.spyOn(NoticeResolver.prototype, 'notices');
    try {
      const subject = `Delad körning ${randomUUID()}`;
      const to = { staffIds: [ids.marita, ids.anna] };
      expect((await send(DEMO.admin, { to, subject, body: 'x' })).codes).toEqual([]);
      const got = (sub: Subscriber<{ notices: { subject?: string | null } }>) =>
        sub
          .waitFor((e) => e.some((n) => n.notices.subject === subject))
          .then((e) => e.find((n) => n.notices.subject === subject));
      const [first, second] = [await got(same[0]), await got(same[1])];
      await got(slim);
      await got(anna);
      // Marita's two sockets with one document: the same payload, executed once; her other document and Anna: once each.
      expect(second).toEqual(first);
      const runs = executed.mock.calls.filter(([notice]) => notice.subject === subject);
      expect(runs).toHaveLength(3);
    } finally {
      executed.mockRestore();
    }
  });
});

describe('limits', () => {
  test(`S9 one connection holds at most ${MAX_OPERATIONS_PER_SOCKET} live operations; completing one frees its place at once`, async () => {
    const client = createClient({
      url: t.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      connectionParams: { authorization: `Bearer ${tokens[DEMO.caseworker]}` },
    });
    const query = print(staffApi.NoticesDocument);
    /** Subscribes; resolves with the refusal's code, or with undefined once the server has taken it (a notice arrives). */
    const open = (variables?: { after: string }) => {
      let refusedWith: (code: string | undefined) => void;
      const outcome = new Promise<string | undefined>((resolve) => (refusedWith = resolve));
      const stop = client.subscribe(
        { query, variables },
        {
          next: () => refusedWith(undefined),
          error: (e) => refusedWith((e as { extensions?: { code?: string } }[])[0]?.extensions?.code),
          complete: () => undefined,
        },
      );
      return { stop, outcome };
    };
    const subs: ReturnType<typeof open>[] = [];
    try {
      for (let i = 0; i < MAX_OPERATIONS_PER_SOCKET; i++) subs.push(open());
      const extra = open();
      expect(await extra.outcome).toBe('BAD_USER_INPUT');

      // Completing one lets the next one in; a notice to Marita shows the new one is live. It subscribes from a
      // cursor read before the send: without one it would start from whenever the server took it, and a send that
      // commits first (a loaded CI machine) would never reach it.
      const { cursor } = (
        await apiAs(t, tokens[DEMO.caseworker]).query(staffApi.NoticesSinceDocument, { cursor: null })
      ).data!.noticesSince;
      subs[0].stop(); // its Complete message reaches the server before the next Subscribe on the same socket
      const next = open({ after: cursor });
      subs.push(next);
      await send(DEMO.admin, { to: { staffIds: [ids.marita] }, subject: 'Plats ledig', body: 'x' });
      expect(await next.outcome).toBeUndefined();
    } finally {
      subs.forEach((s) => s.stop());
      await client.dispose();
    }
  });
});
