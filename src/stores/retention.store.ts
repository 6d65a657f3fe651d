import type { EntityManager } from '@mikro-orm/postgresql';
import { conversationHeld, messageHeld, personHeld } from '../domain/legal-hold.service';
import { raw, sql, textArray, uuidArray, type Sql } from '../domain/sql';
import type { RetentionCounts } from '../entities/retention-run';
import { NOTIFY_QUEUE } from '../notifications/boss';
import { query } from './query';

// The gallring statements (retention.service G1–G7), one set per rule: what would go, what stays although old
// enough, and one batch of removals in the caller's transaction. The legal-hold fragments (G3) come from the
// legal-hold rules so a held record is defined once.

/** One batch's removals; `more` is true when the batch was full (there may be more). */
export interface RetentionBatch {
  removed: RetentionCounts;
  more: boolean;
}

/** The statements of one rule. */
export interface RetentionRuleStore {
  /** What would go (read only). */
  preview(em: EntityManager, p: { cutoff: Date }): Promise<RetentionCounts>;
  /** What stays although old enough (journaled, held). */
  kept(em: EntityManager, p: { cutoff: Date }): Promise<RetentionCounts>;
  /** One batch, in the caller's transaction. */
  batch(em: EntityManager, p: { cutoff: Date; limit: number }): Promise<RetentionBatch>;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** G2: the message (alias) is in the case file. */
const journaled = (alias: string) => sql`exists (select 1 from journal_entry j where j.message_id = ${raw(alias)}.id)`;

/** Numbers from a count row (PostgreSQL's bigint counts arrive as text). */
function counts(row: Record<string, unknown> | undefined): RetentionCounts {
  const out: RetentionCounts = {};
  for (const [k, v] of Object.entries(row ?? {})) out[k] = Number(v);
  return out;
}

/** Runs a count statement and reads its one row. */
async function countRow(em: EntityManager, statement: Sql): Promise<RetentionCounts> {
  return counts((await query(em, statement))[0]);
}

const nothingKept = () => Promise.resolve({});

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

// --- CONVERSATIONS --------------------------------------------------------------------------

/** Old conversations that still have something to thin: a message not journaled, or no message at all (G1–G3). */
const conversationCandidates = (cutoff: Date) => sql`select c.id from conversation c
   where c.last_message_at < ${ts(cutoff)} and not ${conversationHeld('c')}
     and (exists (select 1 from message m where m.conversation_id = c.id and not ${journaled('m')})
          or not exists (select 1 from message m where m.conversation_id = c.id))`;

const noticeCandidates = (cutoff: Date) => sql`select n.seq from notice n
   where n.created_at < ${ts(cutoff)}
     and not exists (select 1 from conversation c where c.id = (n.payload->>'conversationId')::uuid and ${conversationHeld('c')})`;

/** The messages of these conversations that go (not journaled), with their dependants; returns what went. */
async function removeMessages(em: EntityManager, conversationIds: string[]): Promise<RetentionCounts> {
  const doomed = (
    await query<{ id: string }>(
      em,
      sql`select m.id from message m where m.conversation_id = any(${uuidArray(conversationIds)}) and not ${journaled('m')}`,
    )
  ).map((r) => r.id);
  const removed = await countRow(
    em,
    sql`select
         (select count(*) from message_recipient r where r.message_id = any(${uuidArray(doomed)})) as recipients,
         (select count(*) from message_recipient r where r.message_id = any(${uuidArray(doomed)}) and r.read_at is not null) as "readReceipts",
         (select count(*) from message_event e where e.message_id = any(${uuidArray(doomed)})) as "historyEvents"`,
  );
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
      sql`delete from conversation c where c.id = any(${uuidArray(conversationIds)})
           and not exists (select 1 from message m where m.conversation_id = c.id) returning c.id`,
    )
  ).map((r) => r.id);
  removed.conversations = gone.length;
  if (gone.length)
    await query(em, sql`delete from auto_reply_sent s where s.conversation_id = any(${uuidArray(gone)})`);
  removed.files = await removeUnreferencedBlobs(
    em,
    files.map((f) => f.storage_key),
  );
  return removed;
}

export const conversationRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) =>
    countRow(
      em,
      sql`with cand as (${conversationCandidates(cutoff)}),
           doomed as (select m.id from message m join cand on cand.id = m.conversation_id where not ${journaled('m')}),
           files as (select a.storage_key from attachment a where a.message_id in (select id from doomed))
         select
           (select count(*) from cand
             where not exists (select 1 from message m where m.conversation_id = cand.id and ${journaled('m')})) as conversations,
           (select count(*) from doomed) as messages,
           (select count(*) from message_recipient r where r.message_id in (select id from doomed)) as recipients,
           (select count(*) from message_recipient r where r.message_id in (select id from doomed) and r.read_at is not null) as "readReceipts",
           (select count(*) from message_event e where e.message_id in (select id from doomed)) as "historyEvents",
           (select count(*) from files) as attachments,
           (select count(distinct f.storage_key) from files f
             where not exists (select 1 from attachment a
                                where a.storage_key = f.storage_key and (a.message_id is null or a.message_id not in (select id from doomed)))
               and not exists (select 1 from case_document_pdf d where d.storage_key = f.storage_key)) as files,
           (select count(*) from (${noticeCandidates(cutoff)}) n) as notices`,
    ),
  kept: (em, { cutoff }) =>
    countRow(
      em,
      sql`select
           (select count(*) from conversation c where c.last_message_at < ${ts(cutoff)} and ${conversationHeld('c')}) as "conversationsOnHold",
           (select count(*) from message m join conversation c on c.id = m.conversation_id
             where c.last_message_at < ${ts(cutoff)} and not ${conversationHeld('c')} and ${journaled('m')}) as "journaledMessages"`,
    ),
  async batch(em, { cutoff, limit }) {
    // Conversations a send is writing to right now are locked by it: skipped, taken next run.
    const ids = (
      await query<{ id: string }>(
        em,
        sql`${conversationCandidates(cutoff)} order by c.last_message_at, c.id limit ${limit} for update of c skip locked`,
      )
    ).map((r) => r.id);
    const removed: RetentionCounts = ids.length ? await removeMessages(em, ids) : {};
    // Notices only point at messages for catching up: they go by age, except those of held conversations.
    const notices = await query(
      em,
      sql`delete from notice where seq in (${noticeCandidates(cutoff)} order by n.seq limit ${limit}) returning 1`,
    );
    removed.notices = notices.length;
    return { removed, more: ids.length === limit || notices.length === limit };
  },
};

// --- DRAFTS ---------------------------------------------------------------------------------

const draftCandidates = (cutoff: Date) => sql`select d.id from draft d
   where d.saved_at < ${ts(cutoff)}
     and not exists (select 1 from legal_hold h where h.released_at is null and h.case_id = d.case_id)
     and (d.reply_to_id is null or not ${messageHeld(sql`d.reply_to_id`)})`;

export const draftRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) => countRow(em, sql`select count(*) as drafts from (${draftCandidates(cutoff)}) d`),
  kept: (em, { cutoff }) =>
    countRow(
      em,
      sql`select count(*) as "draftsOnHold" from draft d where d.saved_at < ${ts(cutoff)} and d.id not in (${draftCandidates(cutoff)})`,
    ),
  async batch(em, { cutoff, limit }) {
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

// --- UNSENT_UPLOADS -------------------------------------------------------------------------

const uploadCandidates = (cutoff: Date) => sql`select a.id from attachment a
   where a.message_id is null and a.created_at < ${ts(cutoff)}
     and not exists (select 1 from draft d where d.attachment_ids @> to_jsonb(a.id::text))
     and not exists (select 1 from journal_entry j where j.attachment_id = a.id)`;

export const unsentUploadRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) => countRow(em, sql`select count(*) as uploads from (${uploadCandidates(cutoff)}) a`),
  kept: nothingKept,
  async batch(em, { cutoff, limit }) {
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

// --- NOTIFICATIONS --------------------------------------------------------------------------

const deliveryCandidates = (cutoff: Date) => sql`select nd.job_id from notification_delivery nd
   where nd.delivered_at < ${ts(cutoff)} and not ${messageHeld(sql`nd.message_id`)}`;
const finishedJobs = (table: 'job' | 'archive', cutoff: Date) =>
  sql`select id from pgboss.${raw(table)} where name = ${NOTIFY_QUEUE} and state = 'completed' and completed_on < ${ts(cutoff)}`;

export const notificationRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) =>
    countRow(
      em,
      sql`select (select count(*) from (${deliveryCandidates(cutoff)}) d) as "notificationDeliveries",
                 (select count(*) from (${finishedJobs('job', cutoff)}) j)
                   + (select count(*) from (${finishedJobs('archive', cutoff)}) a) as "notificationJobs"`,
    ),
  kept: (em, { cutoff }) =>
    countRow(
      em,
      sql`select count(*) as "notificationDeliveriesOnHold" from notification_delivery nd
           where nd.delivered_at < ${ts(cutoff)} and ${messageHeld(sql`nd.message_id`)}`,
    ),
  async batch(em, { cutoff, limit }) {
    const d = (
      await query(
        em,
        sql`delete from notification_delivery
             where job_id in (${deliveryCandidates(cutoff)} limit ${limit} for update of nd skip locked) returning 1`,
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

// --- ACCESS_LOG -----------------------------------------------------------------------------

const accessLogCandidates = (cutoff: Date) => sql`select l.id from access_log_entry l
   where l.created_at < ${ts(cutoff)} and not ${personHeld(sql`l.person_id`)}`;

export const accessLogRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) =>
    countRow(em, sql`select count(*) as "accessLogRows" from (${accessLogCandidates(cutoff)}) l`),
  kept: (em, { cutoff }) =>
    countRow(
      em,
      sql`select count(*) as "accessLogRowsOnHold" from access_log_entry l
           where l.created_at < ${ts(cutoff)} and ${personHeld(sql`l.person_id`)}`,
    ),
  async batch(em, { cutoff, limit }) {
    const n = (
      await query(
        em,
        sql`delete from access_log_entry
             where id in (${accessLogCandidates(cutoff)} order by l.created_at limit ${limit} for update of l skip locked) returning 1`,
      )
    ).length;
    return { removed: { accessLogRows: n }, more: n === limit };
  },
};

// --- REGISTER_EXTRACTS ----------------------------------------------------------------------

const extractCandidates = (cutoff: Date) =>
  sql`select x.id from register_extract x where x.status = 'READY' and x.expires_at < ${ts(cutoff)}`;

export const registerExtractRetention: RetentionRuleStore = {
  preview: (em, { cutoff }) =>
    countRow(em, sql`select count(*) as "registerExtracts" from (${extractCandidates(cutoff)}) x`),
  kept: nothingKept,
  async batch(em, { cutoff, limit }) {
    const gone = await query<{ key: string }>(
      em,
      sql`update register_extract y set status = 'EXPIRED', storage_key = null
           from (select x.id, x.storage_key from register_extract x
                  where x.id in (${extractCandidates(cutoff)} limit ${limit} for update of x skip locked)) old
          where y.id = old.id returning old.storage_key as key`,
    );
    const keys = gone.map((g) => g.key).filter(Boolean);
    if (keys.length) await query(em, sql`delete from attachment_blob where key = any(${textArray(keys)})`);
    return { removed: { registerExtracts: gone.length }, more: gone.length === limit };
  },
};
