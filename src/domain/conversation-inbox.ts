import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { partyKey, type PartyRef } from '../entities/party';
import { notFound } from '../errors';
import {
  conversationPage,
  keptUnreadCounts,
  unreadByMailbox,
  type ConversationView,
  type InboxFolder,
  type PageArgs,
} from '../stores/conversation.store';
import { isId } from './ids';
import { mailboxParty, personParty, staffParty, type MessagingCall } from './message-compose';
import { memberMailbox, readableConversations, viewerParties } from './message-policy';
import { decodeTimeCursor, pageSize, toPage, type Page } from './pagination';

// The inbox: a mailbox's conversations, one conversation, and the unread counts. Reads only (and their access log).

export type { ConversationView, InboxFolder, PartyRow } from '../stores/conversation.store';

/** The page read for the viewer through the mailboxes `keys`; staff reads are access-logged (`log`) by the same statement. */
function page(
  call: MessagingCall,
  keys: string[],
  args: Omit<PageArgs, 'keys' | 'readable' | 'accessLog'>,
  log: { action: AccessAction; rows: number },
): Promise<ConversationView[]> {
  const { viewer } = call;
  const accessLog = viewer.kind === 'staff' ? { viewer, requestId: call.requestId, ...log } : undefined;
  return conversationPage(call.em, { ...args, keys, readable: readableConversations(viewer, keys, 'c'), accessLog });
}

/** A conversation the viewer takes part in (M6), or NOT_FOUND. Staff reads are access-logged. */
export async function openConversation(call: MessagingCall, id: string): Promise<ConversationView> {
  if (!isId(id)) throw notFound('conversation');
  // No transaction: the read and its access-log row (staff, a conversation with a citizen) are one statement.
  const keys = (await viewerParties(call.em, call.viewer)).map(partyKey);
  const [view] = await page(
    call,
    keys,
    { ids: [id], folder: 'ALL', unreadOnly: false, limit: 1 },
    { action: AccessAction.CONVERSATION_READ, rows: 1 },
  );
  if (!view) throw notFound('conversation');
  return view;
}

export interface ListArgs {
  /** A shared mailbox the staff member belongs to; none: their own mailbox (a citizen's always). */
  sharedMailboxId?: string | null;
  folder?: InboxFolder | null;
  unreadOnly?: boolean | null;
  first?: number | null;
  after?: string | null;
}

/**
 * A mailbox's conversations, latest activity first: the staff member's own
 * (default) or a shared mailbox they belong to; a citizen's own.
 */
export async function listConversations(call: MessagingCall, args: ListArgs): Promise<Page<ConversationView>> {
  const size = pageSize(args.first);
  const after = decodeTimeCursor(args.after);
  // No transaction: the page, its participants and last messages, and the access log of the citizens listed are one statement.
  const party = await mailboxOf(call.em, call.viewer, args.sharedMailboxId);
  const rows = await page(
    call,
    [partyKey(party)],
    { folder: args.folder ?? 'ALL', unreadOnly: !!args.unreadOnly, limit: size + 1, after },
    { action: AccessAction.CONVERSATION_LIST, rows: size },
  );
  return toPage(rows, size, (r) => [r.conversation.lastMessageAt.toISOString(), r.conversation.id]);
}

/** Unread messages per mailbox the viewer has: own, then shared ones. */
export async function mailboxUnreadCounts(call: MessagingCall): Promise<{ party: PartyRef; unreadCount: number }[]> {
  const { viewer } = call;
  const parties = await viewerParties(call.em, viewer);
  const keys = parties.map(partyKey);
  // A recipient row already makes staff a participant: their counts are the kept ones (a busy shared mailbox's
  // thousands of unread rows are not counted on every call). A citizen counts only conversations they may still read (M6).
  const counts =
    viewer.kind === 'citizen'
      ? await unreadByMailbox(call.em, { keys, readable: readableConversations(viewer, keys, 'c') })
      : await keptUnreadCounts(call.em, { keys });
  return parties.map((party) => ({ party, unreadCount: counts.get(partyKey(party)) ?? 0 }));
}

/** The mailbox to list: the viewer's own, or a shared one they are a member of (else NOT_FOUND). */
async function mailboxOf(em: EntityManager, viewer: Viewer, sharedMailboxId?: string | null): Promise<PartyRef> {
  if (viewer.kind === 'citizen') {
    if (sharedMailboxId) throw notFound('shared mailbox');
    return personParty(viewer.person.id);
  }
  if (!sharedMailboxId) return staffParty(viewer.staff.id);
  const mailbox = await memberMailbox(em, viewer, sharedMailboxId);
  if (!mailbox) throw notFound('shared mailbox');
  return mailboxParty(mailbox.id);
}
