import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import type { Message } from '../entities/message';
import { partyKey, type PartyRef } from '../entities/party';
import { notFound } from '../errors';
import { findMessage } from '../stores/message.store';
import { isId } from './ids';
import { mailboxParty, personParty, staffParty } from './message-compose';
import { readableConversations, viewerParties } from './message-policy';
import { conversationParticipant } from './rules';

// The one way to open a message (marking it read, drafting a reply, journaling it): the same rule everywhere.

/**
 * A message in a conversation the viewer may read (M6, and for a citizen the
 * link to the conversation's case), or NOT_FOUND. `forReply` asks only that
 * the viewer takes part: a reply then refuses a former relation with its
 * own reason (RECIPIENT_NOT_ALLOWED). A managed entity (callers link to it).
 */
export async function openMessage(
  em: EntityManager,
  viewer: Viewer,
  messageId: string,
  opts: { forReply?: boolean } = {},
): Promise<Message> {
  if (!isId(messageId)) throw notFound('message');
  const keys = (await viewerParties(em, viewer)).map(partyKey);
  const readable = opts.forReply ? conversationParticipant.sql(keys, 'c.id') : readableConversations(viewer, keys, 'c');
  const message = await findMessage(em, { messageId, readable });
  if (!message) throw notFound('message');
  return message;
}

/** Who sent the message: the shared mailbox when sent from one, else the citizen or staff member. */
export function senderParty(m: Message): PartyRef {
  if (m.senderPerson) return personParty(m.senderPerson.id);
  if (m.senderMailbox) return mailboxParty(m.senderMailbox.id);
  return staffParty(m.senderStaff!.id);
}
