import type { EntityManager } from '@mikro-orm/postgresql';
import { initOrm, type Orm } from '../../src/db/orm';
import { sql } from '../../src/domain/sql';
import { staffAccountsByUsername } from '../../src/stores/account.store';
import { query } from '../../src/stores/query';
import { createTestDatabase } from '../testkit/server';

// The stores' statements go out as named prepared statements (planned once per connection), unless
// DATABASE_PREPARED_STATEMENTS=off, for a connection pooler that cannot keep them.

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const orms: Orm[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const orm of orms) await orm.close();
  await db.drop();
});

/** The prepared statements of the connection a transaction runs on, after a store's lookup ran there twice. */
async function preparedAfterTwoLookups(preparedStatements: boolean): Promise<{ statement: string }[]> {
  const orm = await initOrm(db.url, { poolMax: 1, preparedStatements });
  orms.push(orm);
  return orm.em.fork().transactional(async (em: EntityManager) => {
    for (let i = 0; i < 2; i++) expect(await staffAccountsByUsername(em, { usernames: ['nobody'] })).toEqual([]);
    return query<{ statement: string }>(
      em,
      sql`select statement from pg_prepared_statements where statement like ${'%from "staff" where username%'}`,
    );
  });
}

test('PS1 a store statement is prepared once on its connection and run again by name', async () => {
  const prepared = await preparedAfterTwoLookups(true);
  expect(prepared).toHaveLength(1);
  expect(prepared[0].statement).toMatch(/where username = any\(\$1::text\[\]\)/);
});

test('PS2 with prepared statements off, nothing is prepared on the connection', async () => {
  expect(await preparedAfterTwoLookups(false)).toEqual([]);
});
