import type { EntityManager } from '@mikro-orm/postgresql';
import { raw, sql, uuidArray, type Sql } from '../domain/sql';
import { Case } from '../entities/case';
import { JournalEntry } from '../entities/journal-entry';
import { Person } from '../entities/person';
import { query } from './query';

// The statements behind the access policy (domain/access-policy.ts): each takes the rule as a fragment
// (`visibleCases`, `visiblePersons`, built there from R1/R2) and the ids asked for, so the rule is written once
// and every read answers by it in one statement.

/** Of these persons, those in `visiblePersons` (rows of person_id, own), with whether any reason is the viewer's own case. */
export function personVisibility(
  em: EntityManager,
  p: { personIds: readonly string[]; visiblePersons: Sql },
): Promise<{ person_id: string; own: boolean }[]> {
  return query(
    em,
    sql`select v.person_id, bool_or(v.own) as own from (${p.visiblePersons}) v
         where v.person_id = any(${uuidArray(p.personIds)}) group by v.person_id`,
  );
}

/** Cases by id within `visibleCases` (a select of case ids) that also match `extra`. */
export async function casesByIdWithin(
  em: EntityManager,
  p: { ids: readonly string[]; visibleCases: Sql; extra: Sql },
): Promise<Case[]> {
  const rows = await query(
    em,
    sql`select c.* from case_file c where c.id = any(${uuidArray(p.ids)}) and c.id in (${p.visibleCases}) and ${p.extra}`,
  );
  return rows.map((row) => em.map(Case, row));
}

/** Persons by id within `visiblePersons` (rows of person_id). */
export async function personsByIdWithin(
  em: EntityManager,
  p: { ids: readonly string[]; visiblePersons: Sql },
): Promise<Person[]> {
  const rows = await query(
    em,
    sql`select p.* from person p
         where p.id = any(${uuidArray(p.ids)}) and p.id in (select v.person_id from (${p.visiblePersons}) v)`,
  );
  return rows.map((row) => em.map(Person, row));
}

/** The cases within `visibleCases` held by any of these persons, newest first. */
export async function casesOfHoldersWithin(
  em: EntityManager,
  p: { holderIds: readonly string[]; visibleCases: Sql },
): Promise<Case[]> {
  const rows = await query(
    em,
    sql`select c.* from case_file c where c.holder_id = any(${uuidArray(p.holderIds)}) and c.id in (${p.visibleCases})
         order by c.opened_on desc, c.id asc`,
  );
  return rows.map((row) => em.map(Case, row));
}

/** Journal entries whose `column` is one of `keys` and that match `readable` (on alias `j`), oldest first. */
export async function journalEntriesWithin(
  em: EntityManager,
  p: { column: 'message_id' | 'corrects_id'; keys: readonly string[]; readable: Sql },
): Promise<{ key: string; entry: JournalEntry }[]> {
  const rows = await query(
    em,
    sql`select j.* from journal_entry j where j.${raw(p.column)} = any(${uuidArray(p.keys)}) and ${p.readable}
         order by j.created_at asc, j.id asc`,
  );
  return rows.map((row) => ({ key: row[p.column] as string, entry: em.map(JournalEntry, row) }));
}
