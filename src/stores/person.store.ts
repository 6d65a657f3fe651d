import type { EntityManager } from '@mikro-orm/postgresql';
import { join, sql, type Sql } from '../domain/sql';
import { Person } from '../entities/person';
import { query } from './query';

/** Persons matching every condition (on alias `p`), by name, at most `limit`. */
export async function personsByName(em: EntityManager, p: { where: readonly Sql[]; limit: number }): Promise<Person[]> {
  const rows = await query(
    em,
    sql`select p.* from person p where ${join(p.where, 'and')}
         order by p.family_name asc, p.given_name asc, p.id asc limit ${p.limit}`,
  );
  return rows.map((row) => em.map(Person, row));
}
