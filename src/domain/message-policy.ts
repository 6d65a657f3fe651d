import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer, StaffViewer, Viewer } from '../auth/viewer';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { SharedMailbox, SharedMailboxMember } from '../entities/shared-mailbox';
import { StaffRole } from '../entities/staff';
import { AppError, ErrorCode } from '../errors';
import { isId } from './ids';
import { caseload, citizenLinks, conversationParticipant, ongoingAssignment, usableRelation } from './rules';
import { raw, sql, uuid, type Sql } from './sql';
import {
  bestWriteLinks,
  bestWriteLinksSql,
  canWriteOnCase,
  caseContacts,
  partyKeysOf,
  type WriteLinkRow,
  type WriteLinksRead,
} from '../stores/message-policy.store';
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
 *    and replies in their own conversations. A relation with read-only
 *    rights does neither (RELATION_READ_ONLY); it still reads what is
 *    addressed to it. A closed case gives its relations nothing.
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

/** Why a person may not be written to, when it is worth telling (M5 for a relation not yet activated). */
export type WriteRefusal = 'NOT_ALLOWED' | 'RELATION_NOT_ACTIVATED';

/**
 * M1/M2 for many persons at once; persons not returned may not be written to.
 * `refusals` tells, for a person refused, whether the only thing missing is
 * the activation of a relation the caseworker could write to otherwise (M5).
 */
export async function writablePersons(
  em: EntityManager,
  viewer: StaffViewer,
  personIds: readonly string[],
  caseId?: string | null,
  refusals?: Map<string, WriteRefusal>,
): Promise<Map<string, WritablePerson>> {
  const read = writeLinksOf(viewer, personIds, caseId);
  return writableFrom(read ? await bestWriteLinks(em, read) : [], refusals);
}

/**
 * writablePersons as a JSON column (rows of WriteLinkRow) for a statement
 * that reads more (a send reads it with its key claim); writableFrom turns
 * the rows into the answer. A citizen writes to no person (M4): no rows.
 */
export function writeLinksColumn(viewer: Viewer, personIds: readonly string[], caseId?: string | null): Sql {
  const read = viewer.kind === 'staff' ? writeLinksOf(viewer, personIds, caseId) : null;
  return read ? sql`(select coalesce(json_agg(w), '[]'::json) from (${bestWriteLinksSql(read)}) w)` : sql`'[]'::json`;
}

/** What writablePersons reads, or null when nobody can be (no well-formed id, or an administrator). */
function writeLinksOf(
  viewer: StaffViewer,
  personIds: readonly string[],
  caseId?: string | null,
): WriteLinksRead | null {
  const wanted = personIds.filter(isId);
  if (wanted.length === 0 || viewer.role === StaffRole.ADMIN) return null;
  const onCase = caseId == null ? sql`true` : isId(caseId) ? sql`x.case_id = ${uuid(caseId)}` : sql`false`;
  return { links: staffWriteLinks(viewer, todayInSweden()), personIds: wanted, onCase };
}

/** The persons the rows let the staff member write to; the refused ones whose relation only lacks activation in `refusals`. */
export function writableFrom(
  rows: readonly WriteLinkRow[],
  refusals?: Map<string, WriteRefusal>,
): Map<string, WritablePerson> {
  const result = new Map<string, WritablePerson>();
  for (const r of rows) {
    if (r.usable) result.set(r.person_id, { personId: r.person_id, caseId: r.case_id, asRelation: r.as_relation });
    else refusals?.set(r.person_id, 'RELATION_NOT_ACTIVATED');
  }
  return result;
}

/**
 * M1/M2 as rows (person_id, case_id, as_relation, usable, opened_on): the
 * holders of the ongoing cases in a caseworker's caseload and those cases'
 * approved relations (usable once activated and valid today), and the
 * holders of the cases an executor holds an ongoing assignment in. The one
 * place the rule is written; writablePersons and messageTargetPersons read it.
 */
function staffWriteLinks(viewer: StaffViewer, today: string): Sql {
  const caseworker = viewer.role === StaffRole.CASEWORKER;
  return sql`select c.holder_id as person_id, c.id as case_id, false as as_relation, true as usable, c.opened_on
         from case_file c where ${caseworker} and c.status = 'OPEN' and ${caseload.sql(viewer, 'c')}
       union all
       select r.person_id, c.id, true, ${usableRelation.sql(today, 'r')}, c.opened_on
         from relation r join case_file c on c.id = r.case_id
        where ${caseworker} and c.status = 'OPEN' and ${caseload.sql(viewer, 'c')}
          and ${usableRelation.approvedSql(today, 'r')}
       union all
       select c.holder_id, c.id, false, true, c.opened_on
         from assignment a join case_file c on c.id = a.case_id
        where a.executor_id = ${uuid(viewer.staff.id)} and c.status = 'OPEN' and ${ongoingAssignment.sql(today, 'a')}`;
}

/**
 * The persons a staff member may address now (M1/M2, M5): a usable link and
 * the e-service activated. As an SQL condition on a person alias, for the
 * recipient search (persons(messageTargetsOnly: true)).
 */
export function messageTargetPersons(viewer: StaffViewer, alias: string): Sql {
  if (viewer.role === StaffRole.ADMIN) return sql`false`;
  const links = staffWriteLinks(viewer, todayInSweden());
  return sql`(${raw(alias)}.messaging_enabled and ${raw(alias)}.id in (select w.person_id from (${links}) w where w.usable))`;
}

/**
 * M1/M4 on reply: is the citizen of a conversation still linked to its case?
 * The case holder always is; a relation only while activated, approved for
 * messages and inside its validity. As a boolean SQL expression (a reply
 * reads it with the rest of its context).
 */
export function citizenStillLinked(personId: string, caseId: string): Sql {
  return sql`exists (select 1 from (${citizenLinks.sql(personId, todayInSweden())}) l where l.id = ${uuid(caseId)})`;
}

export interface CitizenTarget {
  party: PartyRef;
  caseId: string;
}

/**
 * M4: the staff and shared mailboxes a citizen may start a conversation with,
 * with the case that links them (never through a read-only relation).
 */
export async function citizenTargets(
  em: EntityManager,
  viewer: CitizenViewer,
  opts: { readOnly?: boolean } = {},
): Promise<CitizenTarget[]> {
  const today = todayInSweden();
  const writes = opts.readOnly ? sql`not l.can_write` : sql`l.can_write`;
  const rows = await caseContacts(em, {
    myCases: sql`select l.* from (${citizenLinks.sql(viewer.person.id, today, { openOnly: true })}) l where ${writes}`,
    ongoingAssignment: ongoingAssignment.sql(today, 'a'),
  });
  return rows.map((r) => ({ party: { kind: r.kind, id: r.id }, caseId: r.case_id }));
}

const readOnlyRefusal = () =>
  new AppError(
    ErrorCode.RELATION_READ_ONLY,
    'You are registered on this case as a relation who may read messages but not write them. ' +
      'Contact the social services another way, or ask the caseworker to give you write rights.',
  );

/**
 * M4 for a citizen's new message to a party they may not write to: the
 * refusal to give. RELATION_READ_ONLY when only a read-only relation links
 * them to that party, otherwise RECIPIENT_NOT_ALLOWED (`notAllowed`).
 */
export async function citizenRecipientRefusal(
  em: EntityManager,
  viewer: CitizenViewer,
  party: PartyRef,
  notAllowed: AppError,
): Promise<AppError> {
  const readOnly = await citizenTargets(em, viewer, { readOnly: true });
  return readOnly.some((t) => partyKey(t.party) === partyKey(party)) ? readOnlyRefusal() : notAllowed;
}

/**
 * M4 on a citizen's reply in a conversation about a case: refused with
 * RELATION_READ_ONLY when the citizen is on the case only as a read-only
 * relation. (Whether they are linked at all is citizenStillLinked.)
 */
export async function assertCitizenMayWrite(em: EntityManager, personId: string, caseId: string): Promise<void> {
  const canWrite = await canWriteOnCase(em, { links: citizenLinks.sql(personId, todayInSweden()), caseId });
  if (canWrite === false) throw readOnlyRefusal();
}

/** The conversations (alias given) the party keys take part in: all that staff acting through those keys may read (M6). */
export function takingPart(partyKeys: readonly string[] | Sql, alias = 'c'): Sql {
  return conversationParticipant.sql(partyKeys, `${alias}.id`);
}

/**
 * M6 for reading: the conversations (alias given) the viewer may open through
 * the given party keys. A citizen reads a conversation about a case only
 * while linked to that case (M1/M4: a relation's conversations close with the
 * relation, reads included, at once).
 */
export function readableConversations(viewer: Viewer, partyKeys: readonly string[] | Sql, alias = 'c'): Sql {
  const participant = takingPart(partyKeys, alias);
  if (viewer.kind !== 'citizen') return participant;
  const links = citizenLinks.sql(viewer.person.id, todayInSweden());
  return sql`(${participant} and (${raw(alias)}.case_id is null or ${raw(alias)}.case_id in (select l.id from (${links}) l)))`;
}

/** The viewer's own party: a citizen as themself, staff personally. */
function ownParty(viewer: Viewer): PartyRef {
  return viewer.kind === 'citizen'
    ? { kind: PartyKind.PERSON, id: viewer.person.id }
    : { kind: PartyKind.STAFF, id: viewer.staff.id };
}

/**
 * M6: the party keys a viewer acts as, as a query: a citizen as themself;
 * staff personally and through the shared mailboxes they are members of
 * (administrators, who see no persons, through none, whatever membership
 * they have).
 */
export function viewerPartyKeys(viewer: Viewer): Sql {
  const own = sql`select ${partyKey(ownParty(viewer))}::text as party_key`;
  if (viewer.kind === 'citizen' || viewer.role === StaffRole.ADMIN) return own;
  return sql`${own} union all select 'SHARED_MAILBOX:' || m.mailbox_id from shared_mailbox_member m where m.staff_id = ${uuid(viewer.staff.id)}`;
}

/**
 * M6 for many staff viewers in one statement: the same party keys as {@link viewerPartyKeys}, as a text[] expression
 * of the row `alias` with `own_key` (the viewer's own party key), `staff_id`, and `mailboxes` (false for an
 * administrator, who acts through no shared mailbox).
 */
export function staffPartyKeysArray(alias: string): Sql {
  const r = raw(alias);
  return sql`array[${r}.own_key] || case when ${r}.mailboxes then coalesce((select array_agg('SHARED_MAILBOX:' || m.mailbox_id
      order by m.mailbox_id) from shared_mailbox_member m where m.staff_id = ${r}.staff_id), '{}') else '{}' end`;
}

/** Whether a staff viewer acts through their shared mailboxes (M6: administrators do not). */
export const actsThroughMailboxes = (viewer: StaffViewer): boolean => viewer.role !== StaffRole.ADMIN;

/**
 * The parties read with each EntityManager, by viewer. An EntityManager is one
 * request's or operation's (a transaction has its own fork, which reads them
 * again under its locks); held weakly, they go with it.
 */
const partiesRead = new WeakMap<EntityManager, WeakMap<Viewer, Promise<PartyRef[]>>>();

/**
 * M6 as a list: the same parties, read once per operation (opening a
 * conversation and then asking each message whether it was read by the viewer
 * need them twice), no statement when there can be no mailbox. A read that
 * failed is not kept.
 */
export function viewerParties(em: EntityManager, viewer: Viewer): Promise<PartyRef[]> {
  if (viewer.kind === 'citizen' || !actsThroughMailboxes(viewer)) return Promise.resolve([ownParty(viewer)]);
  let byViewer = partiesRead.get(em);
  if (!byViewer) partiesRead.set(em, (byViewer = new WeakMap()));
  let parties = byViewer.get(viewer);
  if (!parties) {
    // Frozen: every caller of the operation gets this one list.
    const read = partyKeysOf(em, { partyKeys: viewerPartyKeys(viewer) }).then(
      (keys) =>
        Object.freeze(
          keys.map((key) => {
            const at = key.indexOf(':');
            return { kind: key.slice(0, at) as PartyKind, id: key.slice(at + 1) };
          }),
        ) as PartyRef[],
    );
    byViewer.set(viewer, read);
    read.catch(() => byViewer.delete(viewer));
    parties = read;
  }
  return parties;
}

/** A shared mailbox the staff member belongs to, or null (callers refuse with their own words). */
export async function memberMailbox(
  em: EntityManager,
  viewer: StaffViewer,
  mailboxId: string,
): Promise<SharedMailbox | null> {
  if (viewer.role === StaffRole.ADMIN) return null;
  const membership = isId(mailboxId)
    ? await em.findOne(SharedMailboxMember, { mailbox: mailboxId, staff: viewer.staff.id }, { populate: ['mailbox'] })
    : null;
  return membership?.mailbox ?? null;
}
