import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer, Viewer } from '../auth/viewer';
import { Case } from '../entities/case';
import type { Person } from '../entities/person';
import { StaffRole } from '../entities/staff';
import { forbidden } from '../errors';
import { pgUuidArray } from './ids';

/**
 * Who may see which person (OSL 26 kap.: secrecy holds even between units).
 *
 * A staff member sees a person only through
 *  - R1 a case they are the caseworker of, or a case of their unit's caseload
 *    (as case holder or as a relation registered on it), or
 *  - R2 an ongoing assignment (uppdrag) they hold for the person.
 * R3 A protected identity's address and contact details are shown only to the
 *    caseworkers of the cases the person holds. Being registered as a relation
 *    on someone else's case does not count: otherwise any caseworker could
 *    reveal a protected person by registering them as a relation.
 * R4 A citizen sees only themself.
 * R5 Whatever a caller may not see answers NOT_FOUND, exactly as a missing id.
 */
export interface PersonAccess {
  /** R1/R2: the person may be shown at all. */
  visible: boolean;
  /** The viewer is the responsible caseworker of a case the person is on. */
  ownCaseworker: boolean;
}

const NONE: PersonAccess = { visible: false, ownCaseworker: false };

/** R2: an assignment is ongoing from its start date through its end date (Swedish calendar days). */
const ONGOING_ASSIGNMENT = `a.start_date <= (now() at time zone 'Europe/Stockholm')::date
  and (a.end_date is null or a.end_date >= (now() at time zone 'Europe/Stockholm')::date)`;

/**
 * One row per (person, reason) a staff member can see; `own` marks their own
 * cases. Parameters: staff id, staff id, unit id, staff id, staff id, unit id.
 */
export const STAFF_VISIBLE_PERSONS_SQL = `
  select c.holder_id as person_id, (c.caseworker_id = ?) as own
    from case_file c where c.caseworker_id = ? or c.unit_id = ?
  union all
  select c.holder_id, false
    from assignment a join case_file c on c.id = a.case_id
   where a.executor_id = ? and ${ONGOING_ASSIGNMENT}
  union all
  select r.person_id, false
    from relation r join case_file c on c.id = r.case_id
   where c.caseworker_id = ? or c.unit_id = ?`;

export function visiblePersonsParams(viewer: StaffViewer): string[] {
  const s = viewer.staff.id;
  const u = viewer.staff.unit.id;
  return [s, s, u, s, s, u];
}

/** Access for many persons in one query. */
export async function loadPersonAccess(em: EntityManager, viewer: Viewer, personIds: readonly string[]): Promise<Map<string, PersonAccess>> {
  const result = new Map<string, PersonAccess>();
  if (viewer.kind === 'citizen') {
    for (const id of personIds) result.set(id, id === viewer.person.id ? { visible: true, ownCaseworker: false } : NONE);
    return result;
  }
  if (viewer.role === StaffRole.ADMIN || personIds.length === 0) {
    for (const id of personIds) result.set(id, NONE);
    return result;
  }
  const rows: { person_id: string; own: boolean }[] = await em.getConnection().execute(
    `select v.person_id, bool_or(v.own) as own from (${STAFF_VISIBLE_PERSONS_SQL}) v
      where v.person_id = any(?::uuid[]) group by v.person_id`,
    [...visiblePersonsParams(viewer), pgUuidArray(personIds)],
    'all',
    em.getTransactionContext(),
  );
  const found = new Map(rows.map((r) => [r.person_id, r.own]));
  for (const id of personIds) {
    const own = found.get(id);
    result.set(id, own === undefined ? NONE : { visible: true, ownCaseworker: own });
  }
  return result;
}

/** R3: may this viewer see the person's address, phone and e-mail? */
export function maySeeContactDetails(viewer: Viewer, person: Person, access: PersonAccess): boolean {
  if (!access.visible) return false;
  if (viewer.kind === 'citizen') return viewer.person.id === person.id;
  if (!person.protectedIdentity) return true;
  return access.ownCaseworker;
}

/** R3 for writes: only who may see a person's contact details may change them. */
export function assertMayChangeContactDetails(viewer: Viewer, person: Person, access: PersonAccess): void {
  if (!maySeeContactDetails(viewer, person, access)) {
    throw forbidden('Only the caseworker of this person\'s own case may change the contact details of a protected identity.');
  }
}

/** A case is in a staff member's caseload when it is theirs or their unit's (as a MikroORM filter on Case). */
export function caseloadFilter(viewer: StaffViewer): { $or: [{ caseworker: string }, { unit: string }] } {
  return { $or: [{ caseworker: viewer.staff.id }, { unit: viewer.staff.unit.id }] };
}

/** The same rule on a loaded case. */
export function inCaseload(viewer: StaffViewer, c: { caseworker: { id: string }; unit: { id: string } }): boolean {
  return c.caseworker.id === viewer.staff.id || c.unit.id === viewer.staff.unit.id;
}

/** Cases a staff member may open: own, their unit's, or one they hold an ongoing assignment in. */
export const STAFF_VISIBLE_CASES_SQL = `
  select c.id from case_file c where c.caseworker_id = ? or c.unit_id = ?
  union
  select a.case_id from assignment a where a.executor_id = ? and ${ONGOING_ASSIGNMENT}`;

export function visibleCasesParams(viewer: StaffViewer): string[] {
  return [viewer.staff.id, viewer.staff.unit.id, viewer.staff.id];
}

/** The cases a staff member may open, as a query to narrow down (alias `c`). */
export function visibleCases(em: EntityManager, viewer: StaffViewer) {
  return em.createQueryBuilder(Case, 'c').where(`c.id in (${STAFF_VISIBLE_CASES_SQL})`, visibleCasesParams(viewer));
}

/**
 * The journal entries (alias `j`) a staff member may read, as a condition and
 * its parameters: caseworkers everything in the cases they may open; executors
 * only what is filed under their own assignments, in a case they may still
 * open; administrators nothing. Used for the journal, for corrections and for
 * downloading a journaled attachment, so the three cannot drift apart.
 */
export function readableJournalEntries(viewer: StaffViewer): [sql: string, params: string[]] {
  if (viewer.role === StaffRole.ADMIN) return ['false', []];
  const inVisibleCase = `j.case_id in (${STAFF_VISIBLE_CASES_SQL})`;
  if (viewer.role === StaffRole.EXECUTOR) {
    return [`${inVisibleCase} and j.assignment_id in (select a.id from assignment a where a.executor_id = ?)`, [...visibleCasesParams(viewer), viewer.staff.id]];
  }
  return [inVisibleCase, visibleCasesParams(viewer)];
}
