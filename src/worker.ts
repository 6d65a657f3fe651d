import 'reflect-metadata';
import { loadConfig } from './config';
import { initOrm } from './db/orm';
import { log } from './log';
import { startBoss } from './notifications/boss';
import { startBackgroundWork } from './runtime';

/**
 * `npm run worker`: the notification worker and housekeeping on their own (set
 * WORKER=off on the API servers then). Needs DATABASE_URL: it shares the API's database.
 */
async function main() {
  const config = loadConfig();
  if (!config.databaseUrl)
    throw new Error('DATABASE_URL is required for a separate worker (the embedded database belongs to `npm start`).');
  const orm = await initOrm(config.databaseUrl, { preparedStatements: config.preparedStatements });
  const boss = await startBoss(config.databaseUrl, config, { schedule: true });
  const worker = await startBackgroundWork({ orm, boss, config });
  log.info('notification worker ready');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    await orm.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}
main().catch((err) => {
  log.error('worker failed to start', { err });
  process.exit(1);
});
