import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer, StaffViewer, Viewer } from '../auth/viewer';
import type { Message } from '../entities/message';
import { PartyKind, partyKey, type PartyRef } from '../entities/party';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import type { NotifyTarget } from '../notifications/outbox';
import { sendReads, type SendReadsRow } from '../stores/send-request.store';
import { ownUnsentUploads } from './attachment.service';
import { deliver, toAbsence, type Delivered } from './message-delivery';
import {
  assertViewerActive,
  attachmentIdsOf,
  checkKey,
  cleanBody,
  cleanSubject,
  mailboxParty,
  ownSender,
  personParty,
  staffParty,
  uniqueIds,
  withSignature,
  type MessagingCall,
  type SendInput,
  type Sender,
} from './message-compose';
import { idempotent } from './message-idempotency';
import {
  citizenRecipientRefusal,
  citizenTargets,
  writableFrom,
  writeLinksColumn,
  type WriteRefusal,
} from './message-policy';
import { EventBuffer } from './notices';

// Sending a new message: who may be addressed (M1–M5), one conversation per citizen, idempotent on the client's key.

/** Who is addressed in one new conversation: one conversation per citizen. */
interface Thread {
  citizenId: string | null;
  caseId: string | null;
  parties: PartyRef[];
}

type To = { personIds: string[]; staffIds: string[]; sharedMailboxIds: string[] };

/** A new message: one conversation per citizen addressed (or one without a citizen). */
export async function sendMessage(call: MessagingCall, input: SendInput): Promise<Message[]> {
  const { key, subject, body, to, attachmentIds, payload } = checkSend(input);
  const events = new EventBuffer(call.unitOfWork);
  const { viewer } = call;
  // One statement claims the key and reads what the rules (M1–M6) and the write need, so a send takes a few statements.
  const reads = sendReads({
    viewer,
    to,
    fromSharedMailboxId: input.fromSharedMailboxId ?? null,
    addSignature: !!input.addSignature,
    writeLinks: writeLinksColumn(viewer, to.personIds, input.caseId),
  });
  const messages = await idempotent(call.em, {
    viewer,
    key,
    payload,
    reads,
    work: async (em, row) => {
      const r = row as unknown as SendReadsRow;
      const sender = senderFromReads(viewer, r, input.fromSharedMailboxId);
      const finalBody = withSignature(body, r.signature);
      const attachments = (await ownUnsentUploads(em, viewer, attachmentIds)).map((a) => a.id);
      const threads = await threadsOf(em, viewer, { r, to });
      const written = await deliver(em, {
        viewer,
        requestId: call.requestId,
        events,
        absent: r.absent.map(toAbsence),
        sendRequestId: r.claim_id,
        outgoing: threads.map((thread, i) => ({
          conversation: { id: randomUUID(), isNew: true, subject, citizenId: thread.citizenId, caseId: thread.caseId },
          sender,
          subject,
          body: finalBody,
          readReceiptRequested: !!input.readReceiptRequested,
          recipients: thread.parties.map((party) => ({ party })),
          attachments: i === 0 ? { claim: attachments } : { copyFrom: attachments },
          participantKeys: new Set<string>(),
        })),
      });
      const notifyTargets = notifyTargetsOf(viewer, { r, threads, written, sender });
      await events.recordIn(em, call.sink, { locked: written.locked, notifyTargets });
      return written.messages;
    },
  });
  await events.flushTo(call.sink);
  return messages;
}

/** The input checked and cleaned, and the payload the idempotency key stands for. */
function checkSend(input: SendInput) {
  const key = checkKey(input.idempotencyKey);
  const subject = cleanSubject(input.subject);
  const body = cleanBody(input.body);
  const to: To = {
    personIds: uniqueIds(input.to.personIds, 'to.personIds'),
    staffIds: uniqueIds(input.to.staffIds, 'to.staffIds'),
    sharedMailboxIds: uniqueIds(input.to.sharedMailboxIds, 'to.sharedMailboxIds'),
  };
  if (!to.personIds.length && !to.staffIds.length && !to.sharedMailboxIds.length)
    throw badInput('to', 'Choose at least one recipient.');
  const attachmentIds = attachmentIdsOf(input.attachmentIds);
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
  return { key, subject, body, to, attachmentIds, payload };
}

/** The sender of a new message, from what the send's statement read (a shared mailbox only if the viewer is a member). */
function senderFromReads(viewer: Viewer, r: SendReadsRow, fromSharedMailboxId?: string | null): Sender {
  const own = ownSender(viewer, fromSharedMailboxId);
  if (own) return own;
  const staff = (viewer as StaffViewer).staff;
  if (!r.from_mailbox) throw notFound('shared mailbox');
  return {
    party: mailboxParty(r.from_mailbox.id),
    staffId: staff.id,
    mailboxId: r.from_mailbox.id,
    displayName: `${r.from_mailbox.name} (${staff.name})`,
    municipality: r.from_mailbox.municipality,
  };
}

/** The conversations to start, once the staff and mailboxes addressed exist and the viewer may write to everyone addressed. */
async function threadsOf(em: EntityManager, viewer: Viewer, { r, to }: { r: SendReadsRow; to: To }): Promise<Thread[]> {
  if (r.staff_ids.length !== to.staffIds.length)
    throw new AppError(
      ErrorCode.NOT_FOUND,
      'A staff recipient does not exist or is no longer active. Check the recipients.',
      {
        field: 'to.staffIds',
      },
    );
  if (r.mailbox_ids.length !== to.sharedMailboxIds.length)
    throw new AppError(ErrorCode.NOT_FOUND, 'A shared mailbox recipient does not exist. Check the recipients.', {
      field: 'to.sharedMailboxIds',
    });
  // Addressed in the order given.
  const staffRecipients = [...to.staffIds.map(staffParty), ...to.sharedMailboxIds.map(mailboxParty)];
  if (viewer.kind === 'citizen') {
    if (to.personIds.length)
      throw new AppError(ErrorCode.RECIPIENT_NOT_ALLOWED, 'Citizens write to staff and shared mailboxes only.', {
        field: 'to.personIds',
      });
    assertViewerActive(viewer, r.viewer_active);
    return [await citizenThread(em, viewer, staffRecipients)];
  }
  if (to.personIds.length) return staffThreads({ r, personIds: to.personIds, staffRecipients });
  return [{ citizenId: null, caseId: null, parties: staffRecipients }];
}

/** M4: a citizen's message, to the staff and mailboxes of their ongoing cases; about the first case that links them. */
async function citizenThread(em: EntityManager, viewer: CitizenViewer, staffRecipients: PartyRef[]): Promise<Thread> {
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
  return { citizenId: viewer.person.id, caseId, parties: staffRecipients };
}

/** M1/M2/M5: staff write to persons they are linked to through an ongoing case, who have the e-service; one conversation each. */
function staffThreads(args: { r: SendReadsRow; personIds: string[]; staffRecipients: PartyRef[] }): Thread[] {
  const refusals = new Map<string, WriteRefusal>();
  // The write links were read with the key claim (sendReads), for the case asked for if any.
  const writable = writableFrom(args.r.write_links, refusals);
  const byId = new Map(args.r.persons.map((p) => [p.id, p]));
  return args.personIds.map((id) => {
    const person = byId.get(id);
    const link = writable.get(id);
    if (person && !link && refusals.get(id) === 'RELATION_NOT_ACTIVATED') {
      throw new AppError(
        ErrorCode.RECIPIENT_NOT_ACTIVATED,
        `The relation of ${person.name} is approved for messages but not activated. ` +
          'Activate the relation first (activateRelation), or contact them another way.',
        { field: 'to.personIds', personId: id },
      );
    }
    if (!person || !link) {
      throw new AppError(
        ErrorCode.RECIPIENT_NOT_ALLOWED,
        'You may not write to one of the persons: they are not on an ongoing case of yours, ' +
          'or their relation is not activated and valid today.',
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
    return { citizenId: id, caseId: link.caseId, parties: [personParty(id), ...args.staffRecipients] };
  });
}

/**
 * The citizens' notification jobs: their choices were read with the rules, so
 * the jobs need no statement of their own. None when an automatic reply was
 * written (the notice sink then looks them up itself).
 */
function notifyTargetsOf(
  viewer: Viewer,
  { r, threads, written, sender }: { r: SendReadsRow; threads: Thread[]; written: Delivered; sender: Sender },
): NotifyTarget[] | undefined {
  if (written.autoReplied) return undefined;
  return written.messages.flatMap((m, i) => {
    const { citizenId, caseId } = threads[i];
    const person = citizenId && viewer.kind === 'staff' ? r.persons.find((p) => p.id === citizenId) : undefined;
    if (!person) return [];
    const municipality =
      (caseId ? r.case_municipality[caseId] : undefined) ?? r.staff_municipality ?? sender.municipality ?? null;
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
}
