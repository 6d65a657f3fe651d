import 'reflect-metadata';
import { loadConfig } from '../config';
import { ensureDatabase, startEmbeddedPostgres } from '../db/embedded';
import { seedDemoConversations, seedDemoData } from '../db/demo-data';
import { initOrm, migrate } from '../db/orm';
import { installBoss } from '../notifications/boss';

/**
 * `npm run db:migrate` and `npm run db:seed`: against DATABASE_URL, or the
 * embedded database in DATA_DIR when it is unset (stop `npm start` first).
 */
async function main() {
  const command = process.argv[2];
  if (command !== 'migrate' && command !== 'seed') throw new Error('usage: db.ts migrate|seed');
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const url = config.databaseUrl ?? embedded!.url;
  if (embedded) await ensureDatabase(url);
  const orm = await initOrm(url);
  try {
    const applied = await migrate(orm);
    await installBoss(url);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'migrations: up to date\n');
    if (command === 'seed') {
      const loaded = await seedDemoData(orm.em.fork());
      await seedDemoConversations(orm.em.fork());
      process.stdout.write(loaded ? 'demo data loaded\n' : 'demo data already present\n');
    }
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}
main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
