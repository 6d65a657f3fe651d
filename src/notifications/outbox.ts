import { uuidFromName } from '../domain/ids';
import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { DomainEvent } from '../domain/notices';
import { PartyKind } from '../entities/party';
import { notifyTargets } from '../stores/notification.store';
import { transactionDb } from '../stores/job-queue.store';
import { NOTIFY_QUEUE, retryOptions } from './boss';
import { nextAllowedTime } from './quiet-hours';

export type Channel = 'sms' | 'email';

/** What a notification job carries: ids and a sender label, never message content. */
export interface NotifyJob {
  dedupKey: string;
  channel: Channel;
  kind: 'new' | 'reminder';
  messageId: string;
  personId: string;
  from: string;
}

/** A stable UUID per (message, person, channel, kind): the providers' deduplication key. */
export function dedupKey(messageId: string, personId: string, channel: Channel, kind: NotifyJob['kind']): string {
  return uuidFromName(`${messageId}:${personId}:${channel}:${kind}`);
}

/**
 * The notifications of what a transaction recorded, written in it: for the
 * targets a send already read with its other reads (no statement of its own),
 * else for the events' new messages to citizens (one statement reads who chose
 * what).
 */
export async function queueNotifications(
  em: EntityManager,
  deps: { boss: PgBoss; config: Config },
  events: readonly DomainEvent[],
  knownTargets?: readonly NotifyTarget[],
): Promise<void> {
  if (knownTargets) await insertNotificationJobs(em, deps.boss, notificationJobs(knownTargets, deps.config));
  else await enqueueNotifications(em, deps.boss, deps.config, events);
}

/**
 * Writes the SMS/e-mail jobs for new messages to citizens who chose them, in
 * the message's own transaction: nothing is lost if the process dies right
 * after the commit. SMS are held until the quiet hours end; a reminder is
 * scheduled for when the message may still be unread.
 */
export async function enqueueNotifications(
  em: EntityManager,
  boss: PgBoss,
  config: Config,
  events: readonly DomainEvent[],
  now = new Date(),
): Promise<number> {
  const sent = events.filter((e): e is Extract<DomainEvent, { type: 'message.sent' }> => e.type === 'message.sent');
  const wanted = sent.flatMap((e) =>
    e.recipients.filter((r) => r.kind === PartyKind.PERSON).map((r) => ({ messageId: e.messageId, personId: r.id })),
  );
  if (!wanted.length) return 0;
  const rows = await notifyTargets(em, { pairs: wanted });
  const jobs = notificationJobs(rows, config, now);
  await insertNotificationJobs(em, boss, jobs);
  return jobs.length;
}

/** A citizen addressed by a new message, with their notification choices and the municipality the message comes from. */
export interface NotifyTarget {
  message_id: string;
  person_id: string;
  notify_by_sms: boolean;
  notify_by_email: boolean;
  municipality: string | null;
}

/** The jobs for the targets (no SQL): SMS held until the quiet hours end, a reminder when configured. */
export function notificationJobs(
  rows: readonly NotifyTarget[],
  config: Config,
  now = new Date(),
): PgBoss.JobInsert<NotifyJob>[] {
  const jobs: PgBoss.JobInsert<NotifyJob>[] = [];
  const smsAt = nextAllowedTime(now, config.notify.quietHours);
  const reminderAt = new Date(now.getTime() + config.notify.reminderAfterDays * 86_400_000);
  for (const r of rows) {
    const from = r.municipality ? `socialtjänsten i ${r.municipality}` : 'socialtjänsten';
    const channels: Channel[] = [
      ...(r.notify_by_sms ? (['sms'] as const) : []),
      ...(r.notify_by_email ? (['email'] as const) : []),
    ];
    for (const channel of channels) {
      const job = (kind: NotifyJob['kind'], at: Date): PgBoss.JobInsert<NotifyJob> => ({
        name: NOTIFY_QUEUE,
        data: {
          dedupKey: dedupKey(r.message_id, r.person_id, channel, kind),
          channel,
          kind,
          messageId: r.message_id,
          personId: r.person_id,
          from,
        },
        startAfter: at.toISOString(),
        ...retryOptions(config),
      });
      jobs.push(job('new', channel === 'sms' ? smsAt : now));
      if (config.notify.reminderAfterDays > 0) {
        jobs.push(
          job('reminder', channel === 'sms' ? nextAllowedTime(reminderAt, config.notify.quietHours) : reminderAt),
        );
      }
    }
  }
  return jobs;
}

/** Writes the jobs in the caller's transaction (one statement), when there are any. */
export async function insertNotificationJobs(
  em: EntityManager,
  boss: PgBoss,
  jobs: PgBoss.JobInsert<NotifyJob>[],
): Promise<void> {
  if (jobs.length) await boss.insert(jobs, { db: transactionDb(em) });
}
