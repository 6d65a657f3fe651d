import type { EntityManager } from '@mikro-orm/postgresql';
import { initOrm, type Orm } from '../../src/db/orm';
import { join, raw, sql, textArray, uuid, uuidArray } from '../../src/domain/sql';
import { query } from '../../src/stores/query';
import { createTestDatabase } from '../testkit/server';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
const statements: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm(db.url, { poolMax: 1, onQuery: (m) => statements.push(m) });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});
const em = () => orm.em.fork() as EntityManager;

describe('the sql tag: rules as fragments with natively bound values', () => {
  test('values become numbered placeholders in order, also through nested fragments', () => {
    const inner = sql`c.unit_id = ${uuid('00000000-0000-4000-8000-000000000001')}`;
    const q = sql`select 1 from ${raw('case_file')} c where c.caseworker_id = ${'a'} and ${inner} and c.title = ${'b'}`;
    expect(q.toPostgres()).toEqual({
      text: 'select 1 from case_file c where c.caseworker_id = $1 and c.unit_id = $2::uuid and c.title = $3',
      values: ['a', '00000000-0000-4000-8000-000000000001', 'b'],
    });
    expect(join([sql`a = ${1}`, sql`b = ${2}`], 'or').toPostgres()).toEqual({
      text: 'a = $1 or b = $2',
      values: [1, 2],
    });
  });

  test('raw accepts identifiers only', () => {
    expect(() => raw('c; drop table person')).toThrow(/identifier/);
  });

  test('arrays travel as real parameters: quotes, commas, braces and backslashes arrive unchanged', async () => {
    const tricky = ['a"b', 'c,d}', '{e}', 'f\\g', "h'i", ''];
    const [row] = await query<{ items: string[]; n: number }>(
      em(),
      sql`select ${textArray(tricky)} as items, cardinality(${textArray(tricky)}) as n`,
    );
    expect(row).toEqual({ items: tricky, n: tricky.length });
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    const [u] = await query<{ ids: string[] }>(em(), sql`select ${uuidArray(ids)} as ids`);
    expect(u.ids).toEqual(ids);
  });

  test('a value is never spliced into the text (an injection attempt is just a string), and the statement is logged', async () => {
    statements.splice(0);
    const evil = "x' or '1'='1";
    const rows = await query(em(), sql`select 1 as one where ${evil} = 'x'`);
    expect(rows).toEqual([]);
    expect(statements.join('\n')).toContain("select 1 as one where $1 = 'x'");
    expect(statements.join('\n')).not.toContain("or '1'='1' = 'x'");
  });

  test('an undefined value is refused, not bound as null (a missing value must not pass for a null one)', async () => {
    await expect(query(em(), sql`select 1 as one where ${undefined} is null`)).rejects.toThrow(
      /undefined bound to \$1/,
    );
    await expect(query(em(), sql`select ${uuidArray([undefined as unknown as string])} as ids`)).rejects.toThrow(
      /undefined bound to \$1/,
    );
    // null is a value: bound as SQL null.
    expect(await query(em(), sql`select 1 as one where ${null}::text is null`)).toEqual([{ one: 1 }]);
  });

  test('inside a transaction, the statement runs on the transaction', async () => {
    await em().transactional(async (tx) => {
      await query(tx, sql`create temporary table sql_tag_probe (v text) on commit drop`);
      await query(tx, sql`insert into sql_tag_probe values (${'inside'})`);
      expect(await query(tx, sql`select v from sql_tag_probe`)).toEqual([{ v: 'inside' }]);
    });
  });
});
