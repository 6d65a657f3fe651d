import type { EntityManager } from '@mikro-orm/postgresql';
import { join, sql, type Sql } from '../domain/sql';
import { Person } from '../entities/person';
import { accessLogInsert, type AccessLogRead } from './access-log.store';
import { query } from './query';

/**
 * A page of the persons in `visiblePersons` (rows of person_id, own) that match every condition (alias `p`), by
 * name, at most `limit`, each with whether a reason to see them is the viewer's own case; the first `logged` of
 * them written to the access log by the same statement.
 */
export async function personsPage(
  em: EntityManager,
  p: { visiblePersons: Sql; where: readonly Sql[]; limit: number; log: AccessLogRead; logged: number },
): Promise<{ person: Person; own: boolean }[]> {
  const where = p.where.length ? join(p.where, 'and') : sql`true`;
  const rows = await query<Record<string, unknown> & { own_case: boolean }>(
    em,
    sql`with page as (
          select p.*, v.own as own_case
            from person p join (select v.person_id, bool_or(v.own) as own from (${p.visiblePersons}) v group by v.person_id) v
              on v.person_id = p.id
           where ${where}
           order by p.family_name asc, p.given_name asc, p.id asc limit ${p.limit}),
        logged as (${accessLogInsert(
          p.log,
          sql`select page.id as person_id from page order by page.family_name asc, page.given_name asc, page.id asc limit ${p.logged}`,
        )})
        select * from page order by page.family_name asc, page.given_name asc, page.id asc`,
  );
  return rows.map(({ own_case, ...row }) => ({ person: em.map(Person, row), own: own_case }));
}
