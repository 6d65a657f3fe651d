import type { EntityManager } from '@mikro-orm/postgresql';
import { raw, sql } from '../domain/sql';
import { query } from './query';

/** Serialises concurrent loads of the demo data on one database (held until the transaction ends). */
export async function lockDemoSeed(em: EntityManager): Promise<void> {
  await query(em, sql`select pg_advisory_xact_lock(727001)`);
}

/** The names recorded in MikroORM's migrations table; none when the table does not exist yet. */
export async function appliedMigrationNames(em: EntityManager, { table }: { table: string }): Promise<string[]> {
  const [{ present }] = await query<{ present: boolean }>(em, sql`select to_regclass(${table}) is not null as present`);
  if (!present) return [];
  const rows = await query<{ name: string }>(em, sql`select name from ${raw(table)}`);
  return rows.map(({ name }) => name);
}
