import { initOrm, migrationFileNames, pendingMigrations, type Orm } from '../../src/db/orm';
import { migrationsList } from '../../src/migrations';
import { createTestDatabase } from '../testkit/server';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
beforeAll(async () => {
  db = await createTestDatabase(); // the template: every committed migration applied
  orm = await initOrm(db.url, { poolMax: 1 });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

test('MG1 the committed migrations build exactly the schema the entities describe (an entity change needs a migration)', async () => {
  const sql = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: true });
  expect(sql.trim()).toBe('');
});

test('MG2 every migration in migrationsList is a file of that name in src/migrations (the start checks for pending ones by file name)', async () => {
  expect(migrationFileNames()?.sort()).toEqual(migrationsList.map((m) => m.name).sort());
  expect(await pendingMigrations(orm)).toBe(0);
});
