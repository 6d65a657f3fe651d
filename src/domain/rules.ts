import type { StaffViewer, Viewer } from '../auth/viewer';
import { CaseStatus } from '../entities/case';
import { RelationMessagingRights, RelationType } from '../entities/relation';
import { StaffRole } from '../entities/staff';
import { date, raw, Sql, sql, textArray, uuid } from './sql';

/**
 * The building blocks of the access and messaging policies, each written
 * once: as a SQL fragment with its values bound by name (composed into the
 * policy's queries), and, where the ORM or loaded rows need it, as a MikroORM
 * filter or a predicate derived from the same definition. R1–R5
 * (access-policy.ts) and M1–M6 (message-policy.ts) are built from these.
 *
 * `alias` is the table alias the fragment refers to (`c` for case_file, `a`
 * for assignment, `r` for relation, …).
 */

type StaffRef = Pick<StaffViewer, 'staff'>;

/** A case is in a staff member's caseload when they are its caseworker or it belongs to their unit. */
export const caseload = {
  sql: (viewer: StaffRef, alias = 'c'): Sql =>
    sql`(${raw(alias)}.caseworker_id = ${uuid(viewer.staff.id)} or ${raw(alias)}.unit_id = ${uuid(viewer.staff.unit.id)})`,
  filter: (viewer: StaffRef): { $or: [{ caseworker: string }, { unit: string }] } => ({
    $or: [{ caseworker: viewer.staff.id }, { unit: viewer.staff.unit.id }],
  }),
  holds: (viewer: StaffRef, c: { caseworker: { id: string }; unit: { id: string } }): boolean =>
    c.caseworker.id === viewer.staff.id || c.unit.id === viewer.staff.unit.id,
};

/**
 * An assignment is ongoing from its start date through its end date (its
 * last day), in Swedish calendar days, and only while its case is open:
 * closing the case (closeCase) or passing the end date (endAssignment) ends
 * the executor's access through it at once.
 */
export const ongoingAssignment = {
  sql: (today: string, alias = 'a'): Sql =>
    sql`(${raw(alias)}.start_date <= ${date(today)} and (${raw(alias)}.end_date is null or ${raw(alias)}.end_date >= ${date(today)})
      and exists (select 1 from case_file oa_case where oa_case.id = ${raw(alias)}.case_id and oa_case.status = 'OPEN'))`,
  /** The same as a MikroORM filter on Assignment (under `$and`, so a caller's own `case` condition stays). */
  filter: (today: string) => ({
    startDate: { $lte: today },
    $or: [{ endDate: null }, { endDate: { $gte: today } }],
    $and: [{ case: { status: CaseStatus.OPEN } }],
  }),
  /** The same on a loaded assignment and its case. */
  holds: (a: { startDate: string; endDate?: string | null; case: { status: CaseStatus } }, day: string): boolean =>
    a.case.status === CaseStatus.OPEN && a.startDate <= day && (a.endDate == null || a.endDate >= day),
};

/**
 * A relation carries messages while it is registered as approved for
 * messages, today is inside its validity and (for `sql` and `holds`) it is
 * activated.
 * Deactivating it or passing its validTo ends that at once: every check reads
 * the row and today's date at request time.
 */
export const usableRelation = {
  /** Activated, approved for messages and valid today. */
  sql: (today: string, alias = 'r'): Sql =>
    sql`(${raw(alias)}.activated_at is not null and ${usableRelation.approvedSql(today, alias)})`,
  /** Approved for messages and valid today, activated or not (what activation requires). */
  approvedSql: (today: string, alias = 'r'): Sql =>
    sql`(${RelationType.APPROVED_FOR_MESSAGES} = any(${raw(alias)}.types)
      and ${raw(alias)}.valid_from <= ${date(today)} and (${raw(alias)}.valid_to is null or ${raw(alias)}.valid_to >= ${date(today)}))`,
  /** The same on a loaded relation, on `day`. */
  approvedOn: (
    r: { types: readonly RelationType[]; validFrom: string; validTo?: string | null },
    day: string,
  ): boolean =>
    r.types.includes(RelationType.APPROVED_FOR_MESSAGES) &&
    r.validFrom <= day &&
    (r.validTo == null || r.validTo >= day),
  /** The same as the SQL, on a loaded relation. */
  holds: (
    r: { types: readonly RelationType[]; validFrom: string; validTo?: string | null; activatedAt?: Date | null },
    day: string,
  ): boolean => r.activatedAt != null && usableRelation.approvedOn(r, day),
};

/** The viewer's party keys (`KIND:id`, a list or a query giving `party_key`) take part in the conversation whose id is the column given. */
export const conversationParticipant = {
  sql: (partyKeys: readonly string[] | Sql, conversationIdColumn: string): Sql =>
    sql`exists (select 1 from conversation_participant p where p.conversation_id = ${raw(conversationIdColumn)} and p.party_key ${
      partyKeys instanceof Sql ? sql`in (${partyKeys})` : sql`= any(${textArray(partyKeys)})`
    })`,
};

/**
 * The cases a citizen is linked to: as case holder, or as a relation usable
 * today on an open case (a closed case gives its relations nothing: not its
 * conversations, not its notices). One row per case with `as_relation` and
 * `can_write` (false for a read-only relation); `openOnly` keeps ongoing
 * cases for the holder too.
 */
export const citizenLinks = {
  sql: (personId: string, today: string, opts: { openOnly?: boolean } = {}): Sql => {
    const open = opts.openOnly ? sql`and c.status = 'OPEN'` : sql``;
    return sql`select c.id, c.caseworker_id, c.unit_id, c.opened_on, false as as_relation, true as can_write
        from case_file c where c.holder_id = ${uuid(personId)} ${open}
      union
      select c.id, c.caseworker_id, c.unit_id, c.opened_on, true, ${relationWrites.sql('r')} from relation r join case_file c on c.id = r.case_id
       where r.person_id = ${uuid(personId)} and ${usableRelation.sql(today, 'r')} and c.status = 'OPEN'`;
  },
};

/**
 * M4 for a relation: one approved for messages reads only or reads and
 * writes. A read-only relation sees the case's messages addressed to them and
 * may never send or reply (RELATION_READ_ONLY); staff may still write to them.
 */
export const relationWrites = {
  sql: (alias = 'r'): Sql => sql`(${raw(alias)}.messaging_rights = ${RelationMessagingRights.READ_AND_WRITE})`,
  holds: (r: { messagingRights: RelationMessagingRights }): boolean =>
    r.messagingRights === RelationMessagingRights.READ_AND_WRITE,
};

/**
 * R3 protected identity: address and contact details only to the caseworker
 * of a case the person holds (given the person is visible at all); a citizen
 * sees their own.
 */
export const protectedIdentity = {
  holds: (
    viewer: Viewer,
    person: { id: string; protectedIdentity: boolean },
    access: { visible: boolean; ownCaseworker: boolean },
  ): boolean => {
    if (!access.visible) return false;
    if (viewer.kind === 'citizen') return viewer.person.id === person.id;
    if (!person.protectedIdentity) return true;
    return access.ownCaseworker;
  },
};

/**
 * Hemligt telefonnummer: a person's phone numbers (mobile, home, work) are
 * not to be given out. Inside the social services they are shown only to
 * caseworkers, who see a person only through their caseload (R1); an executor,
 * who sees the person through an assignment (R2), gets none and reaches them
 * through the e-service or the caseworker. Never printed on a document or
 * shown to another citizen; the person sees their own. Applies on top of R3
 * (protected identity hides them anyway). Notifications still go to the
 * mobile: sending to a number does not give it out.
 */
export const secretPhoneNumber = {
  holds: (
    viewer: Viewer,
    person: { id: string; secretPhoneNumber: boolean },
    access: { visible: boolean },
  ): boolean => {
    if (!access.visible) return false;
    if (viewer.kind === 'citizen') return viewer.person.id === person.id;
    if (!person.secretPhoneNumber) return true;
    return viewer.role === StaffRole.CASEWORKER;
  },
};
