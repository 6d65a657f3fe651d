import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import type { PartyKind } from '../entities/party';
import { StaffRole } from '../entities/staff';
import { isId } from '../domain/ids';
import { sql, uuid, uuidArray, type Sql } from '../domain/sql';
import type { WriteLinkRow } from './message-policy.store';
import { query } from './query';

// The statements a send or a reply runs before its write: the idempotency key's claim, read in the same statement
// as what the messaging rules (M1–M6) need, so that a send takes a few statements, and a reply's reads after its lock.
// The access rules arrive as fragments built in src/domain.

/**
 * Claims the key for the sender (`claim_id` null when it was already
 * claimed), and reads `reads` (columns of the same row, same snapshot).
 * Concurrent retries wait on the unique index until the first one commits.
 */
export async function claimSendRequest(
  em: EntityManager,
  { senderKey, key, payloadHash, reads }: { senderKey: string; key: string; payloadHash: string; reads: Sql },
): Promise<Record<string, unknown> & { claim_id: string | null }> {
  const [row] = await query<Record<string, unknown> & { claim_id: string | null }>(
    em,
    sql`with claim as (insert into send_request (id, created_at, sender_key, key, payload_hash, message_ids)
          values (gen_random_uuid(), now(), ${senderKey}, ${key}, ${payloadHash}, '[]') on conflict (sender_key, key) do nothing returning id)
        select (select id from claim) as claim_id, ${reads}`,
  );
  return row;
}

/** An addressed staff member's out-of-office, as read (`since` as PostgreSQL wrote it: the automatic-reply claim compares it). */
export interface AbsenceRow {
  staff_id: string;
  staff_name: string;
  forward_to_id: string | null;
  since: string | null;
  reply: string;
}

/** A citizen addressed: name, e-service and notification choices. */
export interface PersonRow {
  id: string;
  name: string;
  messaging_enabled: boolean;
  notify_by_sms: boolean;
  notify_by_email: boolean;
}

/** What the send's first statement reads beside the key claim (see sendReads). */
export interface SendReadsRow {
  claim_id: string;
  staff_ids: string[];
  mailbox_ids: string[];
  persons: PersonRow[];
  /** The best write link per person addressed (the rules' writeLinksColumn, M1/M2). */
  write_links: WriteLinkRow[];
  absent: AbsenceRow[];
  /** Municipality per case of the persons addressed. */
  case_municipality: Record<string, string>;
  staff_municipality: string | null;
  from_mailbox: { id: string; name: string; municipality: string } | null;
  signature: string | null;
  viewer_active: boolean | null;
}

const staffMunicipality = (staffId: string | null) =>
  sql`(select u.municipality from staff s join unit u on u.id = s.unit_id where s.id = ${uuid(staffId)}) as staff_municipality`;

/** The signature when asked for (staff), and for a citizen whether they have the e-service. */
function signatureAndViewerActive(viewer: Viewer, addSignature: boolean): Sql {
  const staffId = viewer.kind === 'staff' ? viewer.staff.id : null;
  const signature =
    addSignature && staffId
      ? sql`(select ms.signature from mailbox_settings ms where ms.staff_id = ${uuid(staffId)})`
      : sql`null::text`;
  const active =
    viewer.kind === 'citizen'
      ? sql`(select p.messaging_enabled from person p where p.id = ${uuid(viewer.person.id)})`
      : sql`null::boolean`;
  return sql`${signature} as signature,
    ${active} as viewer_active`;
}

/**
 * The reads a send needs, as columns of one row (read with the key claim):
 * the staff and mailboxes addressed (that they exist and are active), the
 * persons (name, e-service, notification choices), the out-of-office of the
 * staff addressed, the staff member's write links to the persons
 * (`writeLinks`, built by the rules), the municipality of the persons' cases,
 * and the sender's mailbox (membership), signature and e-service.
 */
export function sendReads({
  viewer,
  to,
  fromSharedMailboxId,
  addSignature,
  writeLinks,
}: {
  viewer: Viewer;
  to: { personIds: string[]; staffIds: string[]; sharedMailboxIds: string[] };
  fromSharedMailboxId: string | null;
  addSignature: boolean;
  writeLinks: Sql;
}): Sql {
  const persons = uuidArray(to.personIds);
  const staffId = viewer.kind === 'staff' ? viewer.staff.id : null;
  const fromMailbox =
    viewer.kind === 'staff' && viewer.role !== StaffRole.ADMIN && fromSharedMailboxId && isId(fromSharedMailboxId)
      ? sql`(select json_build_object('id', sm.id, 'name', sm.name, 'municipality', u.municipality) from shared_mailbox_member mm
             join shared_mailbox sm on sm.id = mm.mailbox_id join unit u on u.id = sm.unit_id
            where mm.staff_id = ${uuid(staffId)} and mm.mailbox_id = ${uuid(fromSharedMailboxId)})`
      : sql`null::json`;
  return sql`(select coalesce(json_agg(s.id), '[]'::json) from staff s where s.id = any(${uuidArray(to.staffIds)}) and s.active) as staff_ids,
    (select coalesce(json_agg(m.id), '[]'::json) from shared_mailbox m where m.id = any(${uuidArray(to.sharedMailboxIds)})) as mailbox_ids,
    (select coalesce(json_agg(json_build_object('id', p.id, 'name', p.given_name || ' ' || p.family_name, 'messaging_enabled', p.messaging_enabled,
              'notify_by_sms', p.notify_by_sms, 'notify_by_email', p.notify_by_email)), '[]'::json)
       from person p where p.id = any(${persons})) as persons,
    ${writeLinks} as write_links,
    (select coalesce(json_agg(json_build_object('staff_id', ms.staff_id, 'staff_name', s.given_name || ' ' || s.family_name,
              'forward_to_id', ms.absence_forward_to_id, 'since', ms.absence_since, 'reply', ms.absence_reply)), '[]'::json)
       from mailbox_settings ms join staff s on s.id = ms.staff_id where ms.staff_id = any(${uuidArray(to.staffIds)}) and ms.absence_enabled) as absent,
    (select coalesce(json_object_agg(c.id, u.municipality), '{}'::json) from case_file c join unit u on u.id = c.unit_id
      where c.holder_id = any(${persons}) or c.id in (select rl.case_id from relation rl where rl.person_id = any(${persons}))) as case_municipality,
    ${staffMunicipality(staffId)},
    ${fromMailbox} as from_mailbox,
    ${signatureAndViewerActive(viewer, addSignature)}`;
}

/** The conversation a reply goes to, as claimed with its key (see replyTarget). */
export interface ReplyTarget {
  id: string;
  citizen_id: string | null;
  case_id: string | null;
  subject: string;
  original_subject: string;
}

/**
 * The conversation of `messageId` as a `target` column, locked (replies in one
 * conversation go one at a time), if `takesPart` (alias `c.id`) admits it (M6).
 */
export function replyTarget({ messageId, takesPart }: { messageId: string; takesPart: Sql }): Sql {
  return sql`(select row_to_json(x) from (select c.id, c.citizen_id, c.case_id, c.subject, m.subject as original_subject
        from message m join conversation c on c.id = m.conversation_id
       where m.id = ${uuid(messageId)} and ${takesPart} for update of c) x) as target`;
}

/** What a reply reads after locking its conversation (see readReplyContext). */
export interface ReplyReadsRow {
  participants: { party_key: string; kind: PartyKind; id: string; name: string | null }[];
  /** The viewer's own party and shared mailboxes (M6), own first. */
  viewer_keys: string[];
  persons: PersonRow[];
  still_linked: boolean | null;
  absent: AbsenceRow[];
  case_municipality: string | null;
  staff_municipality: string | null;
  signature: string | null;
  viewer_active: boolean | null;
}

/**
 * Everything a reply's rules and write need, in one statement: the
 * participants (a shared mailbox with its name), the viewer's parties
 * (`viewerKeys`), the citizen in the thread (e-service, notification choices),
 * whether they are still linked to the conversation's case (`stillLinked`,
 * M1/M4), the out-of-office of the staff in it, the municipality, the
 * signature and the viewer's e-service.
 */
export async function readReplyContext(
  em: EntityManager,
  args: { viewer: Viewer; target: ReplyTarget; viewerKeys: Sql; stillLinked: Sql; addSignature: boolean },
): Promise<ReplyReadsRow> {
  const { viewer, target: t } = args;
  const conversation = uuid(t.id);
  const staffId = viewer.kind === 'staff' ? viewer.staff.id : null;
  const [row] = await query<ReplyReadsRow>(
    em,
    sql`select
    (select coalesce(json_agg(json_build_object('party_key', p.party_key, 'kind', p.kind, 'id', coalesce(p.staff_id, p.mailbox_id, p.person_id),
              'name', sm.name) order by p.created_at, p.id), '[]'::json)
       from conversation_participant p left join shared_mailbox sm on sm.id = p.mailbox_id where p.conversation_id = ${conversation}) as participants,
    (select coalesce(json_agg(k.party_key), '[]'::json) from (${args.viewerKeys}) k) as viewer_keys,
    (select coalesce(json_agg(json_build_object('id', pe.id, 'name', pe.given_name || ' ' || pe.family_name, 'messaging_enabled', pe.messaging_enabled,
              'notify_by_sms', pe.notify_by_sms, 'notify_by_email', pe.notify_by_email)), '[]'::json)
       from conversation_participant p join person pe on pe.id = p.person_id where p.conversation_id = ${conversation}) as persons,
    ${args.stillLinked} as still_linked,
    (select coalesce(json_agg(json_build_object('staff_id', ms.staff_id, 'staff_name', s.given_name || ' ' || s.family_name,
              'forward_to_id', ms.absence_forward_to_id, 'since', ms.absence_since, 'reply', ms.absence_reply)), '[]'::json)
       from conversation_participant p join mailbox_settings ms on ms.staff_id = p.staff_id join staff s on s.id = ms.staff_id
      where p.conversation_id = ${conversation} and ms.absence_enabled) as absent,
    ${
      t.case_id
        ? sql`(select u.municipality from case_file cf join unit u on u.id = cf.unit_id where cf.id = ${uuid(t.case_id)})`
        : sql`null::text`
    } as case_municipality,
    ${staffMunicipality(staffId)},
    ${signatureAndViewerActive(viewer, args.addSignature)}`,
  );
  return row;
}
