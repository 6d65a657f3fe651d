import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Conversation, ConversationParticipant } from '../entities/conversation';
import { MailboxSettings } from '../entities/mailbox-settings';
import { Message, MessageEvent, MessageEventKind, MessageRecipient, SendRequest } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { Person } from '../entities/person';
import { SharedMailbox } from '../entities/shared-mailbox';
import { Staff, StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { logPersonAccess } from './access-log.service';
import { htmlToText, MAX_BODY_CHARS, sanitizeBody, textToHtml } from './html';
import { singleLineText } from './text';
import { isId } from './ids';
import { ownUnsentUploads } from './attachment.service';
import { assertCitizenMayWrite, citizenRecipientRefusal, citizenStillLinked, citizenTargets, memberMailbox, readableConversations, viewerParties, writablePersons, type WriteRefusal } from './messaging-policy';
import { conversationParticipant } from './rules';
import { join, query, sql, textArray, uuid, uuidArray, type Sql } from './sql';
import { EventBuffer, type EventSink } from './notices';
import { decodeCursor, pageSize, toPage, type Page } from './pagination';

export const MAX_ATTACHMENTS = 5;
export const MAX_SUBJECT_CHARS = 200;

export interface Addressees {
  personIds?: readonly string[] | null;
  staffIds?: readonly string[] | null;
  sharedMailboxIds?: readonly string[] | null;
}

export interface ComposeInput {
  subject: string;
  body: string;
  readReceiptRequested?: boolean | null;
  attachmentIds?: readonly string[] | null;
  addSignature?: boolean | null;
}

export interface SendInput extends ComposeInput {
  idempotencyKey: string;
  to: Addressees;
  /** Send on behalf of this shared mailbox (staff who are members). */
  fromSharedMailboxId?: string | null;
  /** The case the message is about; defaults to the case that links sender and citizen. */
  caseId?: string | null;
}

export interface ReplyInput {
  idempotencyKey: string;
  subject?: string | null;
  body: string;
  readReceiptRequested?: boolean | null;
  attachmentIds?: readonly string[] | null;
  addSignature?: boolean | null;
  fromSharedMailboxId?: string | null;
}

export type InboxFolder = 'ALL' | 'INBOX' | 'SENT';

/** A conversation as seen from one or more of the viewer's mailboxes. */
export interface ConversationView {
  conversation: Conversation;
  lastMessageId: string | null;
  unreadCount: number;
}

interface Sender {
  party: PartyRef;
  staff?: Staff;
  person?: Person;
  mailbox?: SharedMailbox;
  displayName: string;
}

interface Delivery {
  party: PartyRef;
  forwarded?: boolean;
}

const personParty = (id: string): PartyRef => ({ kind: PartyKind.PERSON, id });
const staffParty = (id: string): PartyRef => ({ kind: PartyKind.STAFF, id });
const mailboxParty = (id: string): PartyRef => ({ kind: PartyKind.SHARED_MAILBOX, id });

export function replySubject(subject: string): string {
  return /^(sv|re):/i.test(subject.trim()) ? subject.trim() : `SV: ${subject.trim()}`;
}

function cleanSubject(subject: string): string {
  const s = singleLineText(subject);
  if (!s) throw badInput('subject', 'Write a subject (ämne).');
  if (s.length > MAX_SUBJECT_CHARS) throw badInput('subject', `Keep the subject under ${MAX_SUBJECT_CHARS} characters.`);
  return s;
}

function cleanBody(body: string): { html: string; text: string } {
  if (body.length > MAX_BODY_CHARS) throw badInput('body', `The message is too long: keep it under ${MAX_BODY_CHARS} characters.`);
  const html = sanitizeBody(body);
  const text = htmlToText(html);
  if (!text) throw badInput('body', 'Write a message: the body is empty.');
  return { html, text };
}

function checkKey(key: string): string {
  const k = key.trim();
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(k)) {
    throw badInput('idempotencyKey', 'Send a client-generated idempotency key of 8–100 letters, digits, dots, dashes or colons (a UUID is ideal).');
  }
  return k;
}

function uniqueIds(ids: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set(ids ?? [])];
  for (const id of list) if (!isId(id)) throw new AppError(ErrorCode.NOT_FOUND, `No recipient with id "${id}" exists, or you may not write to them.`, { field });
  return list;
}

/**
 * Messaging rules: sending (idempotent), replies, reading, read receipts,
 * out-of-office and mailbox lists. Every write is one transaction; events go
 * out only after it commits.
 */
export class MessageService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly requestId: string,
    private readonly sink?: EventSink,
    /** Set when a caller's transaction wraps these writes: its events then wait for that transaction. */
    private readonly unitOfWork?: EventBuffer,
  ) {}

  // --- sending ----------------------------------------------------------------------------

  /** A new message: one conversation per citizen addressed (or one without a citizen). */
  async send(input: SendInput): Promise<Message[]> {
    const key = checkKey(input.idempotencyKey);
    const subject = cleanSubject(input.subject);
    const body = cleanBody(input.body);
    const to = {
      personIds: uniqueIds(input.to.personIds, 'to.personIds'),
      staffIds: uniqueIds(input.to.staffIds, 'to.staffIds'),
      sharedMailboxIds: uniqueIds(input.to.sharedMailboxIds, 'to.sharedMailboxIds'),
    };
    if (!to.personIds.length && !to.staffIds.length && !to.sharedMailboxIds.length) throw badInput('to', 'Choose at least one recipient.');
    const attachmentIds = uniqueIds(input.attachmentIds, 'attachmentIds');
    if (attachmentIds.length > MAX_ATTACHMENTS) throw new AppError(ErrorCode.TOO_MANY_FILES, `A message can carry at most ${MAX_ATTACHMENTS} attachments. Send the rest in another message.`, { field: 'attachmentIds' });
    const payload = { kind: 'send', subject, body: body.html, to, attachmentIds, rr: !!input.readReceiptRequested, sig: !!input.addSignature, from: input.fromSharedMailboxId ?? null, caseId: input.caseId ?? null };

    const events = new EventBuffer(this.unitOfWork);
    const messages = await this.idempotent(key, payload, async (em) => {
      const sender = await this.resolveSender(em, input.fromSharedMailboxId);
      const finalBody = await this.withSignature(em, body, input.addSignature);
      const attachments = await ownUnsentUploads(em, this.viewer, attachmentIds);

      const staff = to.staffIds.length ? await em.find(Staff, { id: { $in: to.staffIds }, active: true }) : [];
      if (staff.length !== to.staffIds.length) throw new AppError(ErrorCode.NOT_FOUND, 'A staff recipient does not exist or is no longer active. Check the recipients.', { field: 'to.staffIds' });
      const mailboxes = to.sharedMailboxIds.length ? await em.find(SharedMailbox, { id: { $in: to.sharedMailboxIds } }) : [];
      if (mailboxes.length !== to.sharedMailboxIds.length) throw new AppError(ErrorCode.NOT_FOUND, 'A shared mailbox recipient does not exist. Check the recipients.', { field: 'to.sharedMailboxIds' });
      const staffRecipients = [...staff.map((s) => staffParty(s.id)), ...mailboxes.map((m) => mailboxParty(m.id))];

      // Who is addressed, per conversation: one conversation per citizen.
      const threads: { citizen: Person | null; caseId: string | null; parties: PartyRef[] }[] = [];
      if (this.viewer.kind === 'citizen') {
        if (to.personIds.length) throw new AppError(ErrorCode.RECIPIENT_NOT_ALLOWED, 'Citizens write to staff and shared mailboxes only.', { field: 'to.personIds' });
        await this.requireCitizenActive(em);
        const targets = await citizenTargets(em, this.viewer);
        const allowed = new Map(targets.map((t) => [partyKey(t.party), t.caseId]));
        let caseId: string | null = null;
        for (const party of staffRecipients) {
          const linked = allowed.get(partyKey(party));
          if (!linked) {
            throw await citizenRecipientRefusal(em, this.viewer, party, new AppError(ErrorCode.RECIPIENT_NOT_ALLOWED, 'You can write only to the caseworkers, executors and shared mailboxes of your ongoing cases. See your contacts.', { field: party.kind === PartyKind.STAFF ? 'to.staffIds' : 'to.sharedMailboxIds' }));
          }
          caseId ??= linked;
        }
        threads.push({ citizen: this.viewer.person, caseId, parties: staffRecipients });
      } else {
        const viewer = this.viewer;
        if (to.personIds.length) {
          const refusals = new Map<string, WriteRefusal>();
          const writable = await writablePersons(em, viewer, to.personIds, input.caseId, refusals);
          const persons = await em.find(Person, { id: { $in: to.personIds } });
          const byId = new Map(persons.map((p) => [p.id, p]));
          for (const id of to.personIds) {
            const person = byId.get(id);
            const link = writable.get(id);
            if (person && !link && refusals.get(id) === 'RELATION_NOT_ACTIVATED') {
              throw new AppError(ErrorCode.RECIPIENT_NOT_ACTIVATED, `The relation of ${person.name} is approved for messages but not activated. Activate the relation first (activateRelation), or contact them another way.`, { field: 'to.personIds', personId: id });
            }
            if (!person || !link) {
              throw new AppError(ErrorCode.RECIPIENT_NOT_ALLOWED, 'You may not write to one of the persons: they are not on an ongoing case of yours, or their relation is not activated and valid today.', { field: 'to.personIds', personId: id });
            }
            if (!person.messagingEnabled) {
              throw new AppError(ErrorCode.RECIPIENT_NOT_ACTIVATED, `The e-service is not activated for ${person.name}. Activate it (or the relation) first, or contact them another way.`, { field: 'to.personIds', personId: id });
            }
            threads.push({ citizen: person, caseId: link.caseId, parties: [personParty(id), ...staffRecipients] });
          }
        } else {
          threads.push({ citizen: null, caseId: null, parties: staffRecipients });
        }
      }

      const created: Message[] = [];
      for (const [i, thread] of threads.entries()) {
        const conversation = em.create(Conversation, { subject, citizen: thread.citizen, case: thread.caseId });
        const message = await this.deliver(em, events, {
          conversation,
          sender,
          subject,
          body: finalBody,
          readReceiptRequested: !!input.readReceiptRequested,
          recipients: thread.parties.map((party) => ({ party })),
          attachments: i === 0 ? attachments : attachments.map((a) => this.copyAttachment(em, a)),
          participantKeys: new Set(),
        });
        created.push(message);
      }
      await events.recordIn(em, this.sink);
      return created;
    });
    await events.flushTo(this.sink);
    return messages;
  }

  /** A reply in the conversation, to everyone else in it. */
  async reply(messageId: string, input: ReplyInput): Promise<Message> {
    const key = checkKey(input.idempotencyKey);
    const body = cleanBody(input.body);
    const attachmentIds = uniqueIds(input.attachmentIds, 'attachmentIds');
    if (attachmentIds.length > MAX_ATTACHMENTS) throw new AppError(ErrorCode.TOO_MANY_FILES, `A message can carry at most ${MAX_ATTACHMENTS} attachments. Send the rest in another message.`, { field: 'attachmentIds' });
    const payload = { kind: 'reply', messageId, subject: input.subject ?? null, body: body.html, attachmentIds, rr: !!input.readReceiptRequested, sig: !!input.addSignature, from: input.fromSharedMailboxId ?? null };

    const events = new EventBuffer(this.unitOfWork);
    const [message] = await this.idempotent(key, payload, async (em) => {
      const original = await this.openMessage(em, messageId, { forReply: true });
      const conversation = await em.findOneOrFail(Conversation, original.conversation.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const participants = await em.find(ConversationParticipant, { conversation: conversation.id });
      const sender = await this.replySender(em, participants, input.fromSharedMailboxId);
      if (this.viewer.kind === 'citizen') await this.requireCitizenActive(em);
      const recipients = participants
        .filter((p) => p.partyKey !== partyKey(sender.party))
        .map((p) => ({ kind: p.kind, id: (p.staff ?? p.mailbox ?? p.person)!.id }));
      // The citizen in the thread must still have the e-service (M5).
      const citizenRecipient = recipients.find((r) => r.kind === PartyKind.PERSON);
      if (citizenRecipient) {
        const citizen = await em.findOneOrFail(Person, citizenRecipient.id);
        if (!citizen.messagingEnabled) throw new AppError(ErrorCode.RECIPIENT_NOT_ACTIVATED, `The e-service is no longer activated for ${citizen.name}. Activate it again first, or contact them another way.`);
      }
      // M2: an executor's right to write to a citizen ends with the assignment, replies included.
      if (citizenRecipient && this.viewer.kind === 'staff' && this.viewer.role === StaffRole.EXECUTOR && sender.party.kind === PartyKind.STAFF) {
        const writable = await writablePersons(em, this.viewer, [citizenRecipient.id]);
        if (!writable.has(citizenRecipient.id)) {
          throw new AppError(
            ErrorCode.RECIPIENT_NOT_ALLOWED,
            'Your assignment for this person has ended, so you can no longer write to them. Ask the caseworker of their case to answer.',
            { field: 'messageId' },
          );
        }
      }
      // M1/M4: a former relation is out of the case's conversations.
      if (conversation.citizen && conversation.case && !(await citizenStillLinked(em, conversation.citizen.id, conversation.case.id))) {
        throw new AppError(
          ErrorCode.RECIPIENT_NOT_ALLOWED,
          this.viewer.kind === 'citizen'
            ? 'You are no longer registered as a relation approved for messages on this case, so you cannot reply here. Contact the social services another way.'
            : 'The citizen in this conversation is no longer an activated relation on the case inside its validity. Register or extend the relation first, or contact them another way.',
          { field: 'messageId' },
        );
      }
      // M4: a read-only relation reads the case's conversations but does not reply in them.
      if (this.viewer.kind === 'citizen' && conversation.case) await assertCitizenMayWrite(em, this.viewer.person.id, conversation.case.id);
      if (recipients.length === 0) throw badInput('messageId', 'There is no one else in this conversation to reply to.');
      const subject = input.subject?.trim() ? cleanSubject(input.subject) : replySubject(original.subject);
      const finalBody = await this.withSignature(em, body, input.addSignature);
      const attachments = await ownUnsentUploads(em, this.viewer, attachmentIds);
      const reply = await this.deliver(em, events, {
        conversation,
        sender,
        subject,
        body: finalBody,
        readReceiptRequested: !!input.readReceiptRequested,
        recipients: recipients.map((party) => ({ party })),
        attachments,
        inReplyTo: original,
        participantKeys: new Set(participants.map((p) => p.partyKey)),
      });
      await events.recordIn(em, this.sink);
      return [reply];
    });
    await events.flushTo(this.sink);
    return message;
  }

  /**
   * Writes a message with its recipients, participants, events and
   * attachments, and applies out-of-office (forward + one automatic reply per
   * conversation per absence). Batched: a fixed number of statements however
   * many recipients.
   */
  private async deliver(
    em: EntityManager,
    events: EventBuffer,
    args: {
      conversation: Conversation;
      sender: Sender;
      subject: string;
      body: { html: string; text: string };
      readReceiptRequested: boolean;
      recipients: Delivery[];
      attachments: Attachment[];
      inReplyTo?: Message;
      /** Party keys already in the conversation; the new ones are added here as they join. */
      participantKeys: Set<string>;
      isAutoReply?: boolean;
    },
  ): Promise<Message> {
    const { conversation, sender } = args;
    const now = new Date();
    conversation.lastMessageAt = now;
    const message = em.create(Message, {
      conversation,
      senderKind: sender.person ? PartyKind.PERSON : sender.mailbox ? PartyKind.SHARED_MAILBOX : PartyKind.STAFF,
      senderStaff: sender.staff ?? null,
      senderMailbox: sender.mailbox ?? null,
      senderPerson: sender.person ?? null,
      subject: args.subject,
      bodyHtml: args.body.html,
      bodyText: args.body.text,
      readReceiptRequested: args.readReceiptRequested,
      isAutoReply: !!args.isAutoReply,
      inReplyTo: args.inReplyTo ?? null,
      createdAt: now,
    });
    for (const a of args.attachments) a.message = message;

    // Out-of-office of addressed staff: also deliver to their forward-to mailbox.
    const deliveries = new Map(args.recipients.map((r) => [partyKey(r.party), r]));
    const staffIds = args.recipients.filter((r) => r.party.kind === PartyKind.STAFF).map((r) => r.party.id);
    const absent = args.isAutoReply || staffIds.length === 0 ? [] : await em.find(MailboxSettings, { staff: { $in: staffIds }, absenceEnabled: true }, { populate: ['staff'] });
    for (const settings of absent) {
      if (settings.absenceForwardTo) {
        const party = mailboxParty(settings.absenceForwardTo.id);
        if (!deliveries.has(partyKey(party))) deliveries.set(partyKey(party), { party, forwarded: true });
      }
    }
    const recipients = [...deliveries.values()];

    const existing = args.participantKeys;
    for (const party of [sender.party, ...recipients.map((r) => r.party)]) {
      const k = partyKey(party);
      if (existing.has(k)) continue;
      existing.add(k);
      em.create(ConversationParticipant, { conversation, kind: party.kind, partyKey: k, ...partyColumns(party) });
    }
    for (const r of recipients) {
      em.create(MessageRecipient, { message, conversation, kind: r.party.kind, partyKey: partyKey(r.party), forwarded: !!r.forwarded, ...partyColumns(r.party) });
    }
    em.create(MessageEvent, { message, kind: MessageEventKind.SENT, actorName: sender.displayName, createdAt: now });
    for (const settings of absent) {
      if (settings.absenceForwardTo) {
        em.create(MessageEvent, { message, kind: MessageEventKind.FORWARDED, actorName: settings.staff.name, detail: 'Frånvaro: vidarebefordrat till gemensam brevlåda', createdAt: now });
      }
    }
    await em.flush();

    if (this.viewer.kind === 'staff' && conversation.citizen) {
      await logPersonAccess(em, this.viewer, this.requestId, [conversation.citizen.id], AccessAction.MESSAGE_SENT);
    }
    events.add({
      type: 'message.sent',
      messageId: message.id,
      conversationId: conversation.id,
      subject: args.subject,
      senderName: sender.displayName,
      sentAt: now,
      recipients: recipients.map((r) => r.party),
    });

    // One automatic reply per conversation per absence, never to an automatic reply.
    if (!args.isAutoReply) {
      for (const settings of absent) {
        if (!settings.absenceSince || !settings.absenceReply.trim()) continue;
        const claimed = await em.getConnection().execute(
          'insert into auto_reply_sent (staff_id, conversation_id, absence_since) values (?, ?, ?) on conflict do nothing returning staff_id',
          [settings.staff.id, conversation.id, settings.absenceSince],
          'all',
          em.getTransactionContext(),
        );
        if (!claimed.length) continue;
        const away = settings.staff;
        await this.deliver(em, events, {
          conversation,
          sender: { party: staffParty(away.id), staff: away, displayName: away.name },
          subject: replySubject(args.subject),
          body: { html: textToHtml(settings.absenceReply), text: settings.absenceReply.trim() },
          readReceiptRequested: false,
          recipients: [{ party: sender.party }],
          attachments: [],
          inReplyTo: message,
          participantKeys: existing,
          isAutoReply: true,
        });
        em.create(MessageEvent, { message, kind: MessageEventKind.AUTO_REPLIED, actorName: away.name, createdAt: new Date() });
        await em.flush();
      }
    }
    return message;
  }

  // --- reading ----------------------------------------------------------------------------

  /** The first read per recipient; the sender sees it when a receipt was asked. */
  async markRead(messageId: string, viaSharedMailboxId?: string | null): Promise<Message> {
    const events = new EventBuffer(this.unitOfWork);
    const message = await this.em.transactional(async (em) => {
      const message = await this.openMessage(em, messageId);
      const parties = await this.viewerParties(em);
      const keys = parties
        .filter((p) => (viaSharedMailboxId ? p.kind !== PartyKind.SHARED_MAILBOX || p.id === viaSharedMailboxId : true))
        .map(partyKey);
      const unread = await em.find(MessageRecipient, { message: message.id, partyKey: { $in: keys }, readAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!unread.length) return message;
      const now = new Date();
      const readerName = this.viewer.kind === 'staff' ? this.viewer.staff.name : this.viewer.person.name;
      for (const r of unread) {
        r.readAt = now;
        r.readByStaff = this.viewer.kind === 'staff' ? this.viewer.staff : null;
        em.create(MessageEvent, { message, kind: MessageEventKind.READ, actorName: readerName, createdAt: now });
        events.add({
          type: 'message.read',
          messageId: message.id,
          conversationId: message.conversation.id,
          reader: { kind: r.kind, id: (r.staff ?? r.mailbox ?? r.person)!.id },
          readerName,
          readAt: now,
          sender: senderParty(message),
          receiptRequested: message.readReceiptRequested,
        });
      }
      await em.flush();
      await events.recordIn(em, this.sink);
      return message;
    });
    await events.flushTo(this.sink);
    return message;
  }

  /** A conversation the viewer takes part in (M6), or NOT_FOUND. Staff reads are access-logged. */
  async conversation(id: string): Promise<ConversationView> {
    return this.em.transactional(async (em) => {
      if (!isId(id)) throw notFound('conversation');
      const keys = (await this.viewerParties(em)).map(partyKey);
      const [view] = await this.conversationRows(em, keys, { ids: [id], folder: 'ALL', unreadOnly: false, limit: 1 });
      if (!view) throw notFound('conversation');
      if (this.viewer.kind === 'staff' && view.conversation.citizen) {
        await logPersonAccess(em, this.viewer, this.requestId, [view.conversation.citizen.id], AccessAction.CONVERSATION_READ);
      }
      return view;
    });
  }

  /**
   * A mailbox's conversations, latest activity first: the staff member's own
   * (default) or a shared mailbox they belong to; a citizen's own.
   */
  async conversations(args: { sharedMailboxId?: string | null; folder?: InboxFolder | null; unreadOnly?: boolean | null; first?: number | null; after?: string | null }): Promise<Page<ConversationView>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, 2) as [string, string] | undefined;
    return this.em.transactional(async (em) => {
      const party = await this.mailboxParty(em, args.sharedMailboxId);
      const rows = await this.conversationRows(em, [partyKey(party)], {
        folder: args.folder ?? 'ALL',
        unreadOnly: !!args.unreadOnly,
        limit: size + 1,
        after,
      });
      const page = toPage(rows, size, (r) => [r.conversation.lastMessageAt.toISOString(), r.conversation.id]);
      if (this.viewer.kind === 'staff') {
        const citizens = page.nodes.map((v) => v.conversation.citizen?.id).filter((x): x is string => !!x);
        await logPersonAccess(em, this.viewer, this.requestId, citizens, AccessAction.CONVERSATION_LIST);
      }
      return page;
    });
  }

  /** Unread messages per mailbox the viewer has: own, then shared ones. */
  async mailboxes(): Promise<{ party: PartyRef; unreadCount: number }[]> {
    const parties = await this.viewerParties(this.em);
    const keys = parties.map(partyKey);
    // A recipient row already makes staff a participant; a citizen counts only conversations they may still read (M6).
    const readable = this.viewer.kind === 'citizen' ? sql`and r.conversation_id in (select c.id from conversation c where ${readableConversations(this.viewer, keys, 'c')})` : sql``;
    const rows = await query<{ party_key: string; unread: string }>(
      this.em,
      sql`select r.party_key, count(*) as unread from message_recipient r
        where r.party_key = any(${textArray(keys)}) and r.read_at is null ${readable} group by r.party_key`,
    );
    const counts = new Map(rows.map((r) => [r.party_key, Number(r.unread)]));
    return parties.map((party) => ({ party, unreadCount: counts.get(partyKey(party)) ?? 0 }));
  }

  /**
   * One SQL statement for a page: conversation, its last message id and the
   * unread count for the given mailboxes. Unread counts messages (a message to
   * a person and their shared mailbox is one), never the viewer's own.
   */
  private async conversationRows(
    em: EntityManager,
    keys: string[],
    opts: { ids?: string[]; folder: InboxFolder; unreadOnly: boolean; limit: number; after?: [string, string] },
  ): Promise<ConversationView[]> {
    const keysArray = textArray(keys);
    const where: Sql[] = [readableConversations(this.viewer, keys, 'c')];
    if (opts.ids) where.push(sql`c.id = any(${uuidArray(opts.ids)})`);
    if (opts.folder === 'INBOX') {
      where.push(sql`exists (select 1 from message_recipient r2 where r2.conversation_id = c.id and r2.party_key = any(${keysArray}))`);
    } else if (opts.folder === 'SENT') {
      where.push(sql`exists (select 1 from message m2 where m2.conversation_id = c.id and m2.is_auto_reply = false and
        (m2.sender_kind::text || ':' || coalesce(m2.sender_mailbox_id, m2.sender_person_id, m2.sender_staff_id)::text) = any(${keysArray}))`);
    }
    if (opts.unreadOnly) where.push(sql`u.unread > 0`);
    if (opts.after) where.push(sql`(c.last_message_at, c.id) < (${opts.after[0]}::timestamptz, ${uuid(opts.after[1])})`);
    const rows = await query(
      em,
      sql`select c.*, lm.id as last_message_id, u.unread
         from conversation c
         left join lateral (select m.id from message m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1) lm on true
         cross join lateral (select count(distinct r.message_id)::int as unread
                               from message_recipient r join message um on um.id = r.message_id
                              where r.conversation_id = c.id and r.party_key = any(${keysArray}) and r.read_at is null
                                and (um.sender_kind::text || ':' || coalesce(um.sender_mailbox_id, um.sender_person_id, um.sender_staff_id)::text) <> all(${keysArray})) u
        where ${join(where, 'and')}
        order by c.last_message_at desc, c.id desc
        limit ${opts.limit}`,
    );
    return rows.map((row) => ({
      conversation: em.map(Conversation, row),
      lastMessageId: (row.last_message_id as string | null) ?? null,
      unreadCount: Number(row.unread ?? 0),
    }));
  }

  /**
   * A message in a conversation the viewer may read (M6, and for a citizen the
   * link to the conversation's case), or NOT_FOUND. `forReply` asks only that
   * the viewer takes part: a reply then refuses a former relation with its
   * own reason (RECIPIENT_NOT_ALLOWED).
   */
  async openMessage(em: EntityManager, messageId: string, opts: { forReply?: boolean } = {}): Promise<Message> {
    if (!isId(messageId)) throw notFound('message');
    const keys = (await this.viewerParties(em)).map(partyKey);
    const readable = opts.forReply ? conversationParticipant.sql(keys, 'c.id') : readableConversations(this.viewer, keys, 'c');
    const [row] = await query(em, sql`select m.* from message m join conversation c on c.id = m.conversation_id where m.id = ${uuid(messageId)} and ${readable}`);
    if (!row) throw notFound('message');
    return em.map(Message, row);
  }

  // --- helpers ----------------------------------------------------------------------------

  private parties?: Promise<PartyRef[]>;
  /** The viewer's own party and shared mailboxes, looked up once per operation (opening a message and then reading or replying to it need them twice). */
  private viewerParties(em: EntityManager): Promise<PartyRef[]> {
    return (this.parties ??= viewerParties(em, this.viewer));
  }

  private async idempotent(key: string, payload: unknown, work: (em: EntityManager) => Promise<Message[]>): Promise<Message[]> {
    const senderKey = this.viewer.kind === 'staff' ? `STAFF:${this.viewer.staff.id}` : `PERSON:${this.viewer.person.id}`;
    const payloadHash = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
    return this.em.transactional(async (em) => {
      // Concurrent retries wait here on the unique index until the first one commits.
      const inserted = await em.getConnection().execute(
        `insert into send_request (id, created_at, sender_key, key, payload_hash, message_ids)
         values (gen_random_uuid(), now(), ?, ?, ?, '[]') on conflict (sender_key, key) do nothing returning id`,
        [senderKey, key, payloadHash],
        'all',
        em.getTransactionContext(),
      );
      if (!inserted.length) {
        const previous = await em.findOneOrFail(SendRequest, { senderKey, key });
        if (previous.payloadHash !== payloadHash) {
          throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was already used for a different message. Generate a new key for each new message; reuse a key only to retry the very same send.', { field: 'idempotencyKey' });
        }
        const messages = await em.find(Message, { id: { $in: previous.messageIds } });
        const order = new Map(previous.messageIds.map((id, i) => [id, i]));
        return messages.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      }
      const messages = await work(em);
      await em.nativeUpdate(SendRequest, { id: inserted[0].id }, { messageIds: messages.map((m) => m.id) });
      return messages;
    });
  }

  private async resolveSender(em: EntityManager, fromSharedMailboxId?: string | null): Promise<Sender> {
    if (this.viewer.kind === 'citizen') {
      if (fromSharedMailboxId) throw badInput('fromSharedMailboxId', 'Citizens send as themselves.');
      const person = this.viewer.person;
      return { party: personParty(person.id), person, displayName: person.name };
    }
    const staff = this.viewer.staff;
    if (!fromSharedMailboxId) return { party: staffParty(staff.id), staff, displayName: staff.name };
    const mailbox = await memberMailbox(em, this.viewer, fromSharedMailboxId);
    if (!mailbox) throw notFound('shared mailbox');
    return { party: mailboxParty(mailbox.id), staff, mailbox, displayName: `${mailbox.name} (${staff.name})` };
  }

  /** The viewer's party in an existing conversation: their own, else the shared mailbox they answer from. */
  private async replySender(em: EntityManager, participants: ConversationParticipant[], fromSharedMailboxId?: string | null): Promise<Sender> {
    const inThread = new Set(participants.map((p) => p.partyKey));
    if (this.viewer.kind === 'citizen') return this.resolveSender(em);
    const staff = this.viewer.staff;
    if (fromSharedMailboxId) {
      if (!inThread.has(partyKey(mailboxParty(fromSharedMailboxId)))) throw badInput('fromSharedMailboxId', 'That shared mailbox does not take part in this conversation.');
      return this.resolveSender(em, fromSharedMailboxId);
    }
    if (inThread.has(partyKey(staffParty(staff.id)))) return this.resolveSender(em);
    const parties = await this.viewerParties(em);
    const viaMailbox = parties.find((p) => p.kind === PartyKind.SHARED_MAILBOX && inThread.has(partyKey(p)));
    return this.resolveSender(em, viaMailbox?.id);
  }

  private async mailboxParty(em: EntityManager, sharedMailboxId?: string | null): Promise<PartyRef> {
    if (this.viewer.kind === 'citizen') {
      if (sharedMailboxId) throw notFound('shared mailbox');
      return personParty(this.viewer.person.id);
    }
    if (!sharedMailboxId) return staffParty(this.viewer.staff.id);
    const mailbox = await memberMailbox(em, this.viewer, sharedMailboxId);
    if (!mailbox) throw notFound('shared mailbox');
    return mailboxParty(mailbox.id);
  }

  private async requireCitizenActive(em: EntityManager): Promise<void> {
    if (this.viewer.kind !== 'citizen') return;
    const me = await em.findOneOrFail(Person, this.viewer.person.id);
    if (!me.messagingEnabled) {
      throw new AppError(ErrorCode.E_SERVICE_NOT_ACTIVATED, 'Messaging is not activated for you. Ask your caseworker to activate the e-service.');
    }
  }

  private async withSignature(em: EntityManager, body: { html: string; text: string }, addSignature?: boolean | null) {
    if (!addSignature || this.viewer.kind !== 'staff') return body;
    const settings = await em.findOne(MailboxSettings, { staff: this.viewer.staff.id });
    const signature = settings?.signature.trim();
    if (!signature) return body;
    return { html: `${body.html}${textToHtml(`--\n${signature}`)}`, text: `${body.text}\n\n--\n${signature}` };
  }

  /** Uploads the viewer made and has not sent yet. */
  /** The same bytes attached to another citizen's copy of the message. */
  private copyAttachment(em: EntityManager, a: Attachment): Attachment {
    return em.create(Attachment, {
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      sha256: a.sha256,
      storageKey: a.storageKey,
      uploadedByStaff: a.uploadedByStaff,
      uploadedByPerson: a.uploadedByPerson,
    });
  }
}

function partyColumns(party: PartyRef) {
  return {
    staff: party.kind === PartyKind.STAFF ? party.id : null,
    mailbox: party.kind === PartyKind.SHARED_MAILBOX ? party.id : null,
    person: party.kind === PartyKind.PERSON ? party.id : null,
  };
}

export function senderParty(m: Message): PartyRef {
  if (m.senderPerson) return personParty(m.senderPerson.id);
  if (m.senderMailbox) return mailboxParty(m.senderMailbox.id);
  return staffParty(m.senderStaff!.id);
}
