import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  ObjectType,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from 'type-graphql';
import { Authorized } from '../auth/auth-checker';
import type { Context } from '../context';
import type { ConversationView } from '../domain/conversation-inbox';
import { MessageService } from '../domain/message.service';
import { Conversation } from '../entities/conversation';
import { Message } from '../entities/message';
import { PartyKind } from '../entities/party';
import { Connection, toConnection } from './types/connection';
import { Party, shownParty, toParty } from './types/party';

// The inbox over GraphQL: a mailbox's conversations, one conversation, the unread counts, and a conversation's fields.

export enum MailboxFolder {
  ALL = 'ALL',
  INBOX = 'INBOX',
  SENT = 'SENT',
}
registerEnumType(MailboxFolder, {
  name: 'MailboxFolder',
  description: 'Which conversations of a mailbox to list.',
  valuesConfig: {
    ALL: { description: 'Every conversation the mailbox takes part in.' },
    INBOX: { description: 'Conversations where the mailbox has received messages (Inkorg).' },
    SENT: { description: 'Conversations where the mailbox has sent messages (Skickat).' },
  },
});

@ArgsType()
class ConversationsArgs {
  @Field(() => ID, {
    nullable: true,
    description: 'A shared mailbox you are a member of; leave out for your own mailbox.',
  })
  sharedMailboxId?: string | null;

  @Field(() => MailboxFolder, { nullable: true, description: 'Which conversations (default ALL).' })
  folder?: MailboxFolder | null;

  @Field(() => Boolean, { nullable: true, description: 'Only conversations with unread messages.' })
  unreadOnly?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page.' })
  after?: string | null;
}

@ObjectType({ description: 'One of your mailboxes with its number of unread messages.' })
class MailboxSummary {
  @Field(() => Party, { description: 'The mailbox: yours, a shared one, or (for a citizen) your own.' })
  mailbox!: Party;

  @Field(() => Int, { description: 'Messages not yet read in this mailbox.' })
  unreadCount!: number;
}

const ConversationConnection = Connection(Conversation, 'conversation');

const service = (ctx: Context) => new MessageService(ctx.em, ctx.viewer!, ctx.requestId, ctx.sink);

/**
 * Keeps the view for the conversation's fields (participants, last message, unread count), and the names the
 * page's statement already read for `toParty` (the last message's sender, a participant as `citizen`): the inbox
 * page then needs no statement, and no promise, per field.
 */
function primeView(ctx: Context, view: ConversationView): void {
  ctx.conversationViews.set(view.conversation.id, view);
  const shown = ctx.loaders.shownParties;
  for (const p of view.participants) shown.set(`${p.kind}:${p.id}`, p);
  if (view.lastSender) shown.set(`${view.lastSender.kind}:${view.lastSender.id}`, view.lastSender);
}

/**
 * The mailbox's view of a conversation (last message, unread count), read in the same statement as the
 * page by `conversations` or `conversation`, the only fields that return a Conversation.
 */
function viewOf(ctx: Context, c: Conversation): ConversationView {
  const view = ctx.conversationViews.get(c.id);
  if (!view) throw new Error(`conversation ${c.id} resolved without its mailbox view`);
  return view;
}
@Resolver(() => Conversation)
export class ConversationResolver {
  @Authorized()
  @Query(() => ConversationConnection, {
    description:
      "A mailbox's conversations, latest activity first: your own (default) or a shared mailbox you belong to; " +
      'for a citizen, their own. Staff listings are recorded in the access log.',
  })
  async conversations(@Args() args: ConversationsArgs, @Ctx() ctx: Context) {
    const page = await service(ctx).conversations({ ...args, folder: args.folder ?? 'ALL' });
    for (const view of page.nodes) primeView(ctx, view);
    return toConnection({
      ...page,
      nodes: page.nodes.map((v) => v.conversation),
      cursorOf: (c) => page.cursorOf(ctx.conversationViews.get(c.id)!),
    });
  }

  @Authorized()
  @Query(() => Conversation, {
    description:
      'A conversation you take part in (yourself or through a shared mailbox). NOT_FOUND otherwise. ' +
      'Staff reads are recorded in the access log.',
  })
  async conversation(@Arg('id', () => ID, { description: 'The conversation.' }) id: string, @Ctx() ctx: Context) {
    const view = await service(ctx).conversation(id);
    primeView(ctx, view);
    return view.conversation;
  }

  @Authorized()
  @Query(() => [MailboxSummary], {
    description: 'Your mailboxes with unread counts: your own first, then the shared mailboxes you belong to.',
  })
  async mailboxes(@Ctx() ctx: Context): Promise<MailboxSummary[]> {
    const rows = await service(ctx).mailboxes();
    return Promise.all(rows.map(async (r) => ({ mailbox: await toParty(r.party, ctx), unreadCount: r.unreadCount })));
  }

  @FieldResolver(() => Int, {
    description: 'Messages in the conversation not yet read by you (or by the mailbox listed).',
  })
  unreadCount(@Root() c: Conversation, @Ctx() ctx: Context): number {
    return viewOf(ctx, c).unreadCount;
  }

  @FieldResolver(() => Message, { nullable: true, description: 'The latest message.' })
  lastMessage(@Root() c: Conversation, @Ctx() ctx: Context): Message | null {
    return viewOf(ctx, c).lastMessage;
  }

  @FieldResolver(() => [Message], { description: 'All messages, oldest first.' })
  async messages(@Root() c: Conversation, @Ctx() ctx: Context) {
    return ctx.loaders.messagesByConversation.load(c.id);
  }

  @FieldResolver(() => [Party], {
    description: 'Everyone taking part: staff, shared mailboxes and at most one citizen.',
  })
  participants(@Root() c: Conversation, @Ctx() ctx: Context): Party[] {
    return viewOf(ctx, c).participants;
  }

  @FieldResolver(() => Party, { nullable: true, description: 'The citizen in the conversation, if any.' })
  citizen(@Root() c: Conversation, @Ctx() ctx: Context) {
    return c.citizen ? shownParty({ kind: PartyKind.PERSON, id: c.citizen.id }, ctx) : null;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The case the conversation is about (shown to staff only; null for citizens).',
  })
  caseId(@Root() c: Conversation, @Ctx() ctx: Context): string | null {
    return ctx.viewer?.kind === 'staff' ? (c.case?.id ?? null) : null;
  }
}
