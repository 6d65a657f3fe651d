import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import { RetentionRule, RetentionRun, RetentionRunStatus, type RetentionCounts } from '../entities/retention-run';
import { log } from '../log';
import { ensureQueue, NOTIFY_QUEUE } from '../notifications/boss';
import { decodeCursor, pageSize, toPage, type Page } from './pagination';
import { raw, sql, textArray, uuidArray, type Sql } from './sql';
import { query } from '../stores/query';

/**
 * Gallring: thinning the records by rule, after the periods in the
 * configuration (README "Retention (gallring)").
 *
 * G1 Each rule thins only records older than its period.
 * G2 Journaled content stays: a message with a journal entry (for itself or
 *    one of its attachments) stays with its attachments and their bytes, so
 *    the case file is whole; a conversation keeps those messages.
 * G3 Nothing under a legal hold is thinned: a held conversation, every
 *    conversation of a held case (and, when no case is set, the case
 *    holder's conversations), drafts of held cases or replying in held
 *    conversations, their notices and notifications, and the access-log rows
 *    of the persons concerned.
 * G4 Work goes in batches of RETENTION_BATCH_SIZE rows, each its own short
 *    transaction that skips rows another transaction holds (a send under
 *    way), so a run never makes a send wait for more than one batch.
 * G5 Each run writes a gallring record (RetentionRun) when it starts and
 *    after every batch; a dry run counts what would go, changes nothing else,
 *    and is recorded as a dry run.
 * G6 At most one real run of a rule at a time, across servers: the record's
 *    unique RUNNING row decides; the job queue's singleton policy keeps a
 *    second job from starting as well.
 * G7 Bytes (attachment_blob) go only when no attachment or case document
 *    refers to them any more (copies of a sent file share their bytes).
 */
export type RetentionSettings = Config['retention'];

export const RETENTION_QUEUE = 'retention';
/** Rules in the order a run takes them: drafts before uploads, so a thinned draft's uploads can go in the same run. */
export const RULE_ORDER: readonly RetentionRule[] = [
  RetentionRule.CONVERSATIONS,
  RetentionRule.DRAFTS,
  RetentionRule.UNSENT_UPLOADS,
  RetentionRule.NOTIFICATIONS,
  RetentionRule.ACCESS_LOG,
  RetentionRule.REGISTER_EXTRACTS,
];
/** A RUNNING record without progress for this long belongs to a server that stopped. */
const ABANDONED_AFTER_MS = 10 * 60_000;

// --- G3: legal hold, written once -----------------------------------------------------------

/** The conversation (alias) is on hold, itself or through its case (or, without a case, its citizen's held case). */
export function conversationHeld(alias = 'c'): Sql {
  const c = raw(alias);
  return sql`exists (select 1 from legal_hold h left join case_file hc on hc.id = h.case_id
     where h.released_at is null
       and (h.conversation_id = ${c}.id or h.case_id = ${c}.case_id or (${c}.case_id is null and hc.holder_id = ${c}.citizen_id)))`;
}

/** The person (a uuid column expression) is the holder of a held case or the citizen of a held conversation. */
function personHeld(column: Sql): Sql {
  return sql`exists (select 1 from legal_hold h left join case_file hc on hc.id = h.case_id left join conversation hv on hv.id = h.conversation_id
     where h.released_at is null and (hc.holder_id = ${column} or hv.citizen_id = ${column}))`;
}

/** The message (a uuid column expression) is in a held conversation. */
function messageHeld(column: Sql): Sql {
  return sql`exists (select 1 from message hm join conversation c on c.id = hm.conversation_id where hm.id = ${column} and ${conversationHeld('c')})`;
}

/** G2: the message (alias) is in the case file. */
const journaled = (alias: string) => sql`exists (select 1 from journal_entry j where j.message_id = ${raw(alias)}.id)`;

// --- the rules ------------------------------------------------------------------------------

interface Batch {
  removed: RetentionCounts;
  /** True when the batch was full: there may be more. */
  more: boolean;
}

interface RuleDef {
  enabled(s: RetentionSettings): boolean;
  period(s: RetentionSettings): string;
  cutoff(s: RetentionSettings, now: Date): Date;
  /** What would go (read only). */
  preview(em: EntityManager, cutoff: Date): Promise<RetentionCounts>;
  /** What stays although old enough (journaled, held). */
  kept(em: EntityManager, cutoff: Date): Promise<RetentionCounts>;
  /** One batch, in the caller's transaction. */
  batch(em: EntityManager, cutoff: Date, limit: number): Promise<Batch>;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const minus = (now: Date, f: (d: Date) => void) => {
  const d = new Date(now);
  f(d);
  return d;
};
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Numbers from a count row (PostgreSQL's bigint counts arrive as text). */
function counts(row: Record<string, unknown> | undefined): RetentionCounts {
  const out: RetentionCounts = {};
  for (const [k, v] of Object.entries(row ?? {})) out[k] = Number(v);
  return out;
}

/** G7: of these storage keys, removes the bytes nothing refers to any more; returns how many. */
async function removeUnreferencedBlobs(em: EntityManager, keys: string[]): Promise<number> {
  if (!keys.length) return 0;
  const rows = await query<{ n: string }>(
    em,
    sql`with gone as (delete from attachment_blob b
          where b.key = any(${textArray([...new Set(keys)])})
            and not exists (select 1 from attachment a where a.storage_key = b.key)
            and not exists (select 1 from case_document_pdf d where d.storage_key = b.key)
            and not exists (select 1 from register_extract x where x.storage_key = b.key)
          returning 1)
        select count(*) as n from gone`,
  );
  return Number(rows[0].n);
}

/** Old conversations that still have something to thin: a message not journaled, or no message at all (G1–G3). */
const conversationCandidates = (cutoff: Date) => sql`select c.id from conversation c
   where c.last_message_at < ${ts(cutoff)} and not ${conversationHeld('c')}
     and (exists (select 1 from message m where m.conversation_id = c.id and not ${journaled('m')})
          or not exists (select 1 from message m where m.conversation_id = c.id))`;

const noticeCandidates = (cutoff: Date) => sql`select n.seq from notice n
   where n.created_at < ${ts(cutoff)}
     and not exists (select 1 from conversation c where c.id = (n.payload->>'conversationId')::uuid and ${conversationHeld('c')})`;

const conversations: RuleDef = {
  enabled: (s) => s.conversationMonths > 0,
  period: (s) => plural(s.conversationMonths, 'month', 'months'),
  cutoff: (s, now) => minus(now, (d) => d.setUTCMonth(d.getUTCMonth() - s.conversationMonths)),
  async preview(em, cutoff) {
    const rows = await query(
      em,
      sql`with cand as (${conversationCandidates(cutoff)}),
           doomed as (select m.id from message m join cand on cand.id = m.conversation_id where not ${journaled('m')}),
           files as (select a.storage_key from attachment a where a.message_id in (select id from doomed))
         select
           (select count(*) from cand where not exists (select 1 from message m where m.conversation_id = cand.id and ${journaled('m')})) as conversations,
           (select count(*) from doomed) as messages,
           (select count(*) from message_recipient r where r.message_id in (select id from doomed)) as recipients,
           (select count(*) from message_recipient r where r.message_id in (select id from doomed) and r.read_at is not null) as "readReceipts",
           (select count(*) from message_event e where e.message_id in (select id from doomed)) as "historyEvents",
           (select count(*) from files) as attachments,
           (select count(distinct f.storage_key) from files f
             where not exists (select 1 from attachment a where a.storage_key = f.storage_key and (a.message_id is null or a.message_id not in (select id from doomed)))
               and not exists (select 1 from case_document_pdf d where d.storage_key = f.storage_key)) as files,
           (select count(*) from (${noticeCandidates(cutoff)}) n) as notices`,
    );
    return counts(rows[0]);
  },
  async kept(em, cutoff) {
    const rows = await query(
      em,
      sql`select
           (select count(*) from conversation c where c.last_message_at < ${ts(cutoff)} and ${conversationHeld('c')}) as "conversationsOnHold",
           (select count(*) from message m join conversation c on c.id = m.conversation_id
             where c.last_message_at < ${ts(cutoff)} and not ${conversationHeld('c')} and ${journaled('m')}) as "journaledMessages"`,
    );
    return counts(rows[0]);
  },
  async batch(em, cutoff, limit) {
    // Conversations a send is writing to right now are locked by it: skipped, taken next run.
    const ids = (
      await query<{ id: string }>(
        em,
        sql`${conversationCandidates(cutoff)} order by c.last_message_at, c.id limit ${limit} for update of c skip locked`,
      )
    ).map((r) => r.id);
    const removed: RetentionCounts = {};
    if (ids.length) {
      const doomed = (
        await query<{ id: string }>(
          em,
          sql`select m.id from message m where m.conversation_id = any(${uuidArray(ids)}) and not ${journaled('m')}`,
        )
      ).map((r) => r.id);
      const [tally] = await query(
        em,
        sql`select
             (select count(*) from message_recipient r where r.message_id = any(${uuidArray(doomed)})) as recipients,
             (select count(*) from message_recipient r where r.message_id = any(${uuidArray(doomed)}) and r.read_at is not null) as "readReceipts",
             (select count(*) from message_event e where e.message_id = any(${uuidArray(doomed)})) as "historyEvents"`,
      );
      Object.assign(removed, counts(tally));
      // attachment.message_id is "on delete set null": the files go first, explicitly, or they would linger as uploads.
      const files = await query<{ storage_key: string }>(
        em,
        sql`delete from attachment a where a.message_id = any(${uuidArray(doomed)}) returning a.storage_key`,
      );
      removed.attachments = files.length;
      removed.messages = (
        await query(em, sql`delete from message m where m.id = any(${uuidArray(doomed)}) returning 1`)
      ).length;
      const gone = (
        await query<{ id: string }>(
          em,
          sql`delete from conversation c where c.id = any(${uuidArray(ids)}) and not exists (select 1 from message m where m.conversation_id = c.id) returning c.id`,
        )
      ).map((r) => r.id);
      removed.conversations = gone.length;
      if (gone.length)
        await query(em, sql`delete from auto_reply_sent s where s.conversation_id = any(${uuidArray(gone)})`);
      removed.files = await removeUnreferencedBlobs(
        em,
        files.map((f) => f.storage_key),
      );
    }
    // Notices only point at messages for catching up: they go by age, except those of held conversations.
    const notices = await query(
      em,
      sql`delete from notice where seq in (${noticeCandidates(cutoff)} order by n.seq limit ${limit}) returning 1`,
    );
    removed.notices = notices.length;
    return { removed, more: ids.length === limit || notices.length === limit };
  },
};

const draftCandidates = (cutoff: Date) => sql`select d.id from draft d
   where d.saved_at < ${ts(cutoff)}
     and not exists (select 1 from legal_hold h where h.released_at is null and h.case_id = d.case_id)
     and (d.reply_to_id is null or not ${messageHeld(sql`d.reply_to_id`)})`;

const drafts: RuleDef = {
  enabled: (s) => s.draftDays > 0,
  period: (s) => plural(s.draftDays, 'day', 'days'),
  cutoff: (s, now) => new Date(now.getTime() - s.draftDays * 86_400_000),
  async preview(em, cutoff) {
    return counts((await query(em, sql`select count(*) as drafts from (${draftCandidates(cutoff)}) d`))[0]);
  },
  async kept(em, cutoff) {
    const rows = await query(
      em,
      sql`select count(*) as "draftsOnHold" from draft d where d.saved_at < ${ts(cutoff)} and d.id not in (${draftCandidates(cutoff)})`,
    );
    return counts(rows[0]);
  },
  async batch(em, cutoff, limit) {
    // Their uploads become unsent uploads, removed by UNSENT_UPLOADS once old enough.
    const n = (
      await query(
        em,
        sql`delete from draft where id in (${draftCandidates(cutoff)} limit ${limit} for update of d skip locked) returning 1`,
      )
    ).length;
    return { removed: { drafts: n }, more: n === limit };
  },
};

const uploadCandidates = (cutoff: Date) => sql`select a.id from attachment a
   where a.message_id is null and a.created_at < ${ts(cutoff)}
     and not exists (select 1 from draft d where d.attachment_ids @> to_jsonb(a.id::text))
     and not exists (select 1 from journal_entry j where j.attachment_id = a.id)`;

const unsentUploads: RuleDef = {
  enabled: () => true,
  period: (s) => plural(s.unsentUploadHours, 'hour', 'hours'),
  cutoff: (s, now) => new Date(now.getTime() - s.unsentUploadHours * 3_600_000),
  async preview(em, cutoff) {
    return counts((await query(em, sql`select count(*) as uploads from (${uploadCandidates(cutoff)}) a`))[0]);
  },
  async kept() {
    return {};
  },
  async batch(em, cutoff, limit) {
    const gone = await query<{ storage_key: string }>(
      em,
      sql`delete from attachment where id in (${uploadCandidates(cutoff)} limit ${limit} for update of a skip locked) returning storage_key`,
    );
    return {
      removed: {
        uploads: gone.length,
        files: await removeUnreferencedBlobs(
          em,
          gone.map((g) => g.storage_key),
        ),
      },
      more: gone.length === limit,
    };
  },
};

const deliveryCandidates = (cutoff: Date) => sql`select nd.job_id from notification_delivery nd
   where nd.delivered_at < ${ts(cutoff)} and not ${messageHeld(sql`nd.message_id`)}`;
const finishedJobs = (table: 'job' | 'archive', cutoff: Date) =>
  sql`select id from pgboss.${raw(table)} where name = ${NOTIFY_QUEUE} and state = 'completed' and completed_on < ${ts(cutoff)}`;

const notifications: RuleDef = {
  enabled: (s) => s.notificationDays > 0,
  period: (s) => plural(s.notificationDays, 'day', 'days'),
  cutoff: (s, now) => new Date(now.getTime() - s.notificationDays * 86_400_000),
  async preview(em, cutoff) {
    const rows = await query(
      em,
      sql`select (select count(*) from (${deliveryCandidates(cutoff)}) d) as "notificationDeliveries",
                 (select count(*) from (${finishedJobs('job', cutoff)}) j) + (select count(*) from (${finishedJobs('archive', cutoff)}) a) as "notificationJobs"`,
    );
    return counts(rows[0]);
  },
  async kept(em, cutoff) {
    const rows = await query(
      em,
      sql`select count(*) as "notificationDeliveriesOnHold" from notification_delivery nd where nd.delivered_at < ${ts(cutoff)} and ${messageHeld(sql`nd.message_id`)}`,
    );
    return counts(rows[0]);
  },
  async batch(em, cutoff, limit) {
    const d = (
      await query(
        em,
        sql`delete from notification_delivery where job_id in (${deliveryCandidates(cutoff)} limit ${limit} for update of nd skip locked) returning 1`,
      )
    ).length;
    const j = (
      await query(
        em,
        sql`delete from pgboss.job where id in (${finishedJobs('job', cutoff)} limit ${limit}) and name = ${NOTIFY_QUEUE} returning 1`,
      )
    ).length;
    const a = (
      await query(
        em,
        sql`delete from pgboss.archive where id in (${finishedJobs('archive', cutoff)} limit ${limit}) returning 1`,
      )
    ).length;
    return { removed: { notificationDeliveries: d, notificationJobs: j + a }, more: Math.max(d, j, a) === limit };
  },
};

const accessLogCandidates = (cutoff: Date) => sql`select l.id from access_log_entry l
   where l.created_at < ${ts(cutoff)} and not ${personHeld(sql`l.person_id`)}`;

const accessLog: RuleDef = {
  enabled: () => true,
  period: (s) => plural(s.accessLogYears, 'year', 'years'),
  cutoff: (s, now) => minus(now, (d) => d.setUTCFullYear(d.getUTCFullYear() - s.accessLogYears)),
  async preview(em, cutoff) {
    return counts(
      (await query(em, sql`select count(*) as "accessLogRows" from (${accessLogCandidates(cutoff)}) l`))[0],
    );
  },
  async kept(em, cutoff) {
    const rows = await query(
      em,
      sql`select count(*) as "accessLogRowsOnHold" from access_log_entry l where l.created_at < ${ts(cutoff)} and ${personHeld(sql`l.person_id`)}`,
    );
    return counts(rows[0]);
  },
  async batch(em, cutoff, limit) {
    const n = (
      await query(
        em,
        sql`delete from access_log_entry where id in (${accessLogCandidates(cutoff)} order by l.created_at limit ${limit} for update of l skip locked) returning 1`,
      )
    ).length;
    return { removed: { accessLogRows: n }, more: n === limit };
  },
};

const extractCandidates = (cutoff: Date) =>
  sql`select x.id from register_extract x where x.status = 'READY' and x.expires_at < ${ts(cutoff)}`;

const registerExtracts: RuleDef = {
  enabled: () => true,
  period: (s) => `${plural(s.registerExtractDays, 'day', 'days')} after it is ready`,
  cutoff: (_s, now) => now,
  async preview(em, cutoff) {
    return counts(
      (await query(em, sql`select count(*) as "registerExtracts" from (${extractCandidates(cutoff)}) x`))[0],
    );
  },
  async kept() {
    return {};
  },
  async batch(em, cutoff, limit) {
    const gone = await query<{ key: string }>(
      em,
      sql`update register_extract y set status = 'EXPIRED', storage_key = null
           from (select x.id, x.storage_key from register_extract x where x.id in (${extractCandidates(cutoff)} limit ${limit} for update of x skip locked)) old
          where y.id = old.id returning old.storage_key as key`,
    );
    const keys = gone.map((g) => g.key).filter(Boolean);
    if (keys.length) await query(em, sql`delete from attachment_blob where key = any(${textArray(keys)})`);
    return { removed: { registerExtracts: gone.length }, more: gone.length === limit };
  },
};

export const RULES: Record<RetentionRule, RuleDef> = {
  [RetentionRule.CONVERSATIONS]: conversations,
  [RetentionRule.DRAFTS]: drafts,
  [RetentionRule.UNSENT_UPLOADS]: unsentUploads,
  [RetentionRule.NOTIFICATIONS]: notifications,
  [RetentionRule.ACCESS_LOG]: accessLog,
  [RetentionRule.REGISTER_EXTRACTS]: registerExtracts,
};

/** A rule as configured now, for administrators. */
export interface RetentionRuleSetting {
  rule: RetentionRule;
  enabled: boolean;
  period: string;
}

export function retentionRuleSettings(settings: RetentionSettings): RetentionRuleSetting[] {
  return RULE_ORDER.map((rule) => ({
    rule,
    enabled: RULES[rule].enabled(settings),
    period: RULES[rule].period(settings),
  }));
}

const add = (into: RetentionCounts, more: RetentionCounts) => {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
  return into;
};

/**
 * Runs the rules (G1–G7). `em` is a fresh EntityManager (no open
 * transaction): each batch opens its own.
 */
export class RetentionService {
  constructor(
    private readonly em: EntityManager,
    private readonly settings: RetentionSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every enabled rule in order; a failed rule is recorded and the next one still runs. */
  async runAll(opts: { dryRun?: boolean; startedById?: string | null } = {}): Promise<RetentionRun[]> {
    const runs: RetentionRun[] = [];
    let failure: unknown;
    for (const rule of RULE_ORDER) {
      try {
        const run = await this.run(rule, opts);
        if (run) runs.push(run);
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
    return runs;
  }

  /**
   * One rule. A dry run counts and records; a real run thins in batches and
   * returns null when the rule is off or already running elsewhere (G6).
   */
  async run(
    rule: RetentionRule,
    opts: { dryRun?: boolean; startedById?: string | null } = {},
  ): Promise<RetentionRun | null> {
    const def = RULES[rule];
    if (!def.enabled(this.settings)) return null;
    const now = this.now();
    const cutoff = def.cutoff(this.settings, now);
    const base = {
      rule,
      period: def.period(this.settings),
      cutoff,
      startedBy: opts.startedById ?? null,
      createdAt: now,
      heartbeatAt: now,
    };
    if (opts.dryRun) {
      const [removed, kept] = await Promise.all([def.preview(this.em, cutoff), def.kept(this.em, cutoff)]);
      const run = this.em.create(RetentionRun, {
        ...base,
        dryRun: true,
        status: RetentionRunStatus.DONE,
        removed,
        kept,
        finishedAt: this.now(),
      });
      await this.em.flush();
      return run;
    }
    const run = await this.start(base);
    if (!run) return null;
    try {
      run.kept = await def.kept(this.em, cutoff);
      for (;;) {
        // The record is updated in the batch's own transaction: its counts are exactly what was committed.
        const { more, total } = await this.em.transactional(async (tx) => {
          const b = await def.batch(tx, cutoff, this.settings.batchSize);
          const sum = add({ ...run.removed }, b.removed);
          await query(
            tx,
            sql`update retention_run set removed = ${JSON.stringify(sum)}::jsonb, kept = ${JSON.stringify(run.kept)}::jsonb, heartbeat_at = now() where id = ${run.id}::uuid`,
          );
          return { more: b.more, total: sum };
        });
        run.removed = total;
        if (!more) break;
      }
      await this.finish(run, RetentionRunStatus.DONE);
      log.info('gallring done', { rule, removed: run.removed, kept: run.kept });
      return run;
    } catch (err) {
      await this.finish(run, RetentionRunStatus.FAILED).catch(() => undefined);
      log.error('gallring failed', { rule, err });
      throw err;
    }
  }

  /** The RUNNING record, or null when another server runs the rule (G6). A record left by a stopped server is marked ABANDONED first. */
  private async start(base: { rule: RetentionRule; [field: string]: unknown }): Promise<RetentionRun | null> {
    const staleBefore = new Date(Date.now() - ABANDONED_AFTER_MS).toISOString();
    await query(
      this.em,
      sql`update retention_run set status = 'ABANDONED', finished_at = now()
           where rule = ${base.rule}::retention_rule and status = 'RUNNING' and not dry_run and heartbeat_at < ${staleBefore}::timestamptz`,
    );
    const em = this.em.fork();
    const run = em.create(RetentionRun, { ...base, status: RetentionRunStatus.RUNNING } as never);
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        log.info('gallring skipped: another server is running this rule', { rule: base.rule });
        return null;
      }
      throw err;
    }
    return run;
  }

  private async finish(run: RetentionRun, status: RetentionRunStatus): Promise<void> {
    run.status = status;
    run.finishedAt = new Date();
    await query(
      this.em,
      sql`update retention_run set status = ${status}::retention_run_status, finished_at = now(), removed = ${JSON.stringify(run.removed)}::jsonb, kept = ${JSON.stringify(run.kept)}::jsonb, heartbeat_at = now() where id = ${run.id}::uuid`,
    );
  }

  /** The gallring records, newest first. */
  async list(args: {
    rule?: RetentionRule | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<RetentionRun>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, 2) as [string, string] | undefined;
    const qb = this.em
      .createQueryBuilder(RetentionRun, 'r')
      .orderBy({ createdAt: 'desc', id: 'desc' })
      .limit(size + 1);
    if (args.rule) qb.andWhere({ rule: args.rule });
    if (after) qb.andWhere('(r.created_at, r.id) < (?, ?)', [after[0], after[1]]);
    const rows = await qb.getResultList();
    return toPage(rows, size, (r) => [r.createdAt.toISOString(), r.id]);
  }
}

// --- the job --------------------------------------------------------------------------------

/** Queue options: one run at a time across servers (singleton), one retry after a failure, room for a long run. */
export const retentionJobOptions = {
  retryLimit: 1,
  retryDelay: 300,
  retryBackoff: false,
  expireInSeconds: 6 * 3600,
} as const;

/** Makes the queue and the schedule (where the background work runs) and works its jobs. */
export async function startRetentionJobs(deps: {
  em: () => EntityManager;
  boss: PgBoss;
  config: Config;
}): Promise<{ stop(): Promise<void> }> {
  const { boss, config } = deps;
  await ensureRetentionQueue(boss);
  await boss.schedule(
    RETENTION_QUEUE,
    config.retention.schedule,
    {},
    { tz: 'Europe/Stockholm', ...retentionJobOptions },
  );
  await boss.work<{ startedById?: string | null }>(
    RETENTION_QUEUE,
    { pollingIntervalSeconds: 10, batchSize: 1 },
    async ([job]) => {
      await new RetentionService(deps.em(), config.retention).runAll({ startedById: job.data?.startedById ?? null });
    },
  );
  return {
    async stop() {
      await boss.offWork(RETENTION_QUEUE);
    },
  };
}

export async function ensureRetentionQueue(boss: PgBoss): Promise<void> {
  await ensureQueue(boss, RETENTION_QUEUE, { policy: 'singleton', ...retentionJobOptions, retentionDays: 30 });
}

/** An administrator's "run now": queued behind any run under way. */
export async function queueRetentionRun(boss: PgBoss, startedById: string): Promise<string | null> {
  await ensureRetentionQueue(boss);
  return boss.send(RETENTION_QUEUE, { startedById }, retentionJobOptions);
}
