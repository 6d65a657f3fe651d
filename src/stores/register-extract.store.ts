import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuid } from '../domain/sql';
import { query } from './query';

// What a register extract holds (register-extract.service X2/X3), read straight from the tables one section at a
// time, and the extract's own status changes made outside the unit of work (by the job and its retries).

type Row = Record<string, unknown>;

/** The person's own profile (the caller redacts it for staff, X3). */
export async function readExtractProfile(em: EntityManager, p: { personId: string }): Promise<Row | undefined> {
  const [profile] = await query(
    em,
    sql`select personnummer, given_name as "givenName", family_name as "familyName", street, postal_code as "postalCode", city,
      mobile, home_phone as "homePhone", work_phone as "workPhone", email,
      protected_identity as "protectedIdentity", confidentiality_marking as "confidentialityMarking",
      secret_phone_number as "secretPhoneNumber", needs_interpreter as "needsInterpreter", interpreter_language as "interpreterLanguage",
      messaging_enabled as "messagingEnabled", notify_by_sms as "notifyBySms", notify_by_email as "notifyByEmail", created_at as "registeredAt"
    from person where id = ${uuid(p.personId)}`,
  );
  return profile;
}

/** The person's cases with their interventions and the relations registered on them (types and dates only). */
export function readExtractCases(em: EntityManager, p: { personId: string }): Promise<Row[]> {
  return query(
    em,
    sql`select c.id, c.title, c.status, c.opened_on as "openedOn", c.closed_on as "closedOn",
      (select coalesce(json_agg(json_build_object('code', i.code, 'name', i.name, 'startDate', i.start_date, 'endDate', i.end_date)
                                order by i.start_date), '[]')
         from intervention i where i.case_id = c.id) as interventions,
      (select coalesce(json_agg(json_build_object('types', r.types, 'validFrom', r.valid_from, 'validTo', r.valid_to)
                                order by r.valid_from), '[]')
         from relation r where r.case_id = c.id) as "relationsRegistered"
    from case_file c where c.holder_id = ${uuid(p.personId)} order by c.opened_on`,
  );
}

/** The cases the person is a relation on: the case and the relation, not the case holder (X3). */
export function readExtractRelations(em: EntityManager, p: { personId: string }): Promise<Row[]> {
  return query(
    em,
    sql`select r.types, r.valid_from as "validFrom", r.valid_to as "validTo", r.activated_at as "activatedAt", c.title as "caseTitle"
    from relation r join case_file c on c.id = r.case_id where r.person_id = ${uuid(p.personId)} order by r.valid_from`,
  );
}

/** The messages the person sent or received; other people by name only (X3). */
export function readExtractMessages(em: EntityManager, p: { personId: string }): Promise<Row[]> {
  const id = uuid(p.personId);
  return query(
    em,
    sql`select m.id, m.conversation_id as "conversationId", m.subject, m.body_text as "text", m.body_html as "html", m.created_at as "sentAt",
      case when m.sender_person_id = ${id} then 'Du'
           when m.sender_staff_id is not null then coalesce(s.given_name || ' ' || s.family_name, '') || coalesce(' (' || mb.name || ')', '')
           else sp.given_name || ' ' || sp.family_name end as "senderName",
      coalesce(m.sender_person_id = ${id}, false) as "sentByYou",
      (select r.read_at from message_recipient r where r.message_id = m.id and r.person_id = ${id} limit 1) as "readByYouAt",
      (select coalesce(json_agg(json_build_object('kind', e.kind, 'at', e.created_at, 'by', e.actor_name, 'detail', e.detail)
                                order by e.created_at), '[]')
         from message_event e where e.message_id = m.id) as history,
      (select coalesce(json_agg(json_build_object('id', a.id, 'filename', a.filename, 'size', a.size, 'sha256', a.sha256)
                                order by a.created_at), '[]')
         from attachment a where a.message_id = m.id) as attachments
    from message m
    left join staff s on s.id = m.sender_staff_id
    left join shared_mailbox mb on mb.id = m.sender_mailbox_id
    left join person sp on sp.id = m.sender_person_id
    where m.sender_person_id = ${id} or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${id})
    order by m.created_at, m.id`,
  );
}

/** The conversations of those messages. */
export function readExtractConversations(em: EntityManager, p: { personId: string }): Promise<Row[]> {
  const id = uuid(p.personId);
  return query(
    em,
    sql`select c.id, c.subject, c.created_at as "startedAt", c.last_message_at as "lastMessageAt"
    from conversation c
    where c.id in (select distinct m.conversation_id from message m
                    where m.sender_person_id = ${id}
                       or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${id}))
    order by c.last_message_at`,
  );
}

/** The person's drafts, notification deliveries, who read their data (access log) and their earlier extracts. */
export async function readExtractRecords(
  em: EntityManager,
  p: { personId: string },
): Promise<{
  drafts: Row[];
  notificationDeliveries: Row[];
  accessLog: Row[];
  registerExtracts: Row[];
}> {
  const id = uuid(p.personId);
  const drafts = await query(
    em,
    sql`select d.subject, d.body_html as "html", d.saved_at as "savedAt" from draft d where d.owner_person_id = ${id} order by d.saved_at`,
  );
  const notificationDeliveries = await query(
    em,
    sql`select nd.channel, nd.delivered_at as "deliveredAt", nd.message_id as "messageId"
        from notification_delivery nd where nd.person_id = ${id} order by nd.delivered_at`,
  );
  const accessLog = await query(
    em,
    sql`select l.created_at as "at", l.action, l.actor_role as "role", s.given_name || ' ' || s.family_name as "staffName"
    from access_log_entry l join staff s on s.id = l.actor_id where l.person_id = ${id} order by l.created_at`,
  );
  const registerExtracts = await query(
    em,
    sql`select x.created_at as "requestedAt", x.status from register_extract x where x.person_id = ${id} order by x.created_at`,
  );
  return { drafts, notificationDeliveries, accessLog, registerExtracts };
}

/** The files attached to those messages, with their bytes. */
export function readExtractAttachments(
  em: EntityManager,
  p: { personId: string },
): Promise<{ id: string; filename: string; bytes: Buffer }[]> {
  const id = uuid(p.personId);
  return query(
    em,
    sql`select a.id, a.filename, b.bytes
    from attachment a join message m on m.id = a.message_id join attachment_blob b on b.key = a.storage_key
    where m.sender_person_id = ${id} or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${id})
    order by a.created_at, a.id`,
  );
}

/** X4: the ZIP's bytes go once it is downloaded. */
export async function deleteExtractFile(em: EntityManager, p: { storageKey: string }): Promise<void> {
  await query(em, sql`delete from attachment_blob where key = ${p.storageKey}`);
}

/** The job's result: the ZIP stored under `storageKey`, expiring after `days` (only while still PENDING). */
export async function markExtractReady(
  em: EntityManager,
  p: { id: string; storageKey: string; size: number; sha256: string; days: number },
): Promise<void> {
  await query(
    em,
    sql`update register_extract set status = 'READY', storage_key = ${p.storageKey}, size = ${p.size}, sha256 = ${p.sha256},
           ready_at = now(), expires_at = now() + make_interval(days => ${p.days})
         where id = ${uuid(p.id)} and status = 'PENDING'`,
  );
}

/** The job gave up (no retries left). */
export async function markExtractFailed(em: EntityManager, p: { id: string }): Promise<void> {
  await query(em, sql`update register_extract set status = 'FAILED' where id = ${uuid(p.id)} and status = 'PENDING'`);
}
