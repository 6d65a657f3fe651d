import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import type { Message } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import type { NotifyTarget } from '../notifications/outbox';
import { readReplyContext, replyTarget, type ReplyReadsRow, type ReplyTarget } from '../stores/send-request.store';
import { ownUnsentUploads } from './attachment.service';
import { isId } from './ids';
import { deliver, toAbsence, type Delivered } from './message-delivery';
import {
  assertViewerActive,
  attachmentIdsOf,
  checkKey,
  cleanBody,
  cleanSubject,
  mailboxParty,
  ownSender,
  replySubject,
  withSignature,
  type MessagingCall,
  type ReplyInput,
  type Sender,
} from './message-compose';
import { idempotent } from './message-idempotency';
import { assertCitizenMayWrite, citizenStillLinked, viewerPartyKeys, writablePersons } from './message-policy';
import { EventBuffer } from './notices';
import { conversationParticipant } from './rules';
import { sql } from './sql';

// Replying: to everyone else in the conversation, while the rules still let the viewer write there (M1, M2, M4, M5).

/** A reply in the conversation, to everyone else in it. */
export async function replyToMessage(call: MessagingCall, messageId: string, input: ReplyInput): Promise<Message> {
  const { key, body, attachmentIds, payload } = checkReply(messageId, input);
  const events = new EventBuffer(call.unitOfWork);
  const { viewer } = call;
  if (!isId(messageId)) throw notFound('message');
  // The claim also locks the conversation (replies in one conversation go one at a time), if the viewer takes part in it (M6).
  const reads = replyTarget({ messageId, takesPart: conversationParticipant.sql(viewerPartyKeys(viewer), 'c.id') });
  const [message] = await idempotent(call.em, {
    viewer,
    key,
    payload,
    reads,
    work: async (em, row) => {
      const t = row.target as ReplyTarget | null;
      if (!t) throw notFound('message');
      // Read after the lock, so a reply that was ahead of this one is seen whole.
      const r = await readReplyContext(em, {
        viewer,
        target: t,
        viewerKeys: viewerPartyKeys(viewer),
        stillLinked: t.citizen_id && t.case_id ? citizenStillLinked(t.citizen_id, t.case_id) : sql`null::boolean`,
        addSignature: !!input.addSignature,
      });
      const sender = replySender(viewer, r, input.fromSharedMailboxId);
      const { recipients, citizen } = await replyRecipients(em, viewer, { t, r, sender });
      const subject = input.subject?.trim() ? cleanSubject(input.subject) : replySubject(t.original_subject);
      const attachments = await ownUnsentUploads(em, viewer, attachmentIds);
      const written = await deliver(em, {
        viewer,
        requestId: call.requestId,
        events,
        absent: r.absent.map(toAbsence),
        sendRequestId: row.claim_id,
        outgoing: [
          {
            conversation: { id: t.id, isNew: false, subject: t.subject, citizenId: t.citizen_id, caseId: t.case_id },
            sender,
            subject,
            body: withSignature(body, r.signature),
            readReceiptRequested: !!input.readReceiptRequested,
            recipients: recipients.map((party) => ({ party })),
            attachments: { claim: attachments.map((a) => a.id) },
            inReplyToId: messageId,
            participantKeys: new Set(r.participants.map((p) => p.party_key)),
          },
        ],
      });
      await events.recordIn(em, call.sink, {
        locked: written.locked,
        notifyTargets: replyNotifyTargets(r, written, citizen),
      });
      return written.messages;
    },
  });
  await events.flushTo(call.sink);
  return message;
}

/** The input checked and cleaned, and the payload the idempotency key stands for. */
function checkReply(messageId: string, input: ReplyInput) {
  const key = checkKey(input.idempotencyKey);
  const body = cleanBody(input.body);
  const attachmentIds = attachmentIdsOf(input.attachmentIds);
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
  return { key, body, attachmentIds, payload };
}

/** The viewer's party in an existing conversation: their own, else the shared mailbox they answer from (M6: one they are a member of). */
function replySender(viewer: Viewer, r: ReplyReadsRow, fromSharedMailboxId?: string | null): Sender {
  const inThread = new Map(r.participants.map((p) => [p.party_key, p]));
  const own = ownSender(viewer, fromSharedMailboxId);
  if (viewer.kind === 'citizen') return own!;
  const staff = viewer.staff;
  const viaMailbox = (id: string): Sender => {
    const p = inThread.get(partyKey(mailboxParty(id)));
    if (!p || !r.viewer_keys.includes(p.party_key)) throw notFound('shared mailbox');
    return { party: mailboxParty(id), staffId: staff.id, mailboxId: id, displayName: `${p.name} (${staff.name})` };
  };
  if (fromSharedMailboxId) {
    if (!inThread.has(partyKey(mailboxParty(fromSharedMailboxId))))
      throw badInput('fromSharedMailboxId', 'That shared mailbox does not take part in this conversation.');
    return viaMailbox(fromSharedMailboxId);
  }
  if (inThread.has(partyKey(own!.party))) return own!;
  const key = r.viewer_keys.find((k) => k.startsWith(`${PartyKind.SHARED_MAILBOX}:`) && inThread.has(k));
  return key ? viaMailbox(key.slice(PartyKind.SHARED_MAILBOX.length + 1)) : own!;
}

type PersonRow = ReplyReadsRow['persons'][number];

/** Everyone else in the conversation, once the viewer may still write to them there; and the citizen among them, if any. */
async function replyRecipients(
  em: EntityManager,
  viewer: Viewer,
  { t, r, sender }: { t: ReplyTarget; r: ReplyReadsRow; sender: Sender },
): Promise<{ recipients: PartyRef[]; citizen?: PersonRow }> {
  assertViewerActive(viewer, r.viewer_active);
  const recipients = r.participants
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
        ? 'You are no longer registered as a relation approved for messages on this case, so you cannot reply here. ' +
            'Contact the social services another way.'
        : 'The citizen in this conversation is no longer an activated relation on the case inside its validity. ' +
            'Register or extend the relation first, or contact them another way.',
      { field: 'messageId' },
    );
  }
  // M4: a read-only relation reads the case's conversations but does not reply in them.
  if (viewer.kind === 'citizen' && t.case_id) await assertCitizenMayWrite(em, viewer.person.id, t.case_id);
  if (recipients.length === 0) throw badInput('messageId', 'There is no one else in this conversation to reply to.');
  return { recipients, citizen: citizenRecipient ? citizen : undefined };
}

/** The citizen's notification job, their choices read with the rules; none when an automatic reply was written. */
function replyNotifyTargets(r: ReplyReadsRow, written: Delivered, citizen?: PersonRow): NotifyTarget[] | undefined {
  if (written.autoReplied) return undefined;
  if (!citizen) return [];
  return [
    {
      message_id: written.messages[0].id,
      person_id: citizen.id,
      notify_by_sms: citizen.notify_by_sms,
      notify_by_email: citizen.notify_by_email,
      municipality: r.case_municipality ?? r.staff_municipality ?? null,
    },
  ];
}
