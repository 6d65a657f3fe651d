import type { EntityManager } from '@mikro-orm/postgresql';
import type { PartyKind } from '../entities/party';
import { sql, uuid, uuidArray, type Sql } from '../domain/sql';
import { query } from './query';

// The statements of the messaging rules (src/domain/message-policy.ts, M1–M6): who may write to whom, and which
// parties a viewer acts as. The rules arrive as fragments built there; the store runs them, it does not decide them.

/** A person the staff member is linked to through a case (`links`: rows of person_id, case_id, as_relation, usable, opened_on). */
export interface WriteLinkRow {
  person_id: string;
  case_id: string;
  as_relation: boolean;
  usable: boolean;
}

/** What bestWriteLinksSql reads: `links` (rows of person_id, case_id, as_relation, usable, opened_on), for `personIds`, on `onCase`. */
export interface WriteLinksRead {
  links: Sql;
  personIds: readonly string[];
  onCase: Sql;
}

/** Per person among `personIds`, the best of `links` (usable first, as holder before as relation, the newest case), on `onCase`. */
export function bestWriteLinksSql({ links, personIds, onCase }: WriteLinksRead): Sql {
  return sql`select distinct on (x.person_id) x.person_id, x.case_id, x.as_relation, x.usable from (${links}) x
     where x.person_id = any(${uuidArray(personIds)}) and ${onCase}
     order by x.person_id, x.usable desc, x.as_relation, x.opened_on desc`;
}

/** bestWriteLinksSql run on its own. */
export function bestWriteLinks(em: EntityManager, read: WriteLinksRead): Promise<WriteLinkRow[]> {
  return query<WriteLinkRow>(em, bestWriteLinksSql(read));
}

/**
 * The staff and shared mailboxes of `myCases` (rows of case_file, with
 * can_write): the caseworker, the executors with an ongoing assignment
 * (`ongoingAssignment`, alias `a`) and the unit's shared mailboxes, newest case first.
 */
export function caseContacts(
  em: EntityManager,
  { myCases, ongoingAssignment }: { myCases: Sql; ongoingAssignment: Sql },
): Promise<{ kind: PartyKind; id: string; case_id: string }[]> {
  return query<{ kind: PartyKind; id: string; case_id: string }>(
    em,
    sql`with my_cases as (${myCases})
     select 'STAFF' as kind, m.caseworker_id as id, m.id as case_id, m.opened_on from my_cases m
     union all
     select 'STAFF', a.executor_id, a.case_id, m.opened_on from assignment a join my_cases m on m.id = a.case_id
      where ${ongoingAssignment}
     union all
     select 'SHARED_MAILBOX', sm.id, m.id, m.opened_on from shared_mailbox sm join my_cases m on m.unit_id = sm.unit_id
     order by opened_on desc`,
  );
}

/** Whether any of `links` (rows of case id and can_write) to `caseId` may write; null when none links to it. */
export async function canWriteOnCase(
  em: EntityManager,
  { links, caseId }: { links: Sql; caseId: string },
): Promise<boolean | null> {
  const rows = await query<{ can_write: boolean | null }>(
    em,
    sql`select bool_or(l.can_write) as can_write from (${links}) l where l.id = ${uuid(caseId)}`,
  );
  return rows[0]?.can_write ?? null;
}

/** The party keys `partyKeys` (a query of party_key rows) lists. */
export async function partyKeysOf(em: EntityManager, { partyKeys }: { partyKeys: Sql }): Promise<string[]> {
  const rows = await query<{ party_key: string }>(em, partyKeys);
  return rows.map((r) => r.party_key);
}
