import 'reflect-metadata';
import { initOrm, migrate } from '../src/db/orm';

/**
 * `npm run db:migration:create -- <Name>` with DATABASE_URL pointing at a
 * scratch database: applies the committed migrations there, then writes the
 * difference to the entities as a new migration in src/migrations. Rename it
 * to the next number and add it to src/migrations/index.ts; the test
 * "D1 the committed migrations build exactly the schema…" checks the result.
 */
async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('Set DATABASE_URL to a scratch database (it gets every committed migration applied).');
  const orm = await initOrm(url);
  try {
    await migrate(orm);
    const res = await orm.getMigrator().createMigration('src/migrations', false, false, process.argv[2]);
    console.log(
      res.fileName ? `written: src/migrations/${res.fileName}` : 'no difference: the entities match the migrations',
    );
  } finally {
    await orm.close();
  }
}
main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
