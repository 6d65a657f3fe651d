import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessAction } from '../entities/access-log-entry';
import { Message, type MessageEventKind } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { join, sql, typedArray, uuid, uuidArray, type Sql } from '../domain/sql';
import { query } from './query';

// The statements on messages: the one write of a send or reply (every table at once), the automatic-reply claim,
// and opening one message. The access rules arrive as fragments built in src/domain.

/**
 * Read paths answer with plain objects shaped like the entities (the GraphQL
 * types' fields and getters, relations as `{ id }`), not managed entities:
 * mapping a page's rows into the identity map (em.map, its merge) was 90 % of
 * the inbox's own time in a CPU profile. Nothing here is
 * ever flushed; writes load entities as before.
 */
export const ref = (id: unknown) => (id ? { id: id as string } : null);

export function plainMessage(row: Record<string, unknown>): Message {
  return Object.assign(Object.create(Message.prototype) as Message, {
    id: row.id as string,
    createdAt: new Date(row.created_at as string | Date),
    conversation: ref(row.conversation_id),
    senderKind: row.sender_kind as PartyKind,
    senderStaff: ref(row.sender_staff_id),
    senderMailbox: ref(row.sender_mailbox_id),
    senderPerson: ref(row.sender_person_id),
    subject: row.subject as string,
    bodyHtml: row.body_html as string,
    bodyText: row.body_text as string,
    readReceiptRequested: !!row.read_receipt_requested,
    isAutoReply: !!row.is_auto_reply,
    inReplyTo: ref(row.in_reply_to_id),
  });
}

/** The message `messageId` when it is in a conversation (alias `c`) that `readable` admits, as a managed entity. */
export async function findMessage(
  em: EntityManager,
  { messageId, readable }: { messageId: string; readable: Sql },
): Promise<Message | null> {
  const [row] = await query(
    em,
    sql`select m.* from message m join conversation c on c.id = m.conversation_id where m.id = ${uuid(messageId)} and ${readable}`,
  );
  return row ? em.map(Message, row) : null;
}

/**
 * Claims the automatic replies (one per staff member, conversation and
 * absence: `auto_reply_sent` is unique on them) and answers the claims won,
 * as `staffId:conversationId`.
 */
export async function claimAutoReplies(
  em: EntityManager,
  { claims }: { claims: { staffId: string; conversationId: string; since: string | null }[] },
): Promise<Set<string>> {
  const staffIds = uuidArray(claims.map((c) => c.staffId));
  const conversationIds = uuidArray(claims.map((c) => c.conversationId));
  const since = typedArray(
    claims.map((c) => c.since),
    'timestamptz[]',
  );
  const claimed = await query<{ staff_id: string; conversation_id: string }>(
    em,
    sql`insert into auto_reply_sent (staff_id, conversation_id, absence_since)
          select * from unnest(${staffIds}, ${conversationIds}, ${since})
          on conflict do nothing returning staff_id, conversation_id`,
  );
  return new Set(claimed.map((c) => `${c.staff_id}:${c.conversation_id}`));
}

/** A conversation a write touches: a new one is inserted, an existing one gets its last_message_at moved. */
export interface WrittenConversation {
  id: string;
  isNew: boolean;
  subject: string;
  citizenId: string | null;
  caseId: string | null;
}

/** A message's own columns. */
export interface NewMessage {
  id: string;
  conversationId: string;
  sender: { staffId?: string; mailboxId?: string; personId?: string };
  subject: string;
  body: { html: string; text: string };
  readReceiptRequested: boolean;
  isAutoReply: boolean;
  inReplyToId: string | null;
}

type PartyRows = { party: PartyRef }[];

const at = (now: Date, n: number) =>
  typedArray(
    Array.from({ length: n }, () => now),
    'timestamptz[]',
  );
const ids = (xs: readonly (string | null)[]) => typedArray(xs, 'uuid[]');
const texts = (xs: readonly (string | null)[]) => typedArray(xs, 'text[]');
const bools = (xs: readonly boolean[]) => typedArray(xs, 'boolean[]');
/** The party columns of rows (kind, party_key, and the one id set among staff, mailbox, person) as bound arrays. */
const partyColumns = (xs: PartyRows) => ({
  kind: texts(xs.map((x) => x.party.kind)),
  key: texts(xs.map((x) => partyKey(x.party))),
  staff: ids(xs.map((x) => (x.party.kind === PartyKind.STAFF ? x.party.id : null))),
  mailbox: ids(xs.map((x) => (x.party.kind === PartyKind.SHARED_MAILBOX ? x.party.id : null))),
  person: ids(xs.map((x) => (x.party.kind === PartyKind.PERSON ? x.party.id : null))),
});

/**
 * The rows of one or more messages, gathered in memory and written by one
 * statement: one data-modifying CTE per table, each inserting from `unnest`
 * of natively bound arrays (one array per column).
 */
export class WritePlan {
  private readonly newConversations: WrittenConversation[] = [];
  private readonly touchedConversations: string[] = [];
  private readonly participants: { id: string; conversationId: string; party: PartyRef }[] = [];
  private readonly messages: Record<string, unknown>[] = [];
  private readonly recipients: {
    id: string;
    messageId: string;
    conversationId: string;
    party: PartyRef;
    forwarded: boolean;
  }[] = [];
  private readonly events: {
    id: string;
    messageId: string;
    kind: MessageEventKind;
    actorName: string;
    detail: string | null;
  }[] = [];
  private readonly claims: { id: string; messageId: string }[] = [];
  private readonly copies: { sourceId: string; id: string; messageId: string }[] = [];
  private readonly accessLogs: {
    actorId: string;
    role: string;
    personId: string;
    action: AccessAction;
    requestId: string;
  }[] = [];
  private request?: { id: string; messageIds: string[] };

  constructor(private readonly now: Date) {}

  conversation(c: WrittenConversation): void {
    if (c.isNew) {
      if (!this.newConversations.some((x) => x.id === c.id)) this.newConversations.push(c);
    } else if (!this.touchedConversations.includes(c.id)) this.touchedConversations.push(c.id);
  }

  participant(conversationId: string, party: PartyRef): void {
    this.participants.push({ id: randomUUID(), conversationId, party });
  }

  /** The message's row, and what the API answers with (a plain object built from the row: no read after the write, no identity-map merge). */
  message(m: NewMessage): Message {
    const { sender } = m;
    const row = {
      id: m.id,
      created_at: this.now,
      conversation_id: m.conversationId,
      sender_kind: sender.personId ? PartyKind.PERSON : sender.mailboxId ? PartyKind.SHARED_MAILBOX : PartyKind.STAFF,
      sender_staff_id: sender.staffId ?? null,
      sender_mailbox_id: sender.mailboxId ?? null,
      sender_person_id: sender.personId ?? null,
      subject: m.subject,
      body_html: m.body.html,
      body_text: m.body.text,
      read_receipt_requested: m.readReceiptRequested,
      is_auto_reply: m.isAutoReply,
      in_reply_to_id: m.inReplyToId,
    };
    this.messages.push(row);
    return plainMessage(row);
  }

  recipient(messageId: string, conversationId: string, d: { party: PartyRef; forwarded?: boolean }): void {
    this.recipients.push({ id: randomUUID(), messageId, conversationId, party: d.party, forwarded: !!d.forwarded });
  }

  event(messageId: string, kind: MessageEventKind, actorName: string, detail: string | null): void {
    this.events.push({ id: randomUUID(), messageId, kind, actorName, detail });
  }

  claimAttachments(attachmentIds: string[], messageId: string): void {
    for (const id of attachmentIds) this.claims.push({ id, messageId });
  }

  copyAttachments(sourceIds: string[], messageId: string): void {
    for (const sourceId of sourceIds) this.copies.push({ sourceId, id: randomUUID(), messageId });
  }

  accessLog(actorId: string, role: string, personId: string, action: AccessAction, requestId: string): void {
    this.accessLogs.push({ actorId, role, personId, action, requestId });
  }

  sendRequest(id: string, messageIds: string[]): void {
    this.request = { id, messageIds };
  }

  /** Runs the one statement: every insert and update as a CTE, then `main` (e.g. the viewers' notice locks). */
  async write<T extends Record<string, unknown>>(em: EntityManager, { main }: { main: Sql }): Promise<T> {
    const ctes = [
      ...this.conversationCtes(),
      ...this.messageCtes(),
      ...this.attachmentCtes(),
      ...this.bookkeepingCtes(),
    ];
    const [row] = await query<T>(em, sql`with ${join(ctes, ',')} ${main}`);
    return row;
  }

  private conversationCtes(): Sql[] {
    const ctes: Sql[] = [];
    const { now } = this;
    const c = this.newConversations;
    if (c.length) {
      ctes.push(sql`new_conversation as (insert into conversation (id, created_at, subject, citizen_id, case_id, last_message_at)
        select x.id, x.at, x.subject, x.citizen_id, x.case_id, x.at
          from unnest(${ids(c.map((x) => x.id))}, ${at(now, c.length)}, ${texts(c.map((x) => x.subject))},
                      ${ids(c.map((x) => x.citizenId))}, ${ids(c.map((x) => x.caseId))})
            as x(id, at, subject, citizen_id, case_id))`);
    }
    if (this.touchedConversations.length) {
      ctes.push(sql`touched_conversation as (update conversation c set last_message_at = ${now}::timestamptz
        where c.id = any(${ids(this.touchedConversations)}))`);
    }
    const p = this.participants;
    if (p.length) {
      const pp = partyColumns(p);
      ctes.push(sql`new_participant as (insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id, mailbox_id, person_id)
        select x.id, x.at, x.conversation_id, x.kind::party_kind, x.party_key, x.staff_id, x.mailbox_id, x.person_id
          from unnest(${ids(p.map((x) => x.id))}, ${at(now, p.length)}, ${ids(p.map((x) => x.conversationId))}, ${pp.kind}, ${pp.key},
                      ${pp.staff}, ${pp.mailbox}, ${pp.person})
            as x(id, at, conversation_id, kind, party_key, staff_id, mailbox_id, person_id))`);
    }
    return ctes;
  }

  private messageCtes(): Sql[] {
    const ctes: Sql[] = [];
    const { now } = this;
    const m = this.messages;
    const mc = (k: string) => ids(m.map((x) => x[k] as string | null));
    const mt = (k: string) => texts(m.map((x) => x[k] as string | null));
    const mb = (k: string) => bools(m.map((x) => x[k] as boolean));
    ctes.push(sql`new_message as (insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, sender_mailbox_id, sender_person_id,
        subject, body_html, body_text, read_receipt_requested, is_auto_reply, in_reply_to_id)
      select x.id, x.at, x.conversation_id, x.sender_kind::party_kind, x.sender_staff_id, x.sender_mailbox_id, x.sender_person_id,
             x.subject, x.body_html, x.body_text, x.read_receipt_requested, x.is_auto_reply, x.in_reply_to_id
        from unnest(${mc('id')}, ${at(now, m.length)}, ${mc('conversation_id')}, ${mt('sender_kind')}, ${mc('sender_staff_id')},
                    ${mc('sender_mailbox_id')}, ${mc('sender_person_id')}, ${mt('subject')}, ${mt('body_html')}, ${mt('body_text')},
                    ${mb('read_receipt_requested')}, ${mb('is_auto_reply')}, ${mc('in_reply_to_id')})
          as x(id, at, conversation_id, sender_kind, sender_staff_id, sender_mailbox_id, sender_person_id, subject, body_html, body_text,
               read_receipt_requested, is_auto_reply, in_reply_to_id))`);
    const r = this.recipients;
    if (r.length) {
      const rp = partyColumns(r);
      ctes.push(sql`new_recipient as (insert into message_recipient
          (id, created_at, message_id, conversation_id, kind, party_key, staff_id, mailbox_id, person_id, forwarded)
        select x.id, x.at, x.message_id, x.conversation_id, x.kind::party_kind, x.party_key, x.staff_id, x.mailbox_id, x.person_id, x.forwarded
          from unnest(${ids(r.map((x) => x.id))}, ${at(now, r.length)}, ${ids(r.map((x) => x.messageId))}, ${ids(r.map((x) => x.conversationId))},
                      ${rp.kind}, ${rp.key}, ${rp.staff}, ${rp.mailbox}, ${rp.person}, ${bools(r.map((x) => x.forwarded))})
            as x(id, at, message_id, conversation_id, kind, party_key, staff_id, mailbox_id, person_id, forwarded))`);
    }
    const e = this.events;
    if (e.length) {
      ctes.push(sql`new_event as (insert into message_event (id, created_at, message_id, kind, actor_name, detail)
        select x.id, x.at, x.message_id, x.kind::message_event_kind, x.actor_name, x.detail
          from unnest(${ids(e.map((x) => x.id))}, ${at(now, e.length)}, ${ids(e.map((x) => x.messageId))}, ${texts(e.map((x) => x.kind))},
                      ${texts(e.map((x) => x.actorName))}, ${texts(e.map((x) => x.detail))})
            as x(id, at, message_id, kind, actor_name, detail))`);
    }
    return ctes;
  }

  private attachmentCtes(): Sql[] {
    const ctes: Sql[] = [];
    const { claims, copies: cp } = this;
    if (claims.length) {
      ctes.push(sql`claimed_attachment as (update attachment a set message_id = x.message_id
        from unnest(${ids(claims.map((x) => x.id))}, ${ids(claims.map((x) => x.messageId))}) as x(id, message_id) where a.id = x.id)`);
    }
    if (cp.length) {
      ctes.push(sql`copied_attachment as (insert into attachment (id, created_at, filename, content_type, size, sha256, storage_key,
                                                                  uploaded_by_staff_id, uploaded_by_person_id, message_id)
        select x.id, ${this.now}::timestamptz, a.filename, a.content_type, a.size, a.sha256, a.storage_key, a.uploaded_by_staff_id,
               a.uploaded_by_person_id, x.message_id
          from unnest(${ids(cp.map((x) => x.sourceId))}, ${ids(cp.map((x) => x.id))}, ${ids(cp.map((x) => x.messageId))}) as x(source_id, id, message_id)
          join attachment a on a.id = x.source_id)`);
    }
    return ctes;
  }

  private bookkeepingCtes(): Sql[] {
    const ctes: Sql[] = [];
    const l = this.accessLogs;
    if (l.length) {
      ctes.push(sql`new_access_log as (insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
        select gen_random_uuid(), ${this.now}::timestamptz, x.actor_id, x.actor_role::staff_role, x.person_id, x.action::access_action, x.request_id
          from unnest(${ids(l.map((x) => x.actorId))}, ${texts(l.map((x) => x.role))}, ${ids(l.map((x) => x.personId))}, ${texts(l.map((x) => x.action))},
                      ${texts(l.map((x) => x.requestId))}) as x(actor_id, actor_role, person_id, action, request_id))`);
    }
    if (this.request) {
      ctes.push(sql`answered_request as (update send_request set message_ids = ${JSON.stringify(this.request.messageIds)}::jsonb
        where id = ${uuid(this.request.id)})`);
    }
    return ctes;
  }
}
