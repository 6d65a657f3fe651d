import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import type { AccessAction } from '../entities/access-log-entry';
import { Conversation } from '../entities/conversation';
import { Message } from '../entities/message';
import type { PartyKind } from '../entities/party';
import { join, sql, textArray, uuid, uuidArray, type Sql } from '../domain/sql';
import { ref } from './message.store';
import { accessLogInsert } from './access-log.store';
import { query } from './query';

// The statements of the inbox: a page of conversations as a mailbox sees them, and the unread count per mailbox.
// The access rules arrive as fragments built in src/domain (which conversations the viewer may read).

export type InboxFolder = 'ALL' | 'INBOX' | 'SENT';

/** A participant as the inbox shows it: plain, named. */
export interface PartyRow {
  kind: PartyKind;
  id: string;
  name: string | null;
  title: string | null;
}

/** A participant or sender as GraphQL shows it: a name, never contact details (a name not found reads 'Okänd'). */
export interface PartyView {
  kind: PartyKind;
  id: string;
  name: string;
  title: string | null;
}

/** A conversation as seen from one or more of the viewer's mailboxes. */
export interface ConversationView {
  conversation: Conversation;
  lastMessageId: string | null;
  unreadCount: number;
  /** Read with the page (inbox, conversation): everyone taking part, with the name shown. */
  participants: PartyView[];
  /** Read with the page: the last message, and who sent it as the message's `sender` shows them. */
  lastMessage: Message | null;
  lastSender: PartyView | null;
}

/**
 * A class whose instances pass `instanceof entity` (so type-graphql hands them
 * to the entity type's field resolvers as they are, instead of copying them
 * into a new entity) but hold plain data: the MikroORM property setters on the
 * entity's prototype are shadowed by plain writable properties, so no entity
 * helper is attached. Never flushed, never in an identity map.
 */
function leanClass<T extends object>(entity: abstract new () => T, keys: readonly (keyof T & string)[]): new () => T {
  const proto = Object.create(entity.prototype as object) as object;
  for (const key of keys) Object.defineProperty(proto, key, { value: undefined, writable: true, configurable: true });
  const Lean = function () {} as unknown as new () => T;
  Lean.prototype = proto;
  return Lean;
}

const LeanConversation = leanClass(Conversation, ['id', 'createdAt', 'subject', 'citizen', 'case', 'lastMessageAt']);
const LeanMessage = leanClass(Message, [
  'id',
  'createdAt',
  'conversation',
  'senderKind',
  'senderStaff',
  'senderMailbox',
  'senderPerson',
  'subject',
  'bodyHtml',
  'bodyText',
  'readReceiptRequested',
  'isAutoReply',
  'inReplyTo',
]);

const date = (v: unknown) => (v instanceof Date ? v : new Date(v as string));

function leanConversation(row: Record<string, unknown>): Conversation {
  const c = new LeanConversation();
  c.id = row.id as string;
  c.createdAt = date(row.created_at);
  c.subject = row.subject as string;
  c.citizen = ref(row.citizen_id) as Conversation['citizen'];
  c.case = ref(row.case_id) as Conversation['case'];
  c.lastMessageAt = date(row.last_message_at);
  return c;
}

/**
 * The last message from its JSON (timestamps as text), without its body: a list shows the subject, and a body is
 * kilobytes a page would read, send and parse fifty times for nothing. Message.bodyHtml/bodyText load it when asked.
 */
function leanMessage(row: Record<string, unknown>): Message {
  const m = new LeanMessage();
  m.id = row.id as string;
  m.createdAt = date(row.created_at);
  m.conversation = ref(row.conversation_id) as Message['conversation'];
  m.senderKind = row.sender_kind as PartyKind;
  m.senderStaff = ref(row.sender_staff_id) as Message['senderStaff'];
  m.senderMailbox = ref(row.sender_mailbox_id) as Message['senderMailbox'];
  m.senderPerson = ref(row.sender_person_id) as Message['senderPerson'];
  m.subject = row.subject as string;
  m.readReceiptRequested = !!row.read_receipt_requested;
  m.isAutoReply = !!row.is_auto_reply;
  m.inReplyTo = ref(row.in_reply_to_id) as Message['inReplyTo'];
  return m;
}

const partyView = (p: PartyRow): PartyView => ({ kind: p.kind, id: p.id, name: p.name ?? 'Okänd', title: p.title });

export interface PageArgs {
  /** The mailboxes' party keys. */
  keys: string[];
  /** Which conversations (alias `c`) the viewer may read through `keys`. */
  readable: Sql;
  ids?: string[];
  folder: InboxFolder;
  unreadOnly: boolean;
  limit: number;
  after?: [string, string];
  /** Staff only: the access log of the citizens of the first `rows` conversations, written by the same statement. */
  accessLog?: { viewer: StaffViewer; action: AccessAction; rows: number; requestId: string };
}

/** The page's conditions beside the access rule: the ids, the folder, unread only, after the cursor. */
function pageFilters(a: PageArgs): Sql[] {
  const keysArray = textArray(a.keys);
  const where: Sql[] = [a.readable];
  if (a.ids) where.push(sql`c.id = any(${uuidArray(a.ids)})`);
  if (a.folder === 'INBOX') {
    where.push(
      sql`exists (select 1 from message_recipient r2 where r2.conversation_id = c.id and r2.party_key = any(${keysArray}))`,
    );
  } else if (a.folder === 'SENT') {
    where.push(sql`exists (select 1 from message m2 where m2.conversation_id = c.id and m2.is_auto_reply = false and
        (m2.sender_kind::text || ':' || coalesce(m2.sender_mailbox_id, m2.sender_person_id, m2.sender_staff_id)::text) = any(${keysArray}))`);
  }
  if (a.unreadOnly) where.push(sql`u.unread > 0`);
  if (a.after) where.push(sql`(c.last_message_at, c.id) < (${a.after[0]}::timestamptz, ${uuid(a.after[1])})`);
  return where;
}

/**
 * One SQL statement for a page: conversation, its last message id and the
 * unread count for the given mailboxes, the participants with their names and
 * the last message's row (the inbox shows them; the loaders are primed with
 * them), and the access log. Unread counts messages (a message to a person
 * and their shared mailbox is one), never the viewer's own.
 */
export async function conversationPage(em: EntityManager, a: PageArgs): Promise<ConversationView[]> {
  const keysArray = textArray(a.keys);
  const page = sql`select c.*, lm.id as last_message_id, u.unread
         from conversation c
         left join lateral (select m.id from message m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1) lm on true
         cross join lateral (select count(distinct r.message_id)::int as unread
                               from message_recipient r join message um on um.id = r.message_id
                              where r.conversation_id = c.id and r.party_key = any(${keysArray}) and r.read_at is null
                                and (um.sender_kind::text || ':' || coalesce(um.sender_mailbox_id, um.sender_person_id, um.sender_staff_id)::text)
                                    <> all(${keysArray})) u
        where ${join(pageFilters(a), 'and')}
        order by c.last_message_at desc, c.id desc
        limit ${a.limit}`;
  const l = a.accessLog;
  const log = l
    ? sql`, logged as (${accessLogInsert(
        { actorId: l.viewer.staff.id, role: l.viewer.role, action: l.action, requestId: l.requestId },
        sql`select distinct f.citizen_id as person_id
              from (select p.citizen_id from page p order by p.last_message_at desc, p.id desc limit ${l.rows}) f
             where f.citizen_id is not null`,
      )})`
    : sql``;
  // The sender as Message.sender shows them: the citizen, else the shared mailbox, else the staff member (with a title).
  const details = sql`, (select json_agg(json_build_object('kind', p.kind, 'id', coalesce(p.staff_id, p.mailbox_id, p.person_id),
                  'name', coalesce(s.given_name || ' ' || s.family_name, sm.name, pe.given_name || ' ' || pe.family_name),
                  'title', s.title) order by p.created_at, p.id)
             from conversation_participant p left join staff s on s.id = p.staff_id left join shared_mailbox sm on sm.id = p.mailbox_id
             left join person pe on pe.id = p.person_id where p.conversation_id = page.id) as participant_rows,
           lm.last_message_row, lm.sender
      from page left join lateral (
        select json_build_object('id', m.id, 'created_at', m.created_at, 'conversation_id', m.conversation_id,
                 'sender_kind', m.sender_kind, 'sender_staff_id', m.sender_staff_id, 'sender_mailbox_id', m.sender_mailbox_id,
                 'sender_person_id', m.sender_person_id, 'subject', m.subject, 'read_receipt_requested', m.read_receipt_requested,
                 'is_auto_reply', m.is_auto_reply, 'in_reply_to_id', m.in_reply_to_id) as last_message_row,
               json_build_object('kind', case when m.sender_person_id is not null then 'PERSON'
                 when m.sender_mailbox_id is not null then 'SHARED_MAILBOX' else 'STAFF' end,
                 'id', coalesce(m.sender_person_id, m.sender_mailbox_id, m.sender_staff_id),
                 'name', coalesce(pe.given_name || ' ' || pe.family_name, sm.name, s.given_name || ' ' || s.family_name),
                 'title', case when m.sender_person_id is null and m.sender_mailbox_id is null then s.title end) as sender
          from message m left join person pe on pe.id = m.sender_person_id left join shared_mailbox sm on sm.id = m.sender_mailbox_id
          left join staff s on s.id = m.sender_staff_id
         where m.id = page.last_message_id) lm on true`;
  const rows = await query<PageRow>(
    em,
    sql`with page as (${page}) ${log} select page.* ${details} order by page.last_message_at desc, page.id desc`,
  );
  return rows.map((row) => ({
    conversation: leanConversation(row),
    lastMessageId: row.last_message_id ?? null,
    unreadCount: Number(row.unread ?? 0),
    participants: (row.participant_rows ?? []).map(partyView),
    lastMessage: row.last_message_row ? leanMessage(row.last_message_row) : null,
    lastSender: row.sender && row.last_message_row ? partyView(row.sender) : null,
  }));
}

/** A row of the page's statement: the conversation's columns and what the page read with it. */
type PageRow = Record<string, unknown> & {
  last_message_id: string | null;
  unread: number | null;
  participant_rows: PartyRow[] | null;
  last_message_row: Record<string, unknown> | null;
  sender: PartyRow | null;
};

/** Unread messages per mailbox (party key), counted, among the conversations `readable` admits (alias `c`). */
export async function unreadByMailbox(
  em: EntityManager,
  { keys, readable }: { keys: string[]; readable: Sql },
): Promise<Map<string, number>> {
  const rows = await query<{ party_key: string; unread: string }>(
    em,
    sql`select r.party_key, count(*) as unread from message_recipient r
        where r.party_key = any(${textArray(keys)}) and r.read_at is null
          and r.conversation_id in (select c.id from conversation c where ${readable}) group by r.party_key`,
  );
  return new Map(rows.map((r) => [r.party_key, Number(r.unread)]));
}

/**
 * The parties' kept unread counts: `unread_count` with the deltas not yet
 * folded into it (the triggers of message_recipient write them, see
 * insertNotices). In one snapshot the two add up to the parties' unread rows:
 * a fold moves deltas into the count in one statement. Two index lookups per
 * party, however many rows are unread.
 */
export async function keptUnreadCounts(em: EntityManager, { keys }: { keys: string[] }): Promise<Map<string, number>> {
  const rows = await query<{ party_key: string; unread: number }>(
    em,
    sql`select k.party_key,
               (coalesce((select u.unread from unread_count u where u.party_key = k.party_key), 0)
                + coalesce((select sum(d.delta) from unread_delta d where d.party_key = k.party_key), 0))::int as unread
          from unnest(${textArray(keys)}) as k(party_key)`,
  );
  return new Map(rows.map((r) => [r.party_key, r.unread]));
}
