import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Sql } from '../domain/sql';
import { query } from './query';

/** A case the citizen is linked to, with its caseworker and unit. */
export interface CitizenContactRow {
  case_id: string;
  title: string;
  caseworker_name: string;
  caseworker_title: string | null;
  unit_name: string;
  as_relation: boolean;
  can_write: boolean;
}

/** The caseworkers of the cases in `links` (the citizen's links: id, as_relation, can_write), own cases first. */
export function citizenContacts(em: EntityManager, p: { links: Sql }): Promise<CitizenContactRow[]> {
  return query<CitizenContactRow>(
    em,
    sql`select l.id as case_id, c.title, s.given_name || ' ' || s.family_name as caseworker_name, s.title as caseworker_title,
               u.name as unit_name, l.as_relation, l.can_write
          from (${p.links}) l
          join case_file c on c.id = l.id join staff s on s.id = c.caseworker_id join unit u on u.id = c.unit_id
         order by l.as_relation, c.opened_on desc, c.id`,
  );
}
