import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { DEMO } from '../../src/db/demo-data';
import { initOrm, type Orm } from '../../src/db/orm';
import { RETENTION_QUEUE, startRetentionJobs } from '../../src/domain/retention.jobs';
import { RetentionService } from '../../src/domain/retention.service';
import { Case } from '../../src/entities/case';
import { RetentionRule, RetentionRun, RetentionRunStatus } from '../../src/entities/retention-run';
import { postRaw } from '../testkit/api';
import { addCaseHolder } from '../testkit/messaging';
import { arrangeConversation, rowExists, tableCounts, type ArrangedConversation } from '../testkit/records';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let adminToken: string;
let caseworkerToken: string;
const BATCH = '2';

beforeAll(async () => {
  w = await demoWorld({ RETENTION_BATCH_SIZE: BATCH });
  adminToken = await w.t.token.staff(DEMO.admin);
  caseworkerToken = await w.t.token.staff(DEMO.caseworker);
});
afterAll(() => w.close());

const em = () => w.t.em();
const settings = () => w.t.config.retention;
const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
  const res = await postRaw(w.t.url, { query, variables }, { token });
  return {
    data: res.body?.data,
    codes: (res.body?.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code),
    errors: res.body?.errors ?? [],
  };
};
const exec = (text: string, values: unknown[] = []) =>
  em()
    .getConnection()
    .execute(text, values as never[], 'all');
const pgArray = (items: string[]) => `{${items.join(',')}}`;
const count = async (text: string, values: unknown[] = []) => Number((await exec(text, values))[0].n);

async function placeHold(
  target: { conversationId?: string; caseId?: string },
  reason = 'Begäran från förvaltningsrätten, mål 1234-26',
) {
  const r = await gql(
    adminToken,
    'mutation($i: PlaceLegalHoldInput!) { placeLegalHold(input: $i) { id reason placedAt placedBy { username } conversationId caseId releasedAt } }',
    { i: { ...target, reason } },
  );
  expect(r.errors).toEqual([]);
  return r.data.placeLegalHold as { id: string; placedBy: { username: string }; reason: string };
}

describe('CONVERSATIONS: old conversations go, journaled messages and held conversations stay', () => {
  let plain: ArrangedConversation;
  let partlyJournaled: ArrangedConversation;
  let attachmentJournaled: ArrangedConversation;
  let heldConversation: ArrangedConversation;
  let heldByCase: ArrangedConversation;
  let fresh: ArrangedConversation;
  let other: { person: { id: string }; caseId: string };

  beforeAll(async () => {
    const staffId = w.staffId[DEMO.caseworker];
    const tolvan = w.personId[DEMO.tolvan];
    const tolvansCase = (await em().findOneOrFail(Case, { holder: tolvan })).id;
    other = await addCaseHolder(em(), DEMO.caseworker, { givenName: 'Hållen' });
    const old = 800; // days: past the default 24 months
    fresh = await arrangeConversation(em(), {
      citizenId: tolvan,
      caseId: tolvansCase,
      staffId,
      ageDays: 10,
      attachments: 1,
    });
    // Its first PDF shares its bytes with the fresh conversation's (a copy of one upload sent twice).
    plain = await arrangeConversation(em(), {
      citizenId: tolvan,
      caseId: tolvansCase,
      staffId,
      ageDays: old,
      messages: 3,
      attachments: 2,
      sharedStorageKey: fresh.storageKeys[0],
    });
    partlyJournaled = await arrangeConversation(em(), {
      citizenId: tolvan,
      caseId: tolvansCase,
      staffId,
      ageDays: old,
      messages: 2,
      attachments: 1,
      journal: 'message',
    });
    attachmentJournaled = await arrangeConversation(em(), {
      citizenId: tolvan,
      caseId: tolvansCase,
      staffId,
      ageDays: old,
      messages: 2,
      attachments: 1,
      journal: 'attachment',
    });
    heldConversation = await arrangeConversation(em(), {
      citizenId: tolvan,
      caseId: tolvansCase,
      staffId,
      ageDays: old,
      messages: 2,
      attachments: 1,
    });
    heldByCase = await arrangeConversation(em(), {
      citizenId: other.person.id,
      caseId: other.caseId,
      staffId,
      ageDays: old,
      messages: 2,
      attachments: 1,
    });
    await placeHold({ conversationId: heldConversation.conversationId });
    await placeHold({ caseId: other.caseId });
  });

  test('G5 a dry run (administrators) reports exactly what would go and what stays, changes nothing, and is recorded as a dry run', async () => {
    const before = await tableCounts(em());
    const r = await gql(
      adminToken,
      'mutation { retentionDryRun { id rule period dryRun status cutoff startedBy { username } removed { item count } kept { item count } } }',
    );
    expect(r.errors).toEqual([]);
    expect(await tableCounts(em())).toEqual(before);
    const run = r.data.retentionDryRun.find((x: { rule: string }) => x.rule === 'CONVERSATIONS');
    expect(run).toMatchObject({
      period: '24 months',
      dryRun: true,
      status: 'DONE',
      startedBy: { username: DEMO.admin },
    });
    // plain: everything (3 messages, 2 PDFs, one of whose bytes are shared); partly journaled: its 2nd message; attachment journaled: its 2nd message.
    expect(Object.fromEntries(run.removed.map((c: { item: string; count: number }) => [c.item, c.count]))).toEqual({
      conversations: 1,
      messages: 5,
      recipients: 5,
      readReceipts: 5,
      historyEvents: 10,
      attachments: 2,
      files: 1,
      notices: 7, // notices only point the way for catching up: all old ones go but those of held conversations
    });
    expect(run.kept).toEqual([
      { item: 'conversationsOnHold', count: 2 },
      { item: 'journaledMessages', count: 2 },
    ]);
  });

  test('G1–G3, G7 the run thins exactly that, in batches, and writes the gallring record', async () => {
    const run = await new RetentionService(em(), settings()).run(RetentionRule.CONVERSATIONS);
    expect(run).not.toBeNull();
    const e = em();
    // plain: gone with everything in it, its unshared bytes too
    expect(await rowExists(e, 'conversation', 'id', plain.conversationId)).toBe(false);
    expect(
      await count('select count(*) as n from conversation_participant where conversation_id = ?', [
        plain.conversationId,
      ]),
    ).toBe(0);
    expect(
      await count('select count(*) as n from message where id = any(?::uuid[])', [pgArray(plain.messageIds)]),
    ).toBe(0);
    expect(
      await count('select count(*) as n from attachment where id = any(?::uuid[])', [pgArray(plain.attachmentIds)]),
    ).toBe(0);
    expect(await rowExists(e, 'attachment_blob', 'key', plain.storageKeys[1])).toBe(false);
    expect(await rowExists(e, 'attachment_blob', 'key', plain.storageKeys[0])).toBe(true); // the fresh copy's bytes
    expect(
      await count(`select count(*) as n from notice where payload->>'conversationId' = ?`, [plain.conversationId]),
    ).toBe(0);
    // journaled: the journaled message stays whole (text, PDF, bytes); the rest goes
    for (const c of [partlyJournaled, attachmentJournaled]) {
      expect(await rowExists(e, 'conversation', 'id', c.conversationId)).toBe(true);
      expect(await rowExists(e, 'message', 'id', c.messageIds[0])).toBe(true);
      expect(await rowExists(e, 'message', 'id', c.messageIds[1])).toBe(false);
      expect(await rowExists(e, 'attachment', 'id', c.attachmentIds[0])).toBe(true);
      expect(await rowExists(e, 'attachment_blob', 'key', c.storageKeys[0])).toBe(true);
      expect(await rowExists(e, 'journal_entry', 'id', c.journalEntryId!)).toBe(true);
    }
    // the journaled message's reply link to a thinned message is gone, nothing else of it changed
    expect(
      (await exec('select in_reply_to_id from message where id = ?', [partlyJournaled.messageIds[0]]))[0]
        .in_reply_to_id,
    ).toBeNull();
    // on hold (itself or through its case), and fresh: untouched
    for (const c of [heldConversation, heldByCase, fresh]) {
      expect(await count('select count(*) as n from message where conversation_id = ?', [c.conversationId])).toBe(
        c.messageIds.length,
      );
      expect(
        await count('select count(*) as n from attachment where id = any(?::uuid[])', [pgArray(c.attachmentIds)]),
      ).toBe(c.attachmentIds.length);
      expect(
        await count('select count(*) as n from attachment_blob where key = any(?::text[])', [pgArray(c.storageKeys)]),
      ).toBe(c.storageKeys.length);
      expect(
        await count(`select count(*) as n from notice where payload->>'conversationId' = ?`, [c.conversationId]),
      ).toBe(c.messageIds.length);
    }
    // the record: the same numbers as the dry run, finished
    const record = await em().findOneOrFail(RetentionRun, { id: run!.id });
    expect(record).toMatchObject({
      rule: 'CONVERSATIONS',
      dryRun: false,
      status: RetentionRunStatus.DONE,
      period: '24 months',
    });
    expect(record.finishedAt).toBeInstanceOf(Date);
    expect(record.removed).toEqual({
      conversations: 1,
      messages: 5,
      recipients: 5,
      readReceipts: 5,
      historyEvents: 10,
      attachments: 2,
      files: 1,
      notices: 7,
    });
    expect(record.kept).toEqual({ conversationsOnHold: 2, journaledMessages: 2 });

    // A second run finds nothing more: the journaled conversations are not taken again.
    const again = await new RetentionService(em(), settings()).run(RetentionRule.CONVERSATIONS);
    expect(Object.values(again!.removed).every((n) => n === 0)).toBe(true);
  });

  test('L2 releasing a hold records who and why; the next run thins what it held; its case hold still holds the other', async () => {
    const holds = await gql(adminToken, '{ legalHolds { id conversationId caseId } }');
    const hold = holds.data.legalHolds.find(
      (h: { conversationId: string }) => h.conversationId === heldConversation.conversationId,
    );
    const r = await gql(
      adminToken,
      'mutation($id: ID!, $r: String!) { releaseLegalHold(id: $id, reason: $r) { releasedAt releaseReason releasedBy { username } } }',
      { id: hold.id, r: 'Målet avgjort' },
    );
    expect(r.errors).toEqual([]);
    expect(r.data.releaseLegalHold).toMatchObject({
      releaseReason: 'Målet avgjort',
      releasedBy: { username: DEMO.admin },
    });
    expect(
      (
        await gql(adminToken, 'mutation($id: ID!, $r: String!) { releaseLegalHold(id: $id, reason: $r) { id } }', {
          id: hold.id,
          r: 'igen',
        })
      ).codes,
    ).toEqual(['CONFLICT']);
    const all = await gql(adminToken, '{ legalHolds(includeReleased: true) { id } }');
    expect(all.data.legalHolds.map((h: { id: string }) => h.id)).toContain(hold.id);
    expect(
      (await gql(adminToken, '{ legalHolds { id } }')).data.legalHolds.map((h: { id: string }) => h.id),
    ).not.toContain(hold.id);

    await new RetentionService(em(), settings()).run(RetentionRule.CONVERSATIONS);
    expect(await rowExists(em(), 'conversation', 'id', heldConversation.conversationId)).toBe(false);
    expect(await rowExists(em(), 'conversation', 'id', heldByCase.conversationId)).toBe(true);
  });

  test('L1–L3 placing a hold: administrators only, a reason, exactly one target that exists, not twice', async () => {
    const place = (token: string, i: Record<string, unknown>) =>
      gql(token, 'mutation($i: PlaceLegalHoldInput!) { placeLegalHold(input: $i) { id } }', { i });
    expect((await place(caseworkerToken, { caseId: other.caseId, reason: 'x' })).codes).toEqual(['FORBIDDEN']);
    expect((await place(adminToken, { caseId: fresh.conversationId, reason: '  ' })).codes).toEqual(['BAD_USER_INPUT']);
    expect(
      (await place(adminToken, { caseId: other.caseId, conversationId: fresh.conversationId, reason: 'x' })).codes,
    ).toEqual(['BAD_USER_INPUT']);
    expect((await place(adminToken, { conversationId: randomUUID(), reason: 'x' })).codes).toEqual(['NOT_FOUND']);
    expect((await place(adminToken, { caseId: other.caseId, reason: 'igen' })).codes).toEqual(['CONFLICT']);
  });
});

describe('the other rules', () => {
  test('DRAFTS and UNSENT_UPLOADS: old drafts go (not one of a held case), then their uploads; fresh ones, kept ones and shared bytes stay', async () => {
    const staffId = w.staffId[DEMO.caseworker];
    const held = await addCaseHolder(em(), DEMO.caseworker);
    await placeHold({ caseId: held.caseId });
    const blob = async () => {
      const k = `pg:${randomUUID()}`;
      await exec('insert into attachment_blob (key, bytes, created_at) values (?, ?, now())', [
        k,
        Buffer.from('%PDF-1.4 x'),
      ]);
      return k;
    };
    const upload = async (hoursOld: number, storageKey?: string) => {
      const id = randomUUID();
      const k = storageKey ?? (await blob());
      await exec(
        `insert into attachment (id, created_at, filename, size, sha256, storage_key, uploaded_by_staff_id) values (?, now() - make_interval(hours => ?), 'a.pdf', 10, 'x', ?, ?)`,
        [id, hoursOld, k, staffId],
      );
      return { id, key: k };
    };
    const draft = async (daysOld: number, attachmentIds: string[], caseId: string | null = null) => {
      const id = randomUUID();
      await exec(
        `insert into draft (id, created_at, owner_staff_id, addressees, case_id, attachment_ids, saved_at) values (?, now(), ?, '{"personIds":[],"staffIds":[],"sharedMailboxIds":[]}', ?, ?::jsonb, now() - make_interval(days => ?))`,
        [id, staffId, caseId, JSON.stringify(attachmentIds), daysOld],
      );
      return id;
    };
    const stale = await upload(30);
    const freshUpload = await upload(1);
    const sharedOld = await upload(30);
    const sharedFresh = await upload(1, sharedOld.key);
    const inOldDraft = await upload(30);
    const inHeldDraft = await upload(30);
    const inFreshDraft = await upload(30);
    const oldDraft = await draft(100, [inOldDraft.id]);
    const heldDraft = await draft(100, [inHeldDraft.id], held.caseId);
    const freshDraft = await draft(5, [inFreshDraft.id]);

    const runs = await new RetentionService(em(), settings()).runAll();
    const byRule = Object.fromEntries(runs.map((r) => [r.rule, r]));
    expect(byRule.DRAFTS.removed).toEqual({ drafts: 1 });
    expect(byRule.DRAFTS.kept).toEqual({ draftsOnHold: 1 });
    expect(byRule.UNSENT_UPLOADS.removed).toEqual({ uploads: 3, files: 2 });
    expect(byRule.UNSENT_UPLOADS.period).toBe('24 hours');
    const e = em();
    expect(await rowExists(e, 'draft', 'id', oldDraft)).toBe(false);
    expect(await rowExists(e, 'draft', 'id', heldDraft)).toBe(true);
    expect(await rowExists(e, 'draft', 'id', freshDraft)).toBe(true);
    for (const gone of [stale, sharedOld, inOldDraft])
      expect(await rowExists(e, 'attachment', 'id', gone.id)).toBe(false);
    for (const kept of [freshUpload, sharedFresh, inHeldDraft, inFreshDraft])
      expect(await rowExists(e, 'attachment', 'id', kept.id)).toBe(true);
    expect(await rowExists(e, 'attachment_blob', 'key', stale.key)).toBe(false);
    expect(await rowExists(e, 'attachment_blob', 'key', sharedOld.key)).toBe(true);
  });

  test('NOTIFICATIONS and ACCESS_LOG: old deliveries and access-log rows go, except those of held persons; 5 years is the floor', async () => {
    const staffId = w.staffId[DEMO.caseworker];
    const person = await addCaseHolder(em(), DEMO.caseworker);
    const heldPerson = await addCaseHolder(em(), DEMO.caseworker);
    await placeHold({ caseId: heldPerson.caseId });
    const c = await arrangeConversation(em(), {
      citizenId: person.person.id,
      caseId: person.caseId,
      staffId,
      ageDays: 200,
      messages: 1,
    });
    const h = await arrangeConversation(em(), {
      citizenId: heldPerson.person.id,
      caseId: heldPerson.caseId,
      staffId,
      ageDays: 200,
      messages: 1,
    });
    const log = async (personId: string, yearsOld: number) => {
      const id = randomUUID();
      await exec(
        `insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id) values (?, now() - make_interval(days => ?), ?, 'CASEWORKER', ?, 'PERSON_READ', 'r')`,
        [id, Math.round(yearsOld * 365.25), staffId, personId],
      );
      return id;
    };
    const oldRow = await log(person.person.id, 6);
    const youngRow = await log(person.person.id, 4.5);
    const heldRow = await log(heldPerson.person.id, 6);

    const service = new RetentionService(em(), settings());
    const n = await service.run(RetentionRule.NOTIFICATIONS);
    expect(n!.removed.notificationDeliveries).toBeGreaterThanOrEqual(1);
    expect(await count('select count(*) as n from notification_delivery where message_id = ?', [c.messageIds[0]])).toBe(
      0,
    );
    expect(await count('select count(*) as n from notification_delivery where message_id = ?', [h.messageIds[0]])).toBe(
      1,
    );
    const a = await service.run(RetentionRule.ACCESS_LOG);
    expect(a).toMatchObject({ period: '5 years', removed: { accessLogRows: 1 }, kept: { accessLogRowsOnHold: 1 } });
    expect(await rowExists(em(), 'access_log_entry', 'id', oldRow)).toBe(false);
    expect(await rowExists(em(), 'access_log_entry', 'id', youngRow)).toBe(true);
    expect(await rowExists(em(), 'access_log_entry', 'id', heldRow)).toBe(true);

    expect(() => loadConfig({ RETENTION_ACCESS_LOG_YEARS: '4' })).toThrow(ConfigError);
    expect(() => loadConfig({ RETENTION_ACCESS_LOG_YEARS: '4' })).toThrow(
      /RETENTION_ACCESS_LOG_YEARS: must be at least 5/,
    );
    expect(loadConfig({}).retention).toMatchObject({
      conversationMonths: 24,
      draftDays: 90,
      unsentUploadHours: 24,
      notificationDays: 90,
      accessLogYears: 5,
      schedule: '30 2 * * *',
    });
  });
});

describe('G6 one run of a rule at a time, across servers', () => {
  test('two servers starting the same rule at once: exactly one runs it, the other is refused and thins nothing', async () => {
    const second: Orm = await initOrm(w.t.config.databaseUrl!, { poolMax: 2 });
    try {
      const tolvan = w.personId[DEMO.tolvan];
      // 30 conversations in batches of 2: the first run is still under way when the second starts.
      for (let i = 0; i < 30; i++)
        await arrangeConversation(em(), {
          citizenId: tolvan,
          staffId: w.staffId[DEMO.caseworker],
          ageDays: 900,
          messages: 1,
        });
      const before = await count(
        `select count(*) as n from retention_run where rule = 'CONVERSATIONS' and not dry_run`,
      );
      const [a, b] = await Promise.all([
        new RetentionService(w.t.em(), settings()).run(RetentionRule.CONVERSATIONS),
        new RetentionService(second.em.fork() as never, settings()).run(RetentionRule.CONVERSATIONS),
      ]);
      const ran = [a, b].filter(Boolean);
      expect(ran).toHaveLength(1);
      expect(ran[0]!.removed.conversations).toBe(30);
      expect(await count(`select count(*) as n from retention_run where rule = 'CONVERSATIONS' and not dry_run`)).toBe(
        before + 1,
      );
      expect(
        await count(`select count(*) as n from retention_run where rule = 'CONVERSATIONS' and status = 'RUNNING'`),
      ).toBe(0);
    } finally {
      await second.close();
    }
  });

  test('a rule running on another server is not started again; one whose server stopped is marked ABANDONED and taken over', async () => {
    const tolvan = w.personId[DEMO.tolvan];
    const c = await arrangeConversation(em(), {
      citizenId: tolvan,
      staffId: w.staffId[DEMO.caseworker],
      ageDays: 900,
      messages: 1,
    });
    const other = randomUUID();
    await exec(
      `insert into retention_run (id, created_at, rule, period, cutoff, status, removed, kept, heartbeat_at) values (?, now(), 'CONVERSATIONS', '24 months', now(), 'RUNNING', '{}', '{}', now())`,
      [other],
    );
    expect(await new RetentionService(em(), settings()).run(RetentionRule.CONVERSATIONS)).toBeNull();
    expect(await rowExists(em(), 'conversation', 'id', c.conversationId)).toBe(true);

    await exec(`update retention_run set heartbeat_at = now() - interval '11 minutes' where id = ?`, [other]);
    const run = await new RetentionService(em(), settings()).run(RetentionRule.CONVERSATIONS);
    expect(run!.removed.conversations).toBe(1);
    expect((await exec('select status from retention_run where id = ?', [other]))[0].status).toBe('ABANDONED');
  });

  test('the job: its queue lets one job be active at a time, retries once; runRetentionNow queues a run that the worker records', async () => {
    expect((await gql(caseworkerToken, 'mutation { runRetentionNow }')).codes).toEqual(['FORBIDDEN']);
    expect((await gql(adminToken, 'mutation { runRetentionNow }')).data).toEqual({ runRetentionNow: true });
    const queue = await w.t.runtime.boss.getQueue(RETENTION_QUEUE);
    expect(queue).toMatchObject({ policy: 'singleton', retryLimit: 1 });
    const jobs = await startRetentionJobs({ em: () => w.t.em(), boss: w.t.runtime.boss, config: w.t.config });
    try {
      const deadline = Date.now() + 20_000;
      let done = 0;
      while (Date.now() < deadline && done < 6) {
        done = await count(
          `select count(*) as n from retention_run r join staff s on s.id = r.started_by_id where s.username = ? and not r.dry_run and r.status = 'DONE'`,
          [DEMO.admin],
        );
        if (done < 6) await new Promise((r) => setTimeout(r, 200));
      }
      expect(done).toBe(6); // every rule, recorded as started by the administrator
      const list = await gql(
        adminToken,
        '{ retentionRuns(first: 3) { nodes { rule dryRun status startedBy { username } } pageInfo { hasNextPage } } retentionRules { rule enabled period } }',
      );
      expect(list.errors).toEqual([]);
      expect(list.data.retentionRuns.nodes).toHaveLength(3);
      expect(list.data.retentionRuns.pageInfo.hasNextPage).toBe(true);
      expect(list.data.retentionRules).toContainEqual({ rule: 'ACCESS_LOG', enabled: true, period: '5 years' });
      const schedules = await w.t.runtime.boss.getSchedules();
      expect(schedules.find((s) => s.name === RETENTION_QUEUE)).toMatchObject({
        cron: '30 2 * * *',
        timezone: 'Europe/Stockholm',
      });
    } finally {
      await jobs.stop();
    }
  });
});

describe('lists are batched', () => {
  test('retentionRuns and legalHolds send the same number of SQL statements for a short and a long page', async () => {
    await new RetentionService(em(), settings()).runAll({ dryRun: true, startedById: w.staffId[DEMO.admin] });
    const statements = async (query: string) => {
      w.t.sql.reset();
      const r = await gql(adminToken, query);
      expect(r.errors).toEqual([]);
      return w.t.sql.count();
    };
    const runs = (n: number) =>
      `{ retentionRuns(first: ${n}) { nodes { rule removed { item count } startedBy { username } } } }`;
    expect(await statements(runs(12))).toBe(await statements(runs(2)));
    const holds = await statements(
      '{ legalHolds(includeReleased: true) { id placedBy { username } releasedBy { username } } }',
    );
    expect(holds).toBeLessThanOrEqual(4); // the caller, the holds, their staff in one batch
  });
});
