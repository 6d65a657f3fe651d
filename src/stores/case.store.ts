import type { EntityManager } from '@mikro-orm/postgresql';
import { Assignment, Case } from '../entities/case';
import { Relation } from '../entities/relation';
import { sql, uuid, uuidArray, type Sql } from '../domain/sql';
import { isId } from '../domain/ids';
import { query } from './query';

// The statements on cases and what hangs on them (relations, the holders of cases). The access rules arrive as
// fragments built in src/domain (the caller's visible cases and persons): the store runs them, it does not decide them.

/** The relations of the cases whose related person is among `visiblePersons`, on cases among `visibleCases`. */
export async function relationsOfCases(
  em: EntityManager,
  { caseIds, visibleCases, visiblePersons }: { caseIds: readonly string[]; visibleCases: Sql; visiblePersons: Sql },
): Promise<Relation[]> {
  const rows = await query(
    em,
    sql`select r.* from relation r where r.case_id = any(${uuidArray(caseIds.filter(isId))}) and r.case_id in (${visibleCases})
             and r.person_id in (select v.person_id from (${visiblePersons}) v)
           order by r.valid_from asc, r.id asc`,
  );
  return rows.map((row) => em.map(Relation, row));
}

/**
 * For each message a citizen wrote as a relation on the case of its conversation: that relation, when the case is
 * among `visibleCases` and the person among `visiblePersons`.
 */
export async function senderRelationsOfMessages(
  em: EntityManager,
  {
    messageIds,
    visibleCases,
    visiblePersons,
  }: { messageIds: readonly string[]; visibleCases: Sql; visiblePersons: Sql },
): Promise<Map<string, Relation>> {
  const rows = await query<Record<string, unknown> & { message_id: string }>(
    em,
    sql`select m.id as message_id, r.* from message m join conversation cv on cv.id = m.conversation_id
          join relation r on r.case_id = cv.case_id and r.person_id = m.sender_person_id
         where m.id = any(${uuidArray(messageIds.filter(isId))}) and r.case_id in (${visibleCases})
           and r.person_id in (select v.person_id from (${visiblePersons}) v)`,
  );
  return new Map(rows.map(({ message_id, ...row }) => [message_id, em.map(Relation, row)]));
}

/** The messages among `messageIds` whose sender is a relation on the case of the message's conversation. */
export async function messagesSentAsRelation(
  em: EntityManager,
  { messageIds }: { messageIds: readonly string[] },
): Promise<Set<string>> {
  const rows = await query<{ id: string }>(
    em,
    sql`select m.id from message m join conversation cv on cv.id = m.conversation_id
         where m.id = any(${uuidArray(messageIds.filter(isId))})
           and exists (select 1 from relation r where r.case_id = cv.case_id and r.person_id = m.sender_person_id)`,
  );
  return new Set(rows.map((r) => r.id));
}

/** The distinct holders of the cases. */
export async function holdersOfCases(
  em: EntityManager,
  { caseIds }: { caseIds: readonly string[] },
): Promise<string[]> {
  const rows = await query<{ holder_id: string }>(
    em,
    sql`select distinct c.holder_id from case_file c where c.id = any(${uuidArray([...new Set(caseIds)])})`,
  );
  return rows.map((r) => r.holder_id);
}

/** The case, when `visible` (a condition over alias c) holds for it. */
export async function findCaseWhere(
  em: EntityManager,
  { caseId, visible }: { caseId: string; visible: Sql },
): Promise<Case | null> {
  const [row] = await query(em, sql`select c.* from case_file c where c.id = ${uuid(caseId)} and ${visible}`);
  return row ? em.map(Case, row) : null;
}

/** The assignment, when `visible` (a condition over alias a) holds for it. */
export async function findAssignmentWhere(
  em: EntityManager,
  { assignmentId, visible }: { assignmentId: string; visible: Sql },
): Promise<Assignment | null> {
  const [row] = await query(em, sql`select a.* from assignment a where a.id = ${uuid(assignmentId)} and ${visible}`);
  return row ? em.map(Assignment, row) : null;
}
