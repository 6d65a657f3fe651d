import PgBoss from 'pg-boss';
import type { Config } from '../config';

export const NOTIFY_QUEUE = 'notify';
/** How long a notification that failed all its retries stays listed for administrators. */
export const DEAD_LETTER_DAYS = 30;

/**
 * pg-boss keeps the notification jobs in PostgreSQL (schema `pgboss`), so a
 * job is written in the same transaction as the message it announces (a
 * transactional outbox) and survives any crash.
 */
export async function startBoss(
  databaseUrl: string,
  config: Config,
  opts: { schedule?: boolean } = {},
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: 4,
    application_name: 'ifo-notifications',
    // The cron timekeeper (gallring's schedule) runs where the background work runs; pg-boss lets one instance send each due job.
    schedule: opts.schedule ?? config.notify.worker,
    // Jobs of a killed worker stay "active" until maintenance expires them (pg-boss: every 2 min, after 15 min):
    // check at half the job timeout so they are retried soon after it.
    maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.floor(config.notify.jobTimeoutSeconds / 2))),
    // Dead letters must stay listable and retryable by administrators (pg-boss archives failed jobs after 12 h).
    archiveFailedAfterSeconds: DEAD_LETTER_DAYS * 86_400,
  });
  boss.on('error', () => undefined); // surfaced through job failures; do not crash the process
  await boss.start();
  await ensureQueue(boss, NOTIFY_QUEUE, { ...retryOptions(config), retentionDays: 14 });
  return boss;
}

/** PostgreSQL errors two instances creating the same queue at once may get: deadlock, unique violation, duplicate table. */
const QUEUE_RACE_CODES = new Set(['40P01', '23505', '42P07']);

/**
 * Creates a queue unless it exists. Two instances starting together (a
 * rolling deploy) both see no queue and both create it; pg-boss's partition
 * DDL then deadlocks or collides in one of them, so that one waits a moment
 * and looks again instead of failing its start.
 */
export async function ensureQueue(boss: PgBoss, name: string, options: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await boss.getQueue(name)) return;
    try {
      await boss.createQueue(name, { name, ...options });
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 8 || !code || !QUEUE_RACE_CODES.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

/**
 * Retries with backoff, and the time after which a job of a killed worker is
 * retried. Set on each job as well as on the queue: the queue is made once, and
 * a changed configuration must still reach the jobs written after it.
 */
export function retryOptions(config: Config) {
  return {
    retryLimit: config.notify.retryLimit,
    retryDelay: config.notify.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: config.notify.jobTimeoutSeconds,
  };
}

/** Installs or upgrades the pg-boss schema (used by `db:migrate` and the test template). */
export async function installBoss(databaseUrl: string): Promise<void> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max: 1,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
}
