import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from './config';
import type { Orm } from './db/orm';
import { purgeUnsentUploads } from './domain/attachment.service';
import { log } from './log';
import { startBoss } from './notifications/boss';
import { startNotificationWorker, type NotificationWorker, type Senders } from './notifications/worker';
import { createNoticeBus, type NoticeBus } from './subscriptions/bus';
import { NoticePipeline } from './subscriptions/notice-pipeline';

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/** What a server instance runs beside HTTP: the notice bus, the job queue and (optionally) the notification worker. */
export interface Runtime {
  bus: NoticeBus;
  boss: PgBoss;
  sink: NoticePipeline;
  worker?: NotificationWorker;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, orm: Orm, databaseUrl: string, opts: { senders?: Senders; worker?: boolean } = {}): Promise<Runtime> {
  const bus = createNoticeBus(config.redisUrl);
  const boss = await startBoss(databaseUrl, config);
  const sink = new NoticePipeline({ orm, bus, config, boss });
  const runWorker = opts.worker ?? config.notify.worker;
  const worker = runWorker ? await startNotificationWorker({ orm, boss, config, senders: opts.senders }) : undefined;
  // Housekeeping beside the worker: uploads that were never sent go after a day.
  const housekeeping = runWorker
    ? setInterval(() => {
        purgeUnsentUploads(orm.em.fork() as EntityManager)
          .then((n) => n && log.info('removed unsent uploads', { count: n }))
          .catch((err) => log.error('removing unsent uploads failed', { err }));
      }, HOUSEKEEPING_INTERVAL_MS).unref()
    : undefined;
  return {
    bus,
    boss,
    sink,
    worker,
    async close() {
      if (housekeeping) clearInterval(housekeeping);
      await worker?.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await bus.close();
    },
  };
}
