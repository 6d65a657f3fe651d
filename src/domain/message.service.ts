import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import type { Message } from '../entities/message';
import type { PartyRef } from '../entities/party';
import {
  listConversations,
  mailboxUnreadCounts,
  openConversation,
  type ConversationView,
  type ListArgs,
} from './conversation-inbox';
import type { MessagingCall, ReplyInput, SendInput } from './message-compose';
import { replyToMessage } from './message-reply';
import { sendMessage } from './message-sending';
import type { EventBuffer, EventSink } from './notices';
import type { Page } from './pagination';
import { markRead } from './read-receipt.service';

/**
 * Messaging for one caller, one operation per method, each in the module that
 * does that one job: sending (message-sending.ts: recipients, idempotency)
 * and replying (message-reply.ts), both written by message-delivery.ts
 * (out-of-office, automatic replies); the inbox (conversation-inbox.ts); read
 * receipts (read-receipt.service.ts). Opening a message for anything else is
 * `openMessage` (message-access.ts). Every write is one transaction; events
 * go out only after it commits.
 */
export class MessageService {
  private readonly call: MessagingCall;

  constructor(
    em: EntityManager,
    viewer: Viewer,
    requestId: string,
    sink?: EventSink,
    /** Set when a caller's transaction wraps these writes: its events then wait for that transaction. */
    unitOfWork?: EventBuffer,
  ) {
    this.call = { em, viewer, requestId, sink, unitOfWork };
  }

  /** A new message: one conversation per citizen addressed (or one without a citizen). */
  send(input: SendInput): Promise<Message[]> {
    return sendMessage(this.call, input);
  }

  /** A reply in the conversation, to everyone else in it. */
  reply(messageId: string, input: ReplyInput): Promise<Message> {
    return replyToMessage(this.call, messageId, input);
  }

  /** The first read per recipient; the sender sees it when a receipt was asked. */
  markRead(messageId: string, viaSharedMailboxId?: string | null): Promise<Message> {
    return markRead(this.call, messageId, viaSharedMailboxId);
  }

  /** A conversation the viewer takes part in (M6), or NOT_FOUND. Staff reads are access-logged. */
  conversation(id: string): Promise<ConversationView> {
    return openConversation(this.call, id);
  }

  /** A mailbox's conversations, latest activity first (the viewer's own, or a shared mailbox they belong to). */
  conversations(args: ListArgs): Promise<Page<ConversationView>> {
    return listConversations(this.call, args);
  }

  /** Unread messages per mailbox the viewer has: own, then shared ones. */
  mailboxes(): Promise<{ party: PartyRef; unreadCount: number }[]> {
    return mailboxUnreadCounts(this.call);
  }
}
