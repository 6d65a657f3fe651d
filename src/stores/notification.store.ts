import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuid } from '../domain/sql';
import type { NotifyTarget } from '../notifications/outbox';
import { query } from './query';

// The notifications' statements: who to notify, what was delivered, and the two reads and writes of
// pg-boss's job table that pg-boss 10's API has no call for (each says why where it stands).

/**
 * The citizens among `pairs` whose e-service is active, with their notification choices and the
 * municipality each message comes from (the case's unit, else the sending staff member's or mailbox's).
 */
export async function notifyTargets(
  em: EntityManager,
  args: { pairs: readonly { messageId: string; personId: string }[] },
): Promise<NotifyTarget[]> {
  const wanted = JSON.stringify(args.pairs.map((w) => ({ message_id: w.messageId, person_id: w.personId })));
  return query<NotifyTarget>(
    em,
    sql`select w.message_id, p.id as person_id, p.notify_by_sms, p.notify_by_email,
              coalesce(cu.municipality, su.municipality, mu.municipality) as municipality
         from jsonb_to_recordset(${wanted}::jsonb) as w(message_id uuid, person_id uuid)
         join person p on p.id = w.person_id and p.messaging_enabled
         join message m on m.id = w.message_id
         join conversation c on c.id = m.conversation_id
         left join case_file cf on cf.id = c.case_id left join unit cu on cu.id = cf.unit_id
         left join staff s on s.id = m.sender_staff_id left join unit su on su.id = s.unit_id
         left join shared_mailbox sm on sm.id = m.sender_mailbox_id left join unit mu on mu.id = sm.unit_id`,
  );
}

/** True when a notification with this dedup key was handed to its provider. */
export async function isDelivered(em: EntityManager, args: { jobId: string }): Promise<boolean> {
  const rows = await query(em, sql`select 1 from notification_delivery where job_id = ${uuid(args.jobId)}`);
  return rows.length > 0;
}

/** True while the person has not read the message (a reminder is still wanted). */
export async function isUnread(em: EntityManager, args: { messageId: string; personId: string }): Promise<boolean> {
  const rows = await query(
    em,
    sql`select 1 from message_recipient
         where message_id = ${uuid(args.messageId)} and person_id = ${uuid(args.personId)} and read_at is null`,
  );
  return rows.length > 0;
}

/** Records a delivery; false when it was already recorded (a retry of a job that had reached its provider). */
export async function recordDelivery(
  em: EntityManager,
  args: { jobId: string; channel: string; messageId: string; personId: string },
): Promise<boolean> {
  const inserted = await query(
    em,
    sql`insert into notification_delivery (job_id, channel, message_id, person_id, delivered_at)
        values (${uuid(args.jobId)}, ${args.channel}, ${uuid(args.messageId)}, ${uuid(args.personId)}, now())
        on conflict do nothing returning job_id`,
  );
  return inserted.length > 0;
}

/** A job of the queue that failed after all its retries, as the administrators' list shows it. */
export interface FailedJob<T> {
  id: string;
  data: T;
  retryCount: number;
  output: { message?: string } | null;
  createdOn: Date;
  completedOn: Date | null;
}

/**
 * The newest failed jobs of a queue (at most `limit`). pg-boss 10 reads jobs
 * one id at a time (getJobById) and counts them by state (getQueueSize); it
 * has no call that lists a queue's jobs in a state, so this reads its job table.
 */
export async function failedJobs<T>(
  em: EntityManager,
  args: { queue: string; limit: number },
): Promise<FailedJob<T>[]> {
  // to_json(...) #>> '{}': timestamps as ISO 8601 text (raw SQL gives PostgreSQL's own text format otherwise).
  const rows = await query<{
    id: string;
    data: T;
    retry_count: number;
    output: { message?: string } | null;
    created_on: string;
    completed_on: string | null;
  }>(
    em,
    sql`select j.id, j.data, j.retry_count, j.output,
               to_json(j.created_on) #>> '{}' as created_on, to_json(j.completed_on) #>> '{}' as completed_on
          from pgboss.job j
         where j.name = ${args.queue} and j.state = 'failed'
         order by j.completed_on desc nulls last limit ${args.limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    data: r.data,
    retryCount: r.retry_count,
    output: r.output,
    createdOn: new Date(r.created_on),
    completedOn: r.completed_on ? new Date(r.completed_on) : null,
  }));
}

/**
 * Spends a job's remaining retries, so that pg-boss's `fail` that follows
 * leaves it failed (a dead letter) instead of queuing another attempt. pg-boss
 * 10 takes a job's retry limit only when the job is written (send/insert) and
 * has no call that changes it afterwards or fails a job for good, so this
 * updates its job table.
 */
export async function spendRetries(em: EntityManager, args: { queue: string; jobId: string }): Promise<void> {
  await query(
    em,
    sql`update pgboss.job set retry_limit = retry_count where name = ${args.queue} and id = ${uuid(args.jobId)}`,
  );
}
