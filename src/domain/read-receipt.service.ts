import { LockMode } from '@mikro-orm/core';
import { MessageEvent, MessageEventKind, MessageRecipient, type Message } from '../entities/message';
import { PartyKind, partyKey } from '../entities/party';
import { openMessage, senderParty } from './message-access';
import { viewerParties } from './message-policy';
import type { MessagingCall } from './message-compose';
import { EventBuffer } from './notices';

// Reading: the first read per recipient, which the sender sees when they asked for a read receipt.

/** Marks the message read for the viewer's mailboxes that received it (or only `viaSharedMailboxId` among the shared ones). */
export async function markRead(
  call: MessagingCall,
  messageId: string,
  viaSharedMailboxId?: string | null,
): Promise<Message> {
  const { viewer } = call;
  const events = new EventBuffer(call.unitOfWork);
  const message = await call.em.transactional(async (em) => {
    // Opening the message reads the viewer's parties; this transaction's EntityManager keeps them for the keys below.
    const message = await openMessage(em, viewer, messageId);
    const keys = (await viewerParties(em, viewer))
      .filter((p) => (viaSharedMailboxId ? p.kind !== PartyKind.SHARED_MAILBOX || p.id === viaSharedMailboxId : true))
      .map(partyKey);
    const unread = await em.find(
      MessageRecipient,
      { message: message.id, partyKey: { $in: keys }, readAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!unread.length) return message;
    const now = new Date();
    const readerName = viewer.kind === 'staff' ? viewer.staff.name : viewer.person.name;
    for (const r of unread) {
      r.readAt = now;
      r.readByStaff = viewer.kind === 'staff' ? viewer.staff : null;
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
    await events.recordIn(em, call.sink);
    return message;
  });
  await events.flushTo(call.sink);
  return message;
}
