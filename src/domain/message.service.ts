import { createHash, randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Conversation } from '../entities/conversation';
import { Message, MessageEvent, MessageEventKind, MessageRecipient, SendRequest } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { htmlToText, MAX_BODY_CHARS, sanitizeBody, textToHtml } from './html';
import { singleLineText } from './text';
import { isId } from './ids';
import { ownUnsentUploads } from './attachment.service';
import {
  assertCitizenMayWrite,
  citizenRecipientRefusal,
  citizenTargets,
  memberMailbox,
  readableConversations,
  viewerParties,
  viewerPartyKeys,
  writablePersons,
  type WriteRefusal,
} from './messaging-policy';
import { citizenLinks, conversationParticipant } from './rules';
import { todayInSweden } from './time';
import { join, sql, textArray, typedArray, uuid, uuidArray, type Sql } from './sql';
import { query } from '../stores/query';
import { EventBuffer, type EventSink, type RecordHints } from './notices';
import { viewerLocks, type MailboxMember } from './notice.service';
import type { NotifyTarget } from '../notifications/outbox';
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
  /** Read with the page (inbox, conversation): everyone taking part, with the name shown. */
  participants?: PartyRow[];
  /** Read with the page: the last message. */
  lastMessage?: Message | null;
}

/** A participant as the inbox shows it: plain, named. */
export interface PartyRow {
  kind: PartyKind;
  id: string;
  name: string | null;
  title: string | null;
}

interface Sender {
  party: PartyRef;
  /** The staff member who writes (also when from a shared mailbox). */
  staffId?: string;
  mailboxId?: string;
  personId?: string;
  displayName: string;
  /** The municipality of the sending mailbox's unit (notifications' "from"), when read. */
  municipality?: string | null;
}

/** An addressed staff member's out-of-office, as read with the send. */
interface Absence {
  staffId: string;
  staffName: string;
  forwardToId: string | null;
  /** As PostgreSQL wrote it (microseconds kept: the automatic-reply claim compares it). */
  since: string | null;
  reply: string;
}

/** One message to write: in a new conversation (a send) or an existing one (a reply). */
interface Outgoing {
  conversation: { id: string; isNew: boolean; subject: string; citizenId: string | null; caseId: string | null };
  sender: Sender;
  subject: string;
  body: { html: string; text: string };
  readReceiptRequested: boolean;
  recipients: Delivery[];
  /** Uploads that become this message's (`claim`), or that it gets copies of (`copyFrom`: another citizen's copy of a send). */
  attachments: { claim?: string[]; copyFrom?: string[] };
  inReplyToId?: string | null;
  /** Party keys already in the conversation; the new ones are added here as they join. */
  participantKeys: Set<string>;
  isAutoReply?: boolean;
  extraEvents?: { messageId: string; kind: MessageEventKind; actorName: string }[];
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
  if (s.length > MAX_SUBJECT_CHARS)
    throw badInput('subject', `Keep the subject under ${MAX_SUBJECT_CHARS} characters.`);
  return s;
}

function cleanBody(body: string): { html: string; text: string } {
  if (body.length > MAX_BODY_CHARS)
    throw badInput('body', `The message is too long: keep it under ${MAX_BODY_CHARS} characters.`);
  const html = sanitizeBody(body);
  const text = htmlToText(html);
  if (!text) throw badInput('body', 'Write a message: the body is empty.');
  return { html, text };
}

function checkKey(key: string): string {
  const k = key.trim();
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(k)) {
    throw badInput(
      'idempotencyKey',
      'Send a client-generated idempotency key of 8–100 letters, digits, dots, dashes or colons (a UUID is ideal).',
    );
  }
  return k;
}

function uniqueIds(ids: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set(ids ?? [])];
  for (const id of list)
    if (!isId(id))
      throw new AppError(ErrorCode.NOT_FOUND, `No recipient with id "${id}" exists, or you may not write to them.`, {
        field,
      });
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
    if (!to.personIds.length && !to.staffIds.length && !to.sharedMailboxIds.length)
      throw badInput('to', 'Choose at least one recipient.');
    const attachmentIds = uniqueIds(input.attachmentIds, 'attachmentIds');
    if (attachmentIds.length > MAX_ATTACHMENTS)
      throw new AppError(
        ErrorCode.TOO_MANY_FILES,
        `A message can carry at most ${MAX_ATTACHMENTS} attachments. Send the rest in another message.`,
        { field: 'attachmentIds' },
      );
    const payload = {
      kind: 'send',
      subject,
      body: body.html,
      to,
      attachmentIds,
      rr: !!input.readReceiptRequested,
      sig: !!input.addSignature,
      from: input.fromSharedMailboxId ?? null,
      caseId: input.caseId ?? null,
    };

    const events = new EventBuffer(this.unitOfWork);
    const viewer = this.viewer;
    // One statement claims the key and reads what the rules and the write need (issue 12: a send in a few statements).
    const reads = sendReads(viewer, to, input.fromSharedMailboxId ?? null, !!input.addSignature);
    let hints: RecordHints | undefined;
    const messages = await this.idempotent(key, payload, reads, async (em, row) => {
      const r = row as unknown as SendReadsRow;
      const sender = this.senderFromReads(r, input.fromSharedMailboxId);
      const finalBody = withSignature(body, r.signature);
      const attachments = await ownUnsentUploads(em, viewer, attachmentIds);

      if (r.staff_ids.length !== to.staffIds.length)
        throw new AppError(
          ErrorCode.NOT_FOUND,
          'A staff recipient does not exist or is no longer active. Check the recipients.',
          { field: 'to.staffIds' },
        );
      if (r.mailbox_ids.length !== to.sharedMailboxIds.length)
        throw new AppError(ErrorCode.NOT_FOUND, 'A shared mailbox recipient does not exist. Check the recipients.', {
          field: 'to.sharedMailboxIds',
        });
      // Addressed in the order given.
      const staffRecipients = [...to.staffIds.map(staffParty), ...to.sharedMailboxIds.map(mailboxParty)];

      // Who is addressed, per conversation: one conversation per citizen.
      const threads: { citizenId: string | null; caseId: string | null; parties: PartyRef[] }[] = [];
      if (viewer.kind === 'citizen') {
        if (to.personIds.length)
          throw new AppError(ErrorCode.RECIPIENT_NOT_ALLOWED, 'Citizens write to staff and shared mailboxes only.', {
            field: 'to.personIds',
          });
        if (!r.viewer_active)
          throw new AppError(
            ErrorCode.E_SERVICE_NOT_ACTIVATED,
            'Messaging is not activated for you. Ask your caseworker to activate the e-service.',
          );
        const targets = await citizenTargets(em, viewer);
        const allowed = new Map(targets.map((t) => [partyKey(t.party), t.caseId]));
        let caseId: string | null = null;
        for (const party of staffRecipients) {
          const linked = allowed.get(partyKey(party));
          if (!linked) {
            throw await citizenRecipientRefusal(
              em,
              viewer,
              party,
              new AppError(
                ErrorCode.RECIPIENT_NOT_ALLOWED,
                'You can write only to the caseworkers, executors and shared mailboxes of your ongoing cases. See your contacts.',
                { field: party.kind === PartyKind.STAFF ? 'to.staffIds' : 'to.sharedMailboxIds' },
              ),
            );
          }
          caseId ??= linked;
        }
        threads.push({ citizenId: viewer.person.id, caseId, parties: staffRecipients });
      } else if (to.personIds.length) {
        const refusals = new Map<string, WriteRefusal>();
        const writable = await writablePersons(em, viewer, to.personIds, input.caseId, refusals);
        const byId = new Map(r.persons.map((p) => [p.id, p]));
        for (const id of to.personIds) {
          const person = byId.get(id);
          const link = writable.get(id);
          if (person && !link && refusals.get(id) === 'RELATION_NOT_ACTIVATED') {
            throw new AppError(
              ErrorCode.RECIPIENT_NOT_ACTIVATED,
              `The relation of ${person.name} is approved for messages but not activated. Activate the relation first (activateRelation), or contact them another way.`,
              { field: 'to.personIds', personId: id },
            );
          }
          if (!person || !link) {
            throw new AppError(
              ErrorCode.RECIPIENT_NOT_ALLOWED,
              'You may not write to one of the persons: they are not on an ongoing case of yours, or their relation is not activated and valid today.',
              { field: 'to.personIds', personId: id },
            );
          }
          if (!person.messaging_enabled) {
            throw new AppError(
              ErrorCode.RECIPIENT_NOT_ACTIVATED,
              `The e-service is not activated for ${person.name}. Activate it (or the relation) first, or contact them another way.`,
              { field: 'to.personIds', personId: id },
            );
          }
          threads.push({ citizenId: id, caseId: link.caseId, parties: [personParty(id), ...staffRecipients] });
        }
      } else {
        threads.push({ citizenId: null, caseId: null, parties: staffRecipients });
      }

      const absent = r.absent.map(toAbsence);
      const written = await this.deliver(em, events, absent, {
        sendRequestId: r.claim_id,
        outgoing: threads.map((thread, i) => ({
          conversation: { id: randomUUID(), isNew: true, subject, citizenId: thread.citizenId, caseId: thread.caseId },
          sender,
          subject,
          body: finalBody,
          readReceiptRequested: !!input.readReceiptRequested,
          recipients: thread.parties.map((party) => ({ party })),
          attachments: i === 0 ? { claim: attachments.map((a) => a.id) } : { copyFrom: attachments.map((a) => a.id) },
          participantKeys: new Set<string>(),
        })),
      });
      // The citizens' notification choices were read with the rules: the jobs need no statement of their own.
      const notifyTargets: NotifyTarget[] | undefined = written.autoReplied
        ? undefined
        : written.messages.flatMap((m, i) => {
            const person =
              threads[i].citizenId && viewer.kind === 'staff'
                ? r.persons.find((p) => p.id === threads[i].citizenId)
                : undefined;
            if (!person) return [];
            const municipality =
              (threads[i].caseId ? r.case_municipality[threads[i].caseId!] : undefined) ??
              r.staff_municipality ??
              sender.municipality ??
              null;
            return [
              {
                message_id: m.id,
                person_id: person.id,
                notify_by_sms: person.notify_by_sms,
                notify_by_email: person.notify_by_email,
                municipality,
              },
            ];
          });
      hints = { locked: written.locked, notifyTargets };
      await events.recordIn(em, this.sink, hints);
      return written.messages;
    });
    await events.flushTo(this.sink);
    return messages;
  }

  /** A reply in the conversation, to everyone else in it. */
  async reply(messageId: string, input: ReplyInput): Promise<Message> {
    const key = checkKey(input.idempotencyKey);
    const body = cleanBody(input.body);
    const attachmentIds = uniqueIds(input.attachmentIds, 'attachmentIds');
    if (attachmentIds.length > MAX_ATTACHMENTS)
      throw new AppError(
        ErrorCode.TOO_MANY_FILES,
        `A message can carry at most ${MAX_ATTACHMENTS} attachments. Send the rest in another message.`,
        { field: 'attachmentIds' },
      );
    const payload = {
      kind: 'reply',
      messageId,
      subject: input.subject ?? null,
      body: body.html,
      attachmentIds,
      rr: !!input.readReceiptRequested,
      sig: !!input.addSignature,
      from: input.fromSharedMailboxId ?? null,
    };

    const events = new EventBuffer(this.unitOfWork);
    const viewer = this.viewer;
    if (!isId(messageId)) throw notFound('message');
    // The claim also locks the conversation (replies in one conversation go one at a time), if the viewer takes part in it (M6).
    const target = sql`(select row_to_json(x) from (select c.id, c.citizen_id, c.case_id, c.subject, m.subject as original_subject
        from message m join conversation c on c.id = m.conversation_id
       where m.id = ${uuid(messageId)} and ${conversationParticipant.sql(viewerPartyKeys(viewer), 'c.id')} for update of c) x) as target`;
    const [message] = await this.idempotent(key, payload, target, async (em, row) => {
      const t = row.target as {
        id: string;
        citizen_id: string | null;
        case_id: string | null;
        subject: string;
        original_subject: string;
      } | null;
      if (!t) throw notFound('message');
      // Read after the lock, so a reply that was ahead of this one is seen whole.
      const [r] = await query<ReplyReadsRow>(em, replyReads(viewer, t, !!input.addSignature));
      const participants = r.participants;
      const sender = this.replySenderFrom(participants, r.viewer_keys, input.fromSharedMailboxId);
      if (viewer.kind === 'citizen' && !r.viewer_active)
        throw new AppError(
          ErrorCode.E_SERVICE_NOT_ACTIVATED,
          'Messaging is not activated for you. Ask your caseworker to activate the e-service.',
        );
      const recipients = participants
        .filter((p) => p.party_key !== partyKey(sender.party))
        .map((p): PartyRef => ({ kind: p.kind, id: p.id }));
      // The citizen in the thread must still have the e-service (M5).
      const citizenRecipient = recipients.find((p) => p.kind === PartyKind.PERSON);
      const citizen = citizenRecipient ? r.persons.find((p) => p.id === citizenRecipient.id) : undefined;
      if (citizenRecipient && citizen && !citizen.messaging_enabled) {
        throw new AppError(
          ErrorCode.RECIPIENT_NOT_ACTIVATED,
          `The e-service is no longer activated for ${citizen.name}. Activate it again first, or contact them another way.`,
        );
      }
      // M2: an executor's right to write to a citizen ends with the assignment, replies included.
      if (
        citizenRecipient &&
        viewer.kind === 'staff' &&
        viewer.role === StaffRole.EXECUTOR &&
        sender.party.kind === PartyKind.STAFF
      ) {
        const writable = await writablePersons(em, viewer, [citizenRecipient.id]);
        if (!writable.has(citizenRecipient.id)) {
          throw new AppError(
            ErrorCode.RECIPIENT_NOT_ALLOWED,
            'Your assignment for this person has ended, so you can no longer write to them. Ask the caseworker of their case to answer.',
            { field: 'messageId' },
          );
        }
      }
      // M1/M4: a former relation is out of the case's conversations.
      if (t.citizen_id && t.case_id && !r.still_linked) {
        throw new AppError(
          ErrorCode.RECIPIENT_NOT_ALLOWED,
          viewer.kind === 'citizen'
            ? 'You are no longer registered as a relation approved for messages on this case, so you cannot reply here. Contact the social services another way.'
            : 'The citizen in this conversation is no longer an activated relation on the case inside its validity. Register or extend the relation first, or contact them another way.',
          { field: 'messageId' },
        );
      }
      // M4: a read-only relation reads the case's conversations but does not reply in them.
      if (viewer.kind === 'citizen' && t.case_id) await assertCitizenMayWrite(em, viewer.person.id, t.case_id);
      if (recipients.length === 0)
        throw badInput('messageId', 'There is no one else in this conversation to reply to.');
      const subject = input.subject?.trim() ? cleanSubject(input.subject) : replySubject(t.original_subject);
      const finalBody = withSignature(body, r.signature);
      const attachments = await ownUnsentUploads(em, viewer, attachmentIds);
      const written = await this.deliver(em, events, r.absent.map(toAbsence), {
        sendRequestId: row.claim_id,
        outgoing: [
          {
            conversation: { id: t.id, isNew: false, subject: t.subject, citizenId: t.citizen_id, caseId: t.case_id },
            sender,
            subject,
            body: finalBody,
            readReceiptRequested: !!input.readReceiptRequested,
            recipients: recipients.map((party) => ({ party })),
            attachments: { claim: attachments.map((a) => a.id) },
            inReplyToId: messageId,
            participantKeys: new Set(participants.map((p) => p.party_key)),
          },
        ],
      });
      const [reply] = written.messages;
      const notifyTargets: NotifyTarget[] | undefined = written.autoReplied
        ? undefined
        : citizen && citizenRecipient
          ? [
              {
                message_id: reply.id,
                person_id: citizen.id,
                notify_by_sms: citizen.notify_by_sms,
                notify_by_email: citizen.notify_by_email,
                municipality: r.case_municipality ?? r.staff_municipality ?? null,
              },
            ]
          : [];
      await events.recordIn(em, this.sink, { locked: written.locked, notifyTargets });
      return [reply];
    });
    await events.flushTo(this.sink);
    return message;
  }

  /** The viewer's party in an existing conversation: their own, else the shared mailbox they answer from (M6: one they are a member of). */
  private replySenderFrom(
    participants: ReplyReadsRow['participants'],
    viewerKeys: string[],
    fromSharedMailboxId?: string | null,
  ): Sender {
    const inThread = new Map(participants.map((p) => [p.party_key, p]));
    if (this.viewer.kind === 'citizen') {
      if (fromSharedMailboxId) throw badInput('fromSharedMailboxId', 'Citizens send as themselves.');
      const person = this.viewer.person;
      return { party: personParty(person.id), personId: person.id, displayName: person.name };
    }
    const staff = this.viewer.staff;
    const viaMailbox = (id: string): Sender => {
      const p = inThread.get(partyKey(mailboxParty(id)));
      if (!p || !viewerKeys.includes(p.party_key)) throw notFound('shared mailbox');
      return { party: mailboxParty(id), staffId: staff.id, mailboxId: id, displayName: `${p.name} (${staff.name})` };
    };
    if (fromSharedMailboxId) {
      if (!inThread.has(partyKey(mailboxParty(fromSharedMailboxId))))
        throw badInput('fromSharedMailboxId', 'That shared mailbox does not take part in this conversation.');
      return viaMailbox(fromSharedMailboxId);
    }
    const own: Sender = { party: staffParty(staff.id), staffId: staff.id, displayName: staff.name };
    if (inThread.has(partyKey(own.party))) return own;
    const key = viewerKeys.find((k) => k.startsWith(`${PartyKind.SHARED_MAILBOX}:`) && inThread.has(k));
    return key ? viaMailbox(key.slice(PartyKind.SHARED_MAILBOX.length + 1)) : own;
  }

  /**
   * Writes messages with their recipients, participants, events, attachments
   * and access log, and applies out-of-office (forward to the mailbox chosen,
   * one automatic reply per conversation per absence): one statement for all
   * of them however many recipients and conversations, set-based (unnest of
   * bound arrays, one insert per table). When this unit of work records its own
   * events, the same statement takes the viewers' notice locks (viewerLocks),
   * so recording the notices afterwards is one statement more. Automatic
   * replies add two statements (the claim and their own write).
   */
  private async deliver(
    em: EntityManager,
    events: EventBuffer,
    absent: Absence[],
    args: { outgoing: Outgoing[]; sendRequestId?: string },
  ): Promise<{ messages: Message[]; locked?: { members: MailboxMember[] }; autoReplied: boolean }> {
    const now = new Date();
    const plan = new WritePlan(now);
    const written: { message: Message; out: Outgoing; recipients: PartyRef[] }[] = [];
    for (const out of args.outgoing) {
      const messageId = randomUUID();
      const staffIds = new Set(out.recipients.filter((r) => r.party.kind === PartyKind.STAFF).map((r) => r.party.id));
      const away = out.isAutoReply ? [] : absent.filter((a) => staffIds.has(a.staffId));
      // Out-of-office of addressed staff: also deliver to their forward-to mailbox.
      const deliveries = new Map(out.recipients.map((r) => [partyKey(r.party), r]));
      for (const a of away) {
        if (!a.forwardToId) continue;
        const party = mailboxParty(a.forwardToId);
        if (!deliveries.has(partyKey(party))) deliveries.set(partyKey(party), { party, forwarded: true });
      }
      const recipients = [...deliveries.values()];
      plan.conversation(out.conversation);
      for (const party of [out.sender.party, ...recipients.map((r) => r.party)]) {
        const k = partyKey(party);
        if (out.participantKeys.has(k)) continue;
        out.participantKeys.add(k);
        plan.participant(out.conversation.id, party);
      }
      const message = plan.message(em, messageId, out);
      for (const r of recipients) plan.recipient(messageId, out.conversation.id, r);
      plan.event(messageId, MessageEventKind.SENT, out.sender.displayName, null);
      for (const a of away)
        if (a.forwardToId)
          plan.event(
            messageId,
            MessageEventKind.FORWARDED,
            a.staffName,
            'Frånvaro: vidarebefordrat till gemensam brevlåda',
          );
      for (const e of out.extraEvents ?? []) plan.event(e.messageId, e.kind, e.actorName, null);
      if (out.attachments.claim?.length) plan.claimAttachments(out.attachments.claim, messageId);
      if (out.attachments.copyFrom?.length) plan.copyAttachments(out.attachments.copyFrom, messageId);
      if (this.viewer.kind === 'staff' && out.conversation.citizenId) {
        plan.accessLog(
          this.viewer.staff.id,
          this.viewer.role,
          out.conversation.citizenId,
          AccessAction.MESSAGE_SENT,
          this.requestId,
        );
      }
      written.push({ message, out, recipients: recipients.map((r) => r.party) });
    }
    if (args.sendRequestId)
      plan.sendRequest(
        args.sendRequestId,
        written.map((w) => w.message.id),
      );

    // Automatic replies go back to the senders: their viewers are locked now too, as everything must be locked at once.
    const autoReplyPossible = written.some(
      (w) =>
        !w.out.isAutoReply &&
        absent.some(
          (a) =>
            a.since && a.reply.trim() && w.recipients.some((p) => p.kind === PartyKind.STAFF && p.id === a.staffId),
        ),
    );
    const lockKeys = events.owned
      ? written.flatMap((w) => [
          ...w.recipients.map(partyKey),
          ...(autoReplyPossible ? [partyKey(w.out.sender.party)] : []),
        ])
      : null;
    const [row] = await query<{ members?: MailboxMember[] }>(
      em,
      plan.statement(lockKeys ? viewerLocks(lockKeys) : sql`select 1 as done`),
    );
    const locked = lockKeys ? { members: row.members ?? [] } : undefined;

    for (const w of written) {
      events.add({
        type: 'message.sent',
        messageId: w.message.id,
        conversationId: w.out.conversation.id,
        subject: w.out.subject,
        senderName: w.out.sender.displayName,
        sentAt: now,
        recipients: w.recipients,
      });
    }
    const autoReplied = autoReplyPossible ? await this.autoReplies(em, events, absent, written) : false;
    return { messages: written.map((w) => w.message), locked, autoReplied };
  }

  /** One automatic reply per conversation per absence, never to an automatic reply: one claim statement, then one write for all of them. */
  private async autoReplies(
    em: EntityManager,
    events: EventBuffer,
    absent: Absence[],
    written: { message: Message; out: Outgoing; recipients: PartyRef[] }[],
  ): Promise<boolean> {
    const candidates = written.flatMap((w) =>
      absent
        .filter(
          (a) =>
            a.since && a.reply.trim() && w.recipients.some((p) => p.kind === PartyKind.STAFF && p.id === a.staffId),
        )
        .map((a) => ({ w, a })),
    );
    const claimed = await query<{ staff_id: string; conversation_id: string }>(
      em,
      sql`insert into auto_reply_sent (staff_id, conversation_id, absence_since)
          select * from unnest(${uuidArray(candidates.map((c) => c.a.staffId))}, ${uuidArray(candidates.map((c) => c.w.out.conversation.id))}, ${typedArray(
            candidates.map((c) => c.a.since),
            'timestamptz[]',
          )})
          on conflict do nothing returning staff_id, conversation_id`,
    );
    const got = new Set(claimed.map((c) => `${c.staff_id}:${c.conversation_id}`));
    const replies = candidates.filter((c) => got.has(`${c.a.staffId}:${c.w.out.conversation.id}`));
    if (!replies.length) return false;
    await this.deliver(em, events, absent, {
      outgoing: replies.map(({ w, a }) => ({
        conversation: { ...w.out.conversation, isNew: false },
        sender: { party: staffParty(a.staffId), staffId: a.staffId, displayName: a.staffName },
        subject: replySubject(w.out.subject),
        body: { html: textToHtml(a.reply), text: a.reply.trim() },
        readReceiptRequested: false,
        recipients: [{ party: w.out.sender.party }],
        attachments: {},
        inReplyToId: w.message.id,
        participantKeys: w.out.participantKeys,
        isAutoReply: true,
        extraEvents: [{ messageId: w.message.id, kind: MessageEventKind.AUTO_REPLIED, actorName: a.staffName }],
      })),
    });
    return true;
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
      const unread = await em.find(
        MessageRecipient,
        { message: message.id, partyKey: { $in: keys }, readAt: null },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
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
    if (!isId(id)) throw notFound('conversation');
    // No transaction: the read and its access-log row (staff, a conversation with a citizen) are one statement.
    const keys = (await this.viewerParties(this.em)).map(partyKey);
    const [view] = await this.conversationRows(this.em, keys, {
      ids: [id],
      folder: 'ALL',
      unreadOnly: false,
      limit: 1,
      details: true,
      accessLog: { action: AccessAction.CONVERSATION_READ, rows: 1 },
    });
    if (!view) throw notFound('conversation');
    return view;
  }

  /**
   * A mailbox's conversations, latest activity first: the staff member's own
   * (default) or a shared mailbox they belong to; a citizen's own.
   */
  async conversations(args: {
    sharedMailboxId?: string | null;
    folder?: InboxFolder | null;
    unreadOnly?: boolean | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<ConversationView>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, 2) as [string, string] | undefined;
    // No transaction: the page, its participants and last messages, and the access log of the citizens listed are one statement.
    const em = this.em;
    const party = await this.mailboxParty(em, args.sharedMailboxId);
    const rows = await this.conversationRows(em, [partyKey(party)], {
      folder: args.folder ?? 'ALL',
      unreadOnly: !!args.unreadOnly,
      limit: size + 1,
      after,
      details: true,
      accessLog: { action: AccessAction.CONVERSATION_LIST, rows: size },
    });
    return toPage(rows, size, (r) => [r.conversation.lastMessageAt.toISOString(), r.conversation.id]);
  }

  /** Unread messages per mailbox the viewer has: own, then shared ones. */
  async mailboxes(): Promise<{ party: PartyRef; unreadCount: number }[]> {
    const parties = await this.viewerParties(this.em);
    const keys = parties.map(partyKey);
    // A recipient row already makes staff a participant; a citizen counts only conversations they may still read (M6).
    const readable =
      this.viewer.kind === 'citizen'
        ? sql`and r.conversation_id in (select c.id from conversation c where ${readableConversations(this.viewer, keys, 'c')})`
        : sql``;
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
    opts: {
      ids?: string[];
      folder: InboxFolder;
      unreadOnly: boolean;
      limit: number;
      after?: [string, string];
      /** Also the participants with their names and the last message's row (the inbox shows them; the loaders are primed with them). */
      details?: boolean;
      /** Staff only: the access log of the citizens of the first `rows` conversations, written by the same statement. */
      accessLog?: { action: AccessAction; rows: number };
    },
  ): Promise<ConversationView[]> {
    const keysArray = textArray(keys);
    const where: Sql[] = [readableConversations(this.viewer, keys, 'c')];
    if (opts.ids) where.push(sql`c.id = any(${uuidArray(opts.ids)})`);
    if (opts.folder === 'INBOX') {
      where.push(
        sql`exists (select 1 from message_recipient r2 where r2.conversation_id = c.id and r2.party_key = any(${keysArray}))`,
      );
    } else if (opts.folder === 'SENT') {
      where.push(sql`exists (select 1 from message m2 where m2.conversation_id = c.id and m2.is_auto_reply = false and
        (m2.sender_kind::text || ':' || coalesce(m2.sender_mailbox_id, m2.sender_person_id, m2.sender_staff_id)::text) = any(${keysArray}))`);
    }
    if (opts.unreadOnly) where.push(sql`u.unread > 0`);
    if (opts.after)
      where.push(sql`(c.last_message_at, c.id) < (${opts.after[0]}::timestamptz, ${uuid(opts.after[1])})`);
    const page = sql`select c.*, lm.id as last_message_id, u.unread
         from conversation c
         left join lateral (select m.id from message m where m.conversation_id = c.id order by m.created_at desc, m.id desc limit 1) lm on true
         cross join lateral (select count(distinct r.message_id)::int as unread
                               from message_recipient r join message um on um.id = r.message_id
                              where r.conversation_id = c.id and r.party_key = any(${keysArray}) and r.read_at is null
                                and (um.sender_kind::text || ':' || coalesce(um.sender_mailbox_id, um.sender_person_id, um.sender_staff_id)::text) <> all(${keysArray})) u
        where ${join(where, 'and')}
        order by c.last_message_at desc, c.id desc
        limit ${opts.limit}`;
    const viewer = this.viewer;
    const log =
      opts.accessLog && viewer.kind === 'staff'
        ? sql`, logged as (insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
              select gen_random_uuid(), now(), ${uuid(viewer.staff.id)}, ${viewer.role}::staff_role, x.citizen_id, ${opts.accessLog.action}::access_action, ${this.requestId}
                from (select distinct f.citizen_id from (select p.citizen_id from page p order by p.last_message_at desc, p.id desc limit ${opts.accessLog.rows}) f
                       where f.citizen_id is not null) x)`
        : sql``;
    const details = opts.details
      ? sql`, (select json_agg(json_build_object('kind', p.kind, 'id', coalesce(p.staff_id, p.mailbox_id, p.person_id),
                  'name', coalesce(s.given_name || ' ' || s.family_name, sm.name, pe.given_name || ' ' || pe.family_name), 'title', s.title) order by p.created_at, p.id)
             from conversation_participant p left join staff s on s.id = p.staff_id left join shared_mailbox sm on sm.id = p.mailbox_id
             left join person pe on pe.id = p.person_id where p.conversation_id = page.id) as participant_rows,
           (select row_to_json(m) from message m where m.id = page.last_message_id) as last_message_row`
      : sql``;
    const rows = await query(
      em,
      sql`with page as (${page}) ${log} select page.* ${details} from page order by page.last_message_at desc, page.id desc`,
    );
    return rows.map((row) => {
      const {
        participant_rows: participants,
        last_message_row: last,
        ...conversation
      } = row as Record<string, unknown> & {
        participant_rows?: PartyRow[] | null;
        last_message_row?: Record<string, unknown> | null;
      };
      return {
        conversation: plainConversation(conversation),
        lastMessageId: (row.last_message_id as string | null) ?? null,
        unreadCount: Number(row.unread ?? 0),
        ...(opts.details ? { participants: participants ?? [], lastMessage: last ? plainMessage(last) : null } : {}),
      };
    });
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
    const readable = opts.forReply
      ? conversationParticipant.sql(keys, 'c.id')
      : readableConversations(this.viewer, keys, 'c');
    const [row] = await query(
      em,
      sql`select m.* from message m join conversation c on c.id = m.conversation_id where m.id = ${uuid(messageId)} and ${readable}`,
    );
    if (!row) throw notFound('message');
    return em.map(Message, row);
  }

  // --- helpers ----------------------------------------------------------------------------

  private parties?: Promise<PartyRef[]>;
  /** The viewer's own party and shared mailboxes, looked up once per operation (opening a message and then reading or replying to it need them twice). */
  private viewerParties(em: EntityManager): Promise<PartyRef[]> {
    return (this.parties ??= viewerParties(em, this.viewer));
  }

  /**
   * Claims the idempotency key, in the same statement as `reads` (columns of
   * one row, read in the same snapshot), and runs the work with that row. A
   * key already used answers the messages it made (or IDEMPOTENCY_KEY_REUSED
   * for a different payload).
   */
  private async idempotent(
    key: string,
    payload: unknown,
    reads: Sql | null,
    work: (em: EntityManager, row: Record<string, unknown> & { claim_id: string }) => Promise<Message[]>,
  ): Promise<Message[]> {
    const senderKey =
      this.viewer.kind === 'staff' ? `STAFF:${this.viewer.staff.id}` : `PERSON:${this.viewer.person.id}`;
    const payloadHash = createHash('sha256').update(JSON.stringify(payload)).digest('hex');
    return this.em.transactional(async (em) => {
      // Concurrent retries wait here on the unique index until the first one commits.
      const [row] = await query<Record<string, unknown> & { claim_id: string | null }>(
        em,
        sql`with claim as (insert into send_request (id, created_at, sender_key, key, payload_hash, message_ids)
              values (gen_random_uuid(), now(), ${senderKey}, ${key}, ${payloadHash}, '[]') on conflict (sender_key, key) do nothing returning id)
            select (select id from claim) as claim_id${reads ? sql`, ${reads}` : sql``}`,
      );
      if (!row.claim_id) {
        const previous = await em.findOneOrFail(SendRequest, { senderKey, key });
        if (previous.payloadHash !== payloadHash) {
          throw new AppError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            'This idempotency key was already used for a different message. Generate a new key for each new message; reuse a key only to retry the very same send.',
            { field: 'idempotencyKey' },
          );
        }
        const messages = await em.find(Message, { id: { $in: previous.messageIds } });
        const order = new Map(previous.messageIds.map((id, i) => [id, i]));
        return messages.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      }
      return work(em, row as Record<string, unknown> & { claim_id: string });
    });
  }

  /** The sender of a new message, from what the send's statement read (a shared mailbox only if the viewer is a member). */
  private senderFromReads(r: SendReadsRow, fromSharedMailboxId?: string | null): Sender {
    if (this.viewer.kind === 'citizen') {
      if (fromSharedMailboxId) throw badInput('fromSharedMailboxId', 'Citizens send as themselves.');
      const person = this.viewer.person;
      return { party: personParty(person.id), personId: person.id, displayName: person.name };
    }
    const staff = this.viewer.staff;
    if (!fromSharedMailboxId) return { party: staffParty(staff.id), staffId: staff.id, displayName: staff.name };
    if (!r.from_mailbox) throw notFound('shared mailbox');
    return {
      party: mailboxParty(r.from_mailbox.id),
      staffId: staff.id,
      mailboxId: r.from_mailbox.id,
      displayName: `${r.from_mailbox.name} (${staff.name})`,
      municipality: r.from_mailbox.municipality,
    };
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
}

export function senderParty(m: Message): PartyRef {
  if (m.senderPerson) return personParty(m.senderPerson.id);
  if (m.senderMailbox) return mailboxParty(m.senderMailbox.id);
  return staffParty(m.senderStaff!.id);
}

/** The body with the staff member's signature under it, when asked for and there is one. */
function withSignature(
  body: { html: string; text: string },
  signatureText: string | null | undefined,
): { html: string; text: string } {
  const signature = signatureText?.trim();
  if (!signature) return body;
  return { html: `${body.html}${textToHtml(`--\n${signature}`)}`, text: `${body.text}\n\n--\n${signature}` };
}

/** What the send's first statement reads beside the key claim (see sendReads). */
interface SendReadsRow {
  claim_id: string;
  staff_ids: string[];
  mailbox_ids: string[];
  persons: { id: string; name: string; messaging_enabled: boolean; notify_by_sms: boolean; notify_by_email: boolean }[];
  absent: { staff_id: string; staff_name: string; forward_to_id: string | null; since: string | null; reply: string }[];
  /** Municipality per case of the persons addressed. */
  case_municipality: Record<string, string>;
  staff_municipality: string | null;
  from_mailbox: { id: string; name: string; municipality: string } | null;
  signature: string | null;
  viewer_active: boolean | null;
}

const toAbsence = (a: SendReadsRow['absent'][number]): Absence => ({
  staffId: a.staff_id,
  staffName: a.staff_name,
  forwardToId: a.forward_to_id,
  since: a.since,
  reply: a.reply,
});

/**
 * The reads a send needs, as columns of one row (read with the key claim):
 * the staff and mailboxes addressed (that they exist and are active), the
 * persons (name, e-service, notification choices), the out-of-office of the
 * staff addressed, the municipality of the persons' cases, and the sender's
 * mailbox (membership), signature and e-service.
 */
function sendReads(
  viewer: Viewer,
  to: { personIds: string[]; staffIds: string[]; sharedMailboxIds: string[] },
  fromSharedMailboxId: string | null,
  addSignature: boolean,
): Sql {
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
    (select coalesce(json_agg(json_build_object('staff_id', ms.staff_id, 'staff_name', s.given_name || ' ' || s.family_name, 'forward_to_id', ms.absence_forward_to_id,
              'since', ms.absence_since, 'reply', ms.absence_reply)), '[]'::json)
       from mailbox_settings ms join staff s on s.id = ms.staff_id where ms.staff_id = any(${uuidArray(to.staffIds)}) and ms.absence_enabled) as absent,
    (select coalesce(json_object_agg(c.id, u.municipality), '{}'::json) from case_file c join unit u on u.id = c.unit_id
      where c.holder_id = any(${persons}) or c.id in (select rl.case_id from relation rl where rl.person_id = any(${persons}))) as case_municipality,
    (select u.municipality from staff s join unit u on u.id = s.unit_id where s.id = ${uuid(staffId)}) as staff_municipality,
    ${fromMailbox} as from_mailbox,
    ${addSignature && staffId ? sql`(select ms.signature from mailbox_settings ms where ms.staff_id = ${uuid(staffId)})` : sql`null::text`} as signature,
    ${viewer.kind === 'citizen' ? sql`(select p.messaging_enabled from person p where p.id = ${uuid(viewer.person.id)})` : sql`null::boolean`} as viewer_active`;
}

/**
 * The rows of one or more messages, gathered in memory and written by one
 * statement: one data-modifying CTE per table, each inserting from `unnest`
 * of natively bound arrays (one array per column).
 */
class WritePlan {
  private readonly newConversations: Outgoing['conversation'][] = [];
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

  conversation(c: Outgoing['conversation']): void {
    if (c.isNew) {
      if (!this.newConversations.some((x) => x.id === c.id)) this.newConversations.push(c);
    } else if (!this.touchedConversations.includes(c.id)) this.touchedConversations.push(c.id);
  }

  participant(conversationId: string, party: PartyRef): void {
    this.participants.push({ id: randomUUID(), conversationId, party });
  }

  /** The message's row, and what the API answers with (a plain object built from the row: no read after the write, no identity-map merge). */
  message(_em: EntityManager, id: string, out: Outgoing): Message {
    const c = out.conversation;
    const row = {
      id,
      created_at: this.now,
      conversation_id: c.id,
      sender_kind: out.sender.personId
        ? PartyKind.PERSON
        : out.sender.mailboxId
          ? PartyKind.SHARED_MAILBOX
          : PartyKind.STAFF,
      sender_staff_id: out.sender.staffId ?? null,
      sender_mailbox_id: out.sender.mailboxId ?? null,
      sender_person_id: out.sender.personId ?? null,
      subject: out.subject,
      body_html: out.body.html,
      body_text: out.body.text,
      read_receipt_requested: out.readReceiptRequested,
      is_auto_reply: !!out.isAutoReply,
      in_reply_to_id: out.inReplyToId ?? null,
    };
    this.messages.push(row);
    return plainMessage(row);
  }

  recipient(messageId: string, conversationId: string, d: Delivery): void {
    this.recipients.push({ id: randomUUID(), messageId, conversationId, party: d.party, forwarded: !!d.forwarded });
  }

  event(messageId: string, kind: MessageEventKind, actorName: string, detail: string | null): void {
    this.events.push({ id: randomUUID(), messageId, kind, actorName, detail });
  }

  claimAttachments(ids: string[], messageId: string): void {
    for (const id of ids) this.claims.push({ id, messageId });
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

  /** The one statement: every insert and update as a CTE, then `main` (e.g. the viewers' notice locks). */
  statement(main: Sql): Sql {
    const now = this.now;
    const at = (n: number) =>
      typedArray(
        Array.from({ length: n }, () => now),
        'timestamptz[]',
      );
    const ids = (xs: readonly (string | null)[]) => typedArray(xs, 'uuid[]');
    const texts = (xs: readonly (string | null)[]) => typedArray(xs, 'text[]');
    const bools = (xs: readonly boolean[]) => typedArray(xs, 'boolean[]');
    const col = <T>(xs: T[], f: (x: T) => string | null) => xs.map(f);
    const party = <T extends { party: PartyRef }>(xs: T[]) => ({
      kind: texts(col(xs, (x) => x.party.kind)),
      key: texts(col(xs, (x) => partyKey(x.party))),
      staff: ids(col(xs, (x) => (x.party.kind === PartyKind.STAFF ? x.party.id : null))),
      mailbox: ids(col(xs, (x) => (x.party.kind === PartyKind.SHARED_MAILBOX ? x.party.id : null))),
      person: ids(col(xs, (x) => (x.party.kind === PartyKind.PERSON ? x.party.id : null))),
    });
    const ctes: Sql[] = [];
    const c = this.newConversations;
    if (c.length) {
      ctes.push(sql`new_conversation as (insert into conversation (id, created_at, subject, citizen_id, case_id, last_message_at)
        select x.id, x.at, x.subject, x.citizen_id, x.case_id, x.at
          from unnest(${ids(col(c, (x) => x.id))}, ${at(c.length)}, ${texts(col(c, (x) => x.subject))}, ${ids(col(c, (x) => x.citizenId))}, ${ids(col(c, (x) => x.caseId))})
            as x(id, at, subject, citizen_id, case_id))`);
    }
    if (this.touchedConversations.length) {
      ctes.push(
        sql`touched_conversation as (update conversation c set last_message_at = ${now}::timestamptz where c.id = any(${ids(this.touchedConversations)}))`,
      );
    }
    const p = this.participants;
    if (p.length) {
      const pp = party(p);
      ctes.push(sql`new_participant as (insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id, mailbox_id, person_id)
        select x.id, x.at, x.conversation_id, x.kind::party_kind, x.party_key, x.staff_id, x.mailbox_id, x.person_id
          from unnest(${ids(col(p, (x) => x.id))}, ${at(p.length)}, ${ids(col(p, (x) => x.conversationId))}, ${pp.kind}, ${pp.key}, ${pp.staff}, ${pp.mailbox}, ${pp.person})
            as x(id, at, conversation_id, kind, party_key, staff_id, mailbox_id, person_id))`);
    }
    const m = this.messages;
    const mc = (k: string) => m.map((x) => x[k] as string | null);
    ctes.push(sql`new_message as (insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, sender_mailbox_id, sender_person_id,
        subject, body_html, body_text, read_receipt_requested, is_auto_reply, in_reply_to_id)
      select x.id, x.at, x.conversation_id, x.sender_kind::party_kind, x.sender_staff_id, x.sender_mailbox_id, x.sender_person_id,
             x.subject, x.body_html, x.body_text, x.read_receipt_requested, x.is_auto_reply, x.in_reply_to_id
        from unnest(${ids(mc('id'))}, ${at(m.length)}, ${ids(mc('conversation_id'))}, ${texts(mc('sender_kind'))}, ${ids(mc('sender_staff_id'))},
                    ${ids(mc('sender_mailbox_id'))}, ${ids(mc('sender_person_id'))}, ${texts(mc('subject'))}, ${texts(mc('body_html'))}, ${texts(mc('body_text'))},
                    ${bools(m.map((x) => x.read_receipt_requested as boolean))}, ${bools(m.map((x) => x.is_auto_reply as boolean))}, ${ids(mc('in_reply_to_id'))})
          as x(id, at, conversation_id, sender_kind, sender_staff_id, sender_mailbox_id, sender_person_id, subject, body_html, body_text,
               read_receipt_requested, is_auto_reply, in_reply_to_id))`);
    const r = this.recipients;
    if (r.length) {
      const rp = party(r);
      ctes.push(sql`new_recipient as (insert into message_recipient (id, created_at, message_id, conversation_id, kind, party_key, staff_id, mailbox_id, person_id, forwarded)
        select x.id, x.at, x.message_id, x.conversation_id, x.kind::party_kind, x.party_key, x.staff_id, x.mailbox_id, x.person_id, x.forwarded
          from unnest(${ids(col(r, (x) => x.id))}, ${at(r.length)}, ${ids(col(r, (x) => x.messageId))}, ${ids(col(r, (x) => x.conversationId))},
                      ${rp.kind}, ${rp.key}, ${rp.staff}, ${rp.mailbox}, ${rp.person}, ${bools(r.map((x) => x.forwarded))})
            as x(id, at, message_id, conversation_id, kind, party_key, staff_id, mailbox_id, person_id, forwarded))`);
    }
    const e = this.events;
    if (e.length) {
      ctes.push(sql`new_event as (insert into message_event (id, created_at, message_id, kind, actor_name, detail)
        select x.id, x.at, x.message_id, x.kind::message_event_kind, x.actor_name, x.detail
          from unnest(${ids(col(e, (x) => x.id))}, ${at(e.length)}, ${ids(col(e, (x) => x.messageId))}, ${texts(col(e, (x) => x.kind))},
                      ${texts(col(e, (x) => x.actorName))}, ${texts(col(e, (x) => x.detail))})
            as x(id, at, message_id, kind, actor_name, detail))`);
    }
    if (this.claims.length) {
      ctes.push(sql`claimed_attachment as (update attachment a set message_id = x.message_id
        from unnest(${ids(col(this.claims, (x) => x.id))}, ${ids(col(this.claims, (x) => x.messageId))}) as x(id, message_id) where a.id = x.id)`);
    }
    const cp = this.copies;
    if (cp.length) {
      ctes.push(sql`copied_attachment as (insert into attachment (id, created_at, filename, content_type, size, sha256, storage_key, uploaded_by_staff_id, uploaded_by_person_id, message_id)
        select x.id, ${now}::timestamptz, a.filename, a.content_type, a.size, a.sha256, a.storage_key, a.uploaded_by_staff_id, a.uploaded_by_person_id, x.message_id
          from unnest(${ids(col(cp, (x) => x.sourceId))}, ${ids(col(cp, (x) => x.id))}, ${ids(col(cp, (x) => x.messageId))}) as x(source_id, id, message_id)
          join attachment a on a.id = x.source_id)`);
    }
    const l = this.accessLogs;
    if (l.length) {
      ctes.push(sql`new_access_log as (insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
        select gen_random_uuid(), ${now}::timestamptz, x.actor_id, x.actor_role::staff_role, x.person_id, x.action::access_action, x.request_id
          from unnest(${ids(col(l, (x) => x.actorId))}, ${texts(col(l, (x) => x.role))}, ${ids(col(l, (x) => x.personId))}, ${texts(col(l, (x) => x.action))},
                      ${texts(col(l, (x) => x.requestId))}) as x(actor_id, actor_role, person_id, action, request_id))`);
    }
    if (this.request) {
      ctes.push(
        sql`answered_request as (update send_request set message_ids = ${JSON.stringify(this.request.messageIds)}::jsonb where id = ${uuid(this.request.id)})`,
      );
    }
    return sql`with ${join(ctes, ',')} ${main}`;
  }
}

/** What a reply reads after locking its conversation (see replyReads). */
interface ReplyReadsRow {
  participants: { party_key: string; kind: PartyKind; id: string; name: string | null }[];
  /** The viewer's own party and shared mailboxes (M6), own first. */
  viewer_keys: string[];
  persons: SendReadsRow['persons'];
  still_linked: boolean | null;
  absent: SendReadsRow['absent'];
  case_municipality: string | null;
  staff_municipality: string | null;
  signature: string | null;
  viewer_active: boolean | null;
}

/**
 * Everything a reply's rules and write need, in one statement: the
 * participants (a shared mailbox with its name), the viewer's parties, the
 * citizen in the thread (e-service, notification choices), whether they are
 * still linked to the conversation's case (M1/M4), the out-of-office of the
 * staff in it, the municipality, the signature and the viewer's e-service.
 */
function replyReads(
  viewer: Viewer,
  t: { id: string; citizen_id: string | null; case_id: string | null },
  addSignature: boolean,
): Sql {
  const conversation = uuid(t.id);
  const staffId = viewer.kind === 'staff' ? viewer.staff.id : null;
  const stillLinked =
    t.citizen_id && t.case_id
      ? sql`exists (select 1 from (${citizenLinks.sql(t.citizen_id, todayInSweden())}) l where l.id = ${uuid(t.case_id)})`
      : sql`null::boolean`;
  return sql`select
    (select coalesce(json_agg(json_build_object('party_key', p.party_key, 'kind', p.kind, 'id', coalesce(p.staff_id, p.mailbox_id, p.person_id), 'name', sm.name) order by p.created_at, p.id), '[]'::json)
       from conversation_participant p left join shared_mailbox sm on sm.id = p.mailbox_id where p.conversation_id = ${conversation}) as participants,
    (select coalesce(json_agg(k.party_key), '[]'::json) from (${viewerPartyKeys(viewer)}) k) as viewer_keys,
    (select coalesce(json_agg(json_build_object('id', pe.id, 'name', pe.given_name || ' ' || pe.family_name, 'messaging_enabled', pe.messaging_enabled,
              'notify_by_sms', pe.notify_by_sms, 'notify_by_email', pe.notify_by_email)), '[]'::json)
       from conversation_participant p join person pe on pe.id = p.person_id where p.conversation_id = ${conversation}) as persons,
    ${stillLinked} as still_linked,
    (select coalesce(json_agg(json_build_object('staff_id', ms.staff_id, 'staff_name', s.given_name || ' ' || s.family_name, 'forward_to_id', ms.absence_forward_to_id,
              'since', ms.absence_since, 'reply', ms.absence_reply)), '[]'::json)
       from conversation_participant p join mailbox_settings ms on ms.staff_id = p.staff_id join staff s on s.id = ms.staff_id
      where p.conversation_id = ${conversation} and ms.absence_enabled) as absent,
    ${t.case_id ? sql`(select u.municipality from case_file cf join unit u on u.id = cf.unit_id where cf.id = ${uuid(t.case_id)})` : sql`null::text`} as case_municipality,
    (select u.municipality from staff s join unit u on u.id = s.unit_id where s.id = ${uuid(staffId)}) as staff_municipality,
    ${addSignature && staffId ? sql`(select ms.signature from mailbox_settings ms where ms.staff_id = ${uuid(staffId)})` : sql`null::text`} as signature,
    ${viewer.kind === 'citizen' ? sql`(select pe.messaging_enabled from person pe where pe.id = ${uuid(viewer.person.id)})` : sql`null::boolean`} as viewer_active`;
}

/**
 * Read paths answer with plain objects shaped like the entities (the GraphQL
 * types' fields and getters, relations as `{ id }`), not managed entities:
 * mapping a page's rows into the identity map (em.map, its merge) was 90 % of
 * the inbox's own time in a CPU profile (issue 12, item 2). Nothing here is
 * ever flushed; writes load entities as before.
 */
const ref = (id: unknown) => (id ? { id: id as string } : null);

function plainConversation(row: Record<string, unknown>): Conversation {
  return Object.assign(Object.create(Conversation.prototype) as Conversation, {
    id: row.id as string,
    createdAt: new Date(row.created_at as string | Date),
    subject: row.subject as string,
    citizen: ref(row.citizen_id),
    case: ref(row.case_id),
    lastMessageAt: new Date(row.last_message_at as string | Date),
  });
}

function plainMessage(row: Record<string, unknown>): Message {
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
