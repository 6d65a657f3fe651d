import type PgBoss from 'pg-boss';
import type { Config } from './config';
import type { Orm } from './db/orm';
import { startBoss } from './notifications/boss';
import { startNotificationWorker, type NotificationWorker, type Senders } from './notifications/worker';
import { createNoticeBus, type NoticeBus } from './subscriptions/bus';
import { NoticePipeline } from './subscriptions/notice-pipeline';

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
  const worker = (opts.worker ?? config.notify.worker) ? await startNotificationWorker({ orm, boss, config, senders: opts.senders }) : undefined;
  return {
    bus,
    boss,
    sink,
    worker,
    async close() {
      await worker?.stop();
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      await bus.close();
    },
  };
}
