import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import { log } from '../log';
import { ensureQueue } from '../notifications/boss';
import { SessionStore } from './session';

// Removing browser sessions past their limits (and OIDC sign-ins never finished) as a pg-boss schedule, like
// gallring (retention.jobs.ts): pg-boss sends each due job once across the servers that run the background
// work, where a timer in each process ran the same delete in every one of them.

export const SESSION_HOUSEKEEPING_QUEUE = 'session-housekeeping';
/** Every hour, on the hour. */
export const SESSION_HOUSEKEEPING_CRON = '0 * * * *';

/** One run at a time; a failed run is not retried, the next hour's run does the same work. */
const jobOptions = { retryLimit: 0, expireInSeconds: 15 * 60 } as const;

/** Makes the queue and the hourly schedule and works its jobs. */
export async function startSessionHousekeeping(deps: {
  em: () => EntityManager;
  boss: PgBoss;
  config: Pick<Config, 'session'>;
}): Promise<{ stop(): Promise<void> }> {
  const { boss } = deps;
  await ensureQueue(boss, SESSION_HOUSEKEEPING_QUEUE, { policy: 'singleton', ...jobOptions, retentionDays: 1 });
  await boss.schedule(
    SESSION_HOUSEKEEPING_QUEUE,
    SESSION_HOUSEKEEPING_CRON,
    {},
    { tz: 'Europe/Stockholm', ...jobOptions },
  );
  const sessions = new SessionStore(deps.config.session);
  await boss.work(SESSION_HOUSEKEEPING_QUEUE, { pollingIntervalSeconds: 10, batchSize: 1 }, async () => {
    try {
      const count = await sessions.purgeExpired(deps.em());
      if (count) log.info('removed ended browser sessions', { count });
    } catch (err) {
      log.error('removing ended browser sessions failed', { err });
      throw err;
    }
  });
  return {
    async stop() {
      await boss.offWork(SESSION_HOUSEKEEPING_QUEUE);
    },
  };
}
