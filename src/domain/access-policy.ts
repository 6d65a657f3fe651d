import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer, Viewer } from '../auth/viewer';
import type { Case } from '../entities/case';
import { Person } from '../entities/person';
import { StaffRole } from '../entities/staff';
import { forbidden } from '../errors';
import { isId } from './ids';
import { caseload, ongoingAssignment, protectedIdentity } from './rules';
import { raw, sql, uuid, type Sql } from './sql';
import {
  casesByIdWithin,
  casesOfHoldersWithin,
  personsByIdWithin,
  personVisibility,
} from '../stores/access-policy.store';
import { todayInSweden } from './time';

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

/** What a viewer may see of one person (R1–R3). */
export interface PersonAccess {
  /** R1/R2: the person may be shown at all. */
  visible: boolean;
  /** The viewer is the responsible caseworker of a case the person is on. */
  ownCaseworker: boolean;
}

const NONE: PersonAccess = { visible: false, ownCaseworker: false };

/**
 * R1/R2: one row per (person, reason) a staff member can see; `own` marks
 * their own cases. Built from the caseload and ongoing-assignment rules.
 */
export function staffVisiblePersons(viewer: StaffViewer, today = todayInSweden()): Sql {
  if (viewer.role === StaffRole.ADMIN) return sql`select null::uuid as person_id, false as own where false`;
  return sql`select c.holder_id as person_id, (c.caseworker_id = ${uuid(viewer.staff.id)}) as own
      from case_file c where ${caseload.sql(viewer, 'c')}
    union all
    select c.holder_id, false
      from assignment a join case_file c on c.id = a.case_id
     where a.executor_id = ${uuid(viewer.staff.id)} and ${ongoingAssignment.sql(today, 'a')}
    union all
    select r.person_id, false
      from relation r join case_file c on c.id = r.case_id
     where ${caseload.sql(viewer, 'c')}`;
}

/** Access for many persons in one query. */
export async function loadPersonAccess(
  em: EntityManager,
  viewer: Viewer,
  personIds: readonly string[],
): Promise<Map<string, PersonAccess>> {
  const result = new Map<string, PersonAccess>();
  if (viewer.kind === 'citizen') {
    for (const id of personIds)
      result.set(id, id === viewer.person.id ? { visible: true, ownCaseworker: false } : NONE);
    return result;
  }
  if (viewer.role === StaffRole.ADMIN || personIds.length === 0) {
    for (const id of personIds) result.set(id, NONE);
    return result;
  }
  const rows = await personVisibility(em, {
    personIds: personIds.filter(isId),
    visiblePersons: staffVisiblePersons(viewer),
  });
  const found = new Map(rows.map((r) => [r.person_id, r.own]));
  for (const id of personIds) {
    const own = found.get(id);
    result.set(id, own === undefined ? NONE : { visible: true, ownCaseworker: own });
  }
  return result;
}

/** R3: may this viewer see the person's address, phone and e-mail? */
export function maySeeContactDetails(viewer: Viewer, person: Person, access: PersonAccess): boolean {
  return protectedIdentity.holds(viewer, person, access);
}

/** R3 for writes: only who may see a person's contact details may change them. */
export function assertMayChangeContactDetails(viewer: Viewer, person: Person, access: PersonAccess): void {
  if (!maySeeContactDetails(viewer, person, access)) {
    throw forbidden(
      "Only the caseworker of this person's own case may change the contact details of a protected identity.",
    );
  }
}

/** R1 caseload as a MikroORM filter on Case (the same rule as the SQL). */
export const caseloadFilter = caseload.filter;

/** R1 caseload on a loaded case. */
export const inCaseload = caseload.holds;

/** R1/R2: ids of the cases a staff member may open: own, their unit's, or one they hold an ongoing assignment in (none for administrators). */
export function staffVisibleCases(viewer: StaffViewer, today = todayInSweden()): Sql {
  if (viewer.role === StaffRole.ADMIN) return sql`select null::uuid as id where false`;
  return sql`select c.id from case_file c where ${caseload.sql(viewer, 'c')}
    union
    select a.case_id from assignment a where a.executor_id = ${uuid(viewer.staff.id)} and ${ongoingAssignment.sql(today, 'a')}`;
}

/** Cases by id that the viewer may open (citizens none), in one statement. */
export async function loadVisibleCases(
  em: EntityManager,
  viewer: Viewer,
  ids: readonly string[],
  extra: Sql = sql`true`,
): Promise<Case[]> {
  const wanted = ids.filter(isId);
  if (viewer.kind !== 'staff' || wanted.length === 0) return [];
  return casesByIdWithin(em, { ids: wanted, visibleCases: staffVisibleCases(viewer), extra });
}

/**
 * Persons by id that the viewer may see (R1, R2, R4), in one statement: the
 * rule of `person(id)`, for every edge that returns a person.
 */
export async function loadVisiblePersons(em: EntityManager, viewer: Viewer, ids: readonly string[]): Promise<Person[]> {
  const wanted = ids.filter(isId);
  if (wanted.length === 0) return [];
  if (viewer.kind === 'citizen')
    return wanted.includes(viewer.person.id) ? [await em.findOneOrFail(Person, viewer.person.id)] : [];
  if (viewer.role === StaffRole.ADMIN) return [];
  return personsByIdWithin(em, { ids: wanted, visiblePersons: staffVisiblePersons(viewer) });
}

/** One case the viewer may open, or null. */
export async function visibleCase(em: EntityManager, viewer: Viewer, id: string): Promise<Case | null> {
  return (await loadVisibleCases(em, viewer, [id]))[0] ?? null;
}

/** Visible cases held by any of the given persons, newest first. */
export async function visibleCasesOfHolders(
  em: EntityManager,
  viewer: StaffViewer,
  holderIds: readonly string[],
): Promise<Case[]> {
  const wanted = holderIds.filter(isId);
  if (!wanted.length || viewer.role === StaffRole.ADMIN) return [];
  return casesOfHoldersWithin(em, { holderIds: wanted, visibleCases: staffVisibleCases(viewer) });
}

/**
 * The journal entries (alias `j`) a staff member may read: caseworkers
 * everything in the cases they may open; executors only what is filed under
 * their own assignments, in a case they may still open; administrators and
 * citizens nothing. Used for the journal, for corrections, for a message's
 * journal entries and for downloading a journaled attachment, so they cannot
 * drift apart.
 */
export function readableJournalEntries(viewer: Viewer, alias = 'j'): Sql {
  if (viewer.kind !== 'staff' || viewer.role === StaffRole.ADMIN) return sql`false`;
  const inVisibleCase = sql`${raw(alias)}.case_id in (${staffVisibleCases(viewer)})`;
  if (viewer.role === StaffRole.EXECUTOR) {
    return sql`(${inVisibleCase} and ${raw(alias)}.assignment_id in (select a.id from assignment a where a.executor_id = ${uuid(viewer.staff.id)}))`;
  }
  return inVisibleCase;
}
