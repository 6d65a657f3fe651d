import type PgBoss from 'pg-boss';
import type { Config } from './config';
import type { Orm } from './db/orm';
import { startSessionHousekeeping } from './auth/session-housekeeping';
import { startRegisterExtractJobs } from './domain/register-extract.service';
import { startRetentionJobs } from './domain/retention.jobs';
import { PostgresBlobStore } from './storage/blob-store';
import { startBoss } from './notifications/boss';
import { startNotificationWorker, type NotificationWorker, type Senders } from './notifications/worker';
import { createNoticeBus, type NoticeBus } from './subscriptions/bus';
import { NoticePipeline } from './subscriptions/notice-pipeline';

/** What a server instance runs beside HTTP: the notice bus, the job queue and (unless WORKER=off) the background work. */
export interface Runtime {
  bus: NoticeBus;
  boss: PgBoss;
  sink: NoticePipeline;
  /** Stops the background work and the job queue, letting jobs under way finish for up to `graceMs` (default 10 s). */
  close(opts?: { graceMs?: number }): Promise<void>;
}

export async function startRuntime(
  config: Config,
  orm: Orm,
  databaseUrl: string,
  opts: { senders?: Senders } = {},
): Promise<Runtime> {
  const bus = createNoticeBus(config.redisUrl);
  const boss = await startBoss(databaseUrl, config);
  const sink = new NoticePipeline({ orm, bus, config, boss });
  const background = config.notify.worker
    ? await startBackgroundWork({ orm, boss, config, senders: opts.senders })
    : undefined;
  return {
    bus,
    boss,
    sink,
    async close(opts = {}) {
      await background?.stop();
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1_000, opts.graceMs ?? 10_000) });
      await bus.close();
    },
  };
}

/**
 * The work that runs in one place, beside an API server or on its own
 * (`npm run worker`): the notification jobs, gallring on its schedule (unsent
 * uploads among its rules), register extracts, and the hourly schedule that
 * removes browser sessions past their limits.
 */
export async function startBackgroundWork(deps: {
  orm: Orm;
  boss: PgBoss;
  config: Config;
  senders?: Senders;
}): Promise<NotificationWorker> {
  const em = () => deps.orm.em.fork();
  const worker = await startNotificationWorker(deps);
  const retention = await startRetentionJobs({ em, boss: deps.boss, config: deps.config });
  const extracts = await startRegisterExtractJobs({
    em,
    boss: deps.boss,
    config: deps.config,
    store: new PostgresBlobStore(),
  });
  const housekeeping = await startSessionHousekeeping({ em, boss: deps.boss, config: deps.config });
  return {
    async stop() {
      await housekeeping.stop();
      await retention.stop();
      await extracts.stop();
      await worker.stop();
    },
  };
}
