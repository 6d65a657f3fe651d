import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer, StaffViewer, Viewer } from '../auth/viewer';
import { PartyKind, type PartyRef } from '../entities/party';
import { SharedMailbox, SharedMailboxMember } from '../entities/shared-mailbox';
import { StaffRole } from '../entities/staff';
import { isId, pgUuidArray } from './ids';
import { todayInSweden } from './time';

/**
 * Who may write to whom (OSL 26 kap.: only those with a case in common).
 *
 * M1 A caseworker writes to the holders of ongoing cases in their caseload
 *    (own or their unit's) and to those cases' activated relations, inside
 *    the relation's validity.
 * M2 An executor writes to the holders of ongoing cases they hold an ongoing
 *    assignment in.
 * M3 Staff (any role) write to any active staff member and any shared mailbox.
 * M4 A citizen (case holder or activated relation) writes to the caseworker,
 *    the executors and the unit's shared mailboxes of their ongoing cases,
 *    and replies in their own conversations.
 * M5 A person without the e-service activated cannot be a recipient, and a
 *    citizen without it cannot send.
 *    A relation's conversations close with the relation: once it is no longer
 *    activated and valid, nobody replies in them (neither side).
 * M6 A conversation is open to its participants only: a staff member takes
 *    part personally or through a shared mailbox they are a member of.
 */
export interface WritablePerson {
  personId: string;
  /** The case the link runs through (the most recent ongoing one). */
  caseId: string;
  /** True when the person is on the case as a relation, not as its holder. */
  asRelation: boolean;
}

/** An assignment is ongoing from its start date through its end date (as in access-policy R2). */
const ONGOING_ASSIGNMENT = `a.start_date <= ?::date and (a.end_date is null or a.end_date >= ?::date)`;

const APPROVED_RELATION = `r.activated_at is not null and 'APPROVED_FOR_MESSAGES' = any(r.types)
  and r.valid_from <= ?::date and (r.valid_to is null or r.valid_to >= ?::date)`;

/** M1/M2 for many persons at once; persons not returned may not be written to. */
export async function writablePersons(
  em: EntityManager,
  viewer: StaffViewer,
  personIds: readonly string[],
  caseId?: string | null,
): Promise<Map<string, WritablePerson>> {
  const result = new Map<string, WritablePerson>();
  if (personIds.length === 0 || viewer.role === StaffRole.ADMIN) return result;
  const s = viewer.staff.id;
  const u = viewer.staff.unit.id;
  const today = todayInSweden();
  const caseworker = viewer.role === StaffRole.CASEWORKER;
  const rows: { person_id: string; case_id: string; as_relation: boolean }[] = await em.getConnection().execute(
    `select distinct on (x.person_id) x.person_id, x.case_id, x.as_relation from (
       select c.holder_id as person_id, c.id as case_id, false as as_relation, c.opened_on
         from case_file c where ? and c.status = 'OPEN' and (c.caseworker_id = ? or c.unit_id = ?)
       union all
       select r.person_id, c.id, true, c.opened_on
         from relation r join case_file c on c.id = r.case_id
        where ? and c.status = 'OPEN' and (c.caseworker_id = ? or c.unit_id = ?) and ${APPROVED_RELATION}
       union all
       select c.holder_id, c.id, false, c.opened_on
         from assignment a join case_file c on c.id = a.case_id
        where a.executor_id = ? and c.status = 'OPEN' and ${ONGOING_ASSIGNMENT}
     ) x
     where x.person_id = any(?::uuid[]) and (?::uuid is null or x.case_id = ?::uuid)
     order by x.person_id, x.as_relation, x.opened_on desc`,
    [caseworker, s, u, caseworker, s, u, today, today, s, today, today, pgUuidArray(personIds), caseId ?? null, caseId ?? null],
    'all',
    em.getTransactionContext(),
  );
  for (const r of rows) result.set(r.person_id, { personId: r.person_id, caseId: r.case_id, asRelation: r.as_relation });
  return result;
}

/**
 * M1/M4 on reply: is the citizen of a conversation still linked to its case?
 * The case holder always is; a relation only while activated, approved for
 * messages and inside its validity.
 */
export async function citizenStillLinked(em: EntityManager, personId: string, caseId: string): Promise<boolean> {
  const today = todayInSweden();
  const rows: unknown[] = await em.getConnection().execute(
    `select 1 from case_file c where c.id = ? and c.holder_id = ?
     union all
     select 1 from relation r where r.case_id = ? and r.person_id = ? and ${APPROVED_RELATION}
     limit 1`,
    [caseId, personId, caseId, personId, today, today],
    'all',
    em.getTransactionContext(),
  );
  return rows.length > 0;
}

export interface CitizenTarget {
  party: PartyRef;
  caseId: string;
}

/** M4: the staff and shared mailboxes a citizen may start a conversation with, with the case that links them. */
export async function citizenTargets(em: EntityManager, viewer: CitizenViewer): Promise<CitizenTarget[]> {
  const p = viewer.person.id;
  const today = todayInSweden();
  const rows: { kind: PartyKind; id: string; case_id: string }[] = await em.getConnection().execute(
    `with my_cases as (
       select c.id, c.caseworker_id, c.unit_id, c.opened_on from case_file c where c.status = 'OPEN' and c.holder_id = ?
       union
       select c.id, c.caseworker_id, c.unit_id, c.opened_on from relation r join case_file c on c.id = r.case_id
        where c.status = 'OPEN' and r.person_id = ? and ${APPROVED_RELATION}
     )
     select 'STAFF' as kind, m.caseworker_id as id, m.id as case_id, m.opened_on from my_cases m
     union all
     select 'STAFF', a.executor_id, a.case_id, m.opened_on from assignment a join my_cases m on m.id = a.case_id
      where ${ONGOING_ASSIGNMENT}
     union all
     select 'SHARED_MAILBOX', sm.id, m.id, m.opened_on from shared_mailbox sm join my_cases m on m.unit_id = sm.unit_id
     order by opened_on desc`,
    [p, p, today, today, today, today],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ party: { kind: r.kind, id: r.id }, caseId: r.case_id }));
}

/** M6: the parties a viewer acts as: a citizen as themself; staff personally and through their shared mailboxes. */
export async function viewerParties(em: EntityManager, viewer: Viewer): Promise<PartyRef[]> {
  if (viewer.kind === 'citizen') return [{ kind: PartyKind.PERSON, id: viewer.person.id }];
  const memberships = await em.find(SharedMailboxMember, { staff: viewer.staff.id }, { fields: ['mailbox'] as never });
  return [{ kind: PartyKind.STAFF, id: viewer.staff.id }, ...memberships.map((m) => ({ kind: PartyKind.SHARED_MAILBOX, id: m.mailbox.id }))];
}

/** A shared mailbox the staff member belongs to, or null (callers refuse with their own words). */
export async function memberMailbox(em: EntityManager, viewer: StaffViewer, mailboxId: string): Promise<SharedMailbox | null> {
  const membership = isId(mailboxId) ? await em.findOne(SharedMailboxMember, { mailbox: mailboxId, staff: viewer.staff.id }, { populate: ['mailbox'] }) : null;
  return membership?.mailbox ?? null;
}
