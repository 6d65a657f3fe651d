import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import { ensureQueue } from '../notifications/boss';
import { RetentionService } from './retention.service';

// Gallring as a background job: the schedule from the configuration, an administrator's "run now", and the
// worker that runs the rules (retention.service) one job at a time across servers (G6).

export const RETENTION_QUEUE = 'retention';

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
