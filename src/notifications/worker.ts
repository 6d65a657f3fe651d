import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { MessageEvent, MessageEventKind } from '../entities/message';
import { Person } from '../entities/person';
import { log } from '../log';
import { NOTIFY_QUEUE, retryOptions } from './boss';
import { HttpSmsSender, LogSender, ProviderError, SmtpEmailSender, type EmailSender, type SmsSender } from './channels';
import type { NotifyJob } from './outbox';
import { inQuietHours, nextAllowedTime } from './quiet-hours';
import { notificationText } from './texts';
import { isDelivered, isUnread, recordDelivery, spendRetries } from '../stores/notification.store';

export interface Senders {
  email: EmailSender;
  sms: SmsSender;
}

export function sendersFromConfig(config: Config): Senders {
  const devLog = path.join(config.dataDir, 'notifications.log');
  return {
    email: config.notify.smtpUrl
      ? new SmtpEmailSender(config.notify.smtpUrl, config.notify.emailFrom)
      : new LogSender(devLog, 'email'),
    sms: config.notify.smsApiUrl
      ? new HttpSmsSender(config.notify.smsApiUrl, config.notify.smsApiKey!)
      : new LogSender(devLog, 'sms'),
  };
}

export type JobOutcome = 'sent' | 'already-sent' | 'skipped' | 'deferred';

/**
 * Delivers one notification job. Exactly once: a job whose dedup key is in
 * notification_delivery is not sent again; if the process dies between the
 * provider accepting and that row being written, the retry reaches the
 * provider with the same key (Idempotency-Key / Message-ID), which drops it.
 */
export async function deliver(
  em: EntityManager,
  boss: PgBoss,
  config: Config,
  senders: Senders,
  job: NotifyJob,
  now = new Date(),
): Promise<JobOutcome> {
  if (await isDelivered(em, { jobId: job.dedupKey })) return 'already-sent';

  const person = await em.findOne(Person, { id: job.personId });
  if (!person || !person.messagingEnabled) return 'skipped';
  const wants = job.channel === 'sms' ? person.notifyBySms : person.notifyByEmail;
  const to = job.channel === 'sms' ? person.mobile : person.email;
  const verified = job.channel === 'sms' ? person.mobileVerified : person.emailVerified;
  // A protected identity is notified only at contact details that staff have confirmed.
  if (!wants || !to || (person.protectedIdentity && !verified)) return 'skipped';
  if (job.kind === 'reminder' && !(await isUnread(em, { messageId: job.messageId, personId: job.personId })))
    return 'skipped';
  if (job.channel === 'sms' && inQuietHours(now, config.notify.quietHours)) {
    await boss.send(NOTIFY_QUEUE, job, {
      startAfter: nextAllowedTime(now, config.notify.quietHours),
      ...retryOptions(config),
    });
    return 'deferred';
  }

  const { subject, text } = notificationText(job.kind, job.from, config.publicUrl);
  await (job.channel === 'sms' ? senders.sms : senders.email).send({ dedupKey: job.dedupKey, to, subject, text });

  await em.transactional(async (tx) => {
    const delivery = { jobId: job.dedupKey, channel: job.channel, messageId: job.messageId, personId: job.personId };
    if (await recordDelivery(tx, delivery)) {
      const channel = job.channel === 'sms' ? 'SMS' : 'E-post';
      tx.create(MessageEvent, {
        message: job.messageId,
        kind: MessageEventKind.NOTIFIED,
        detail: job.kind === 'reminder' ? `${channel} (påminnelse)` : channel,
      });
    }
  });
  return 'sent';
}

export interface NotificationWorker {
  stop(): Promise<void>;
}

/** Runs the notification jobs: a few at a time, retried with backoff by pg-boss, then left failed for administrators. */
export async function startNotificationWorker(deps: {
  orm: Orm;
  boss: PgBoss;
  config: Config;
  senders?: Senders;
}): Promise<NotificationWorker> {
  const senders = deps.senders ?? sendersFromConfig(deps.config);
  await deps.boss.work<NotifyJob>(NOTIFY_QUEUE, { batchSize: 5, pollingIntervalSeconds: 0.5 }, async (jobs) => {
    for (const job of jobs) {
      try {
        const outcome = await deliver(deps.orm.em.fork(), deps.boss, deps.config, senders, job.data);
        log.info('notification job', { jobId: job.id, channel: job.data.channel, kind: job.data.kind, outcome });
      } catch (err) {
        // Fail this job alone (pg-boss retries it with backoff); the rest of the batch completes.
        log.warn('notification job failed', { jobId: job.id, channel: job.data.channel, err });
        if (err instanceof ProviderError && err.permanent) {
          // Retrying a refused request cannot help: straight to the dead letters for an administrator.
          await spendRetries(deps.orm.em.fork(), { queue: NOTIFY_QUEUE, jobId: job.id });
        }
        await deps.boss.fail(NOTIFY_QUEUE, job.id, { message: err instanceof Error ? err.message : String(err) });
      }
    }
  });
  return {
    async stop() {
      await deps.boss.offWork(NOTIFY_QUEUE);
      senders.email.close?.();
    },
  };
}
