import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { MessageEventKind, type Message } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { claimAutoReplies, WritePlan, type WrittenConversation } from '../stores/message.store';
import type { AbsenceRow } from '../stores/send-request.store';
import { textToHtml } from './html';
import { mailboxParty, replySubject, staffParty, type MessageBody, type Sender } from './message-compose';
import type { EventBuffer } from './notices';
import { viewerLocks, type MailboxMember } from './notice.service';
import { sql } from './sql';

// Delivery: the write of messages that sending has checked, with out-of-office (forwarding, automatic replies).

/** An addressed staff member's out-of-office, as read with the send. */
export interface Absence {
  staffId: string;
  staffName: string;
  forwardToId: string | null;
  /** As PostgreSQL wrote it (microseconds kept: the automatic-reply claim compares it). */
  since: string | null;
  reply: string;
}

export const toAbsence = (a: AbsenceRow): Absence => ({
  staffId: a.staff_id,
  staffName: a.staff_name,
  forwardToId: a.forward_to_id,
  since: a.since,
  reply: a.reply,
});

interface Delivery {
  party: PartyRef;
  forwarded?: boolean;
}

/** One message to write: in a new conversation (a send) or an existing one (a reply). */
export interface Outgoing {
  conversation: WrittenConversation;
  sender: Sender;
  subject: string;
  body: MessageBody;
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

interface Written {
  message: Message;
  out: Outgoing;
  recipients: PartyRef[];
}

export interface DeliveryArgs {
  viewer: Viewer;
  requestId: string;
  events: EventBuffer;
  /** The out-of-office of the staff who may be addressed. */
  absent: Absence[];
  outgoing: Outgoing[];
  /** The idempotency claim answered with the messages written. */
  sendRequestId?: string;
}

export interface Delivered {
  messages: Message[];
  /** The viewers' notice locks taken with the write, when these events are recorded here. */
  locked?: { members: MailboxMember[] };
  autoReplied: boolean;
}

/** An absence that sends an automatic reply when its staff member is among `recipients`. */
const repliesTo = (a: Absence, recipients: PartyRef[]) =>
  !!a.since && !!a.reply.trim() && recipients.some((p) => p.kind === PartyKind.STAFF && p.id === a.staffId);

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
export async function deliver(em: EntityManager, args: DeliveryArgs): Promise<Delivered> {
  const now = new Date();
  const plan = new WritePlan(now);
  const written = args.outgoing.map((out) => planMessage(plan, out, args));
  if (args.sendRequestId)
    plan.sendRequest(
      args.sendRequestId,
      written.map((w) => w.message.id),
    );

  // Automatic replies go back to the senders: their viewers are locked now too, as everything must be locked at once.
  const autoReplyPossible = written.some(
    (w) => !w.out.isAutoReply && args.absent.some((a) => repliesTo(a, w.recipients)),
  );
  const lockKeys = args.events.owned
    ? written.flatMap((w) => [
        ...w.recipients.map(partyKey),
        ...(autoReplyPossible ? [partyKey(w.out.sender.party)] : []),
      ])
    : null;
  const row = await plan.write<{ members?: MailboxMember[] }>(em, {
    main: lockKeys ? viewerLocks(lockKeys) : sql`select 1 as done`,
  });
  const locked = lockKeys ? { members: row.members ?? [] } : undefined;

  for (const w of written) {
    args.events.add({
      type: 'message.sent',
      messageId: w.message.id,
      conversationId: w.out.conversation.id,
      subject: w.out.subject,
      senderName: w.out.sender.displayName,
      sentAt: now,
      recipients: w.recipients,
    });
  }
  const autoReplied = autoReplyPossible ? await autoReplies(em, args, written) : false;
  return { messages: written.map((w) => w.message), locked, autoReplied };
}

/** Adds one message's rows to the plan: out-of-office forwarding, new participants, recipients, events, attachments, access log. */
function planMessage(plan: WritePlan, out: Outgoing, { viewer, requestId, absent }: DeliveryArgs): Written {
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
  const conversationId = out.conversation.id;
  plan.conversation(out.conversation);
  for (const party of [out.sender.party, ...recipients.map((r) => r.party)]) {
    const k = partyKey(party);
    if (out.participantKeys.has(k)) continue;
    out.participantKeys.add(k);
    plan.participant(conversationId, party);
  }
  const message = plan.message({
    id: messageId,
    conversationId,
    sender: out.sender,
    subject: out.subject,
    body: out.body,
    readReceiptRequested: out.readReceiptRequested,
    isAutoReply: !!out.isAutoReply,
    inReplyToId: out.inReplyToId ?? null,
  });
  for (const r of recipients) plan.recipient(messageId, conversationId, r);
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
  if (viewer.kind === 'staff' && out.conversation.citizenId)
    plan.accessLog(viewer.staff.id, viewer.role, out.conversation.citizenId, AccessAction.MESSAGE_SENT, requestId);
  return { message, out, recipients: recipients.map((r) => r.party) };
}

/** One automatic reply per conversation per absence, never to an automatic reply: one claim statement, then one write for all of them. */
async function autoReplies(em: EntityManager, args: DeliveryArgs, written: Written[]): Promise<boolean> {
  const candidates = written.flatMap((w) =>
    args.absent.filter((a) => repliesTo(a, w.recipients)).map((a) => ({ w, a })),
  );
  const got = await claimAutoReplies(em, {
    claims: candidates.map((c) => ({
      staffId: c.a.staffId,
      conversationId: c.w.out.conversation.id,
      since: c.a.since,
    })),
  });
  const replies = candidates.filter((c) => got.has(`${c.a.staffId}:${c.w.out.conversation.id}`));
  if (!replies.length) return false;
  await deliver(em, {
    ...args,
    sendRequestId: undefined,
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
