import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { senderParty } from '../domain/message-access';
import { MessageService } from '../domain/message.service';
import { citizenTargets, viewerParties } from '../domain/message-policy';
import { Attachment } from '../entities/attachment';
import { Message, MessageEvent, MessageEventKind } from '../entities/message';
import { PartyKind, partyKey } from '../entities/party';
import { SharedMailbox } from '../entities/shared-mailbox';
import { Staff } from '../entities/staff';
import { notFound } from '../errors';
import { Party, rowParty, shownParty, toParty } from './types/party';
import { citizenOf, staffOf } from './viewer';

// Messages over GraphQL: whom to address, sending, replying, marking read, and a message's fields.

@InputType({
  description:
    'Who a new message goes to. Each citizen gets a conversation of their own; staff and mailboxes are in every one.',
})
export class AddresseesInput {
  @Field(() => [ID], {
    nullable: true,
    description: 'Citizens: case holders and activated relations you may write to (staff only).',
  })
  personIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Staff members.' })
  staffIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Shared mailboxes.' })
  sharedMailboxIds?: string[] | null;
}

@InputType({ description: 'A new message.' })
class SendMessageInput {
  @Field({
    description:
      'A client-generated key (e.g. a UUID) for this send: a retry with the same key returns the first result and creates nothing; ' +
      'the same key with different content is refused (IDEMPOTENCY_KEY_REUSED).',
  })
  idempotencyKey!: string;

  @Field(() => AddresseesInput, { description: 'Recipients.' })
  to!: AddresseesInput;

  @Field({ description: 'Subject (ämne), at most 200 characters.' })
  subject!: string;

  @Field({
    description: 'Body as HTML; sanitized against an allowlist (no scripts, styles, images or event handlers).',
  })
  body!: string;

  @Field(() => Boolean, { nullable: true, description: 'Ask for a read receipt (läskvitto).' })
  readReceiptRequested?: boolean | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Ids of PDFs uploaded with POST /uploads, at most 5 (TOO_MANY_FILES).',
  })
  attachmentIds?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Add your signature (staff).' })
  addSignature?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Send from this shared mailbox (staff who are members).' })
  fromSharedMailboxId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The case the message is about; defaults to the ongoing case that links you and the citizen.',
  })
  caseId?: string | null;
}

@InputType({ description: 'A reply in an existing conversation; it goes to everyone else in the conversation.' })
class ReplyInput {
  @Field({ description: 'A client-generated key for this send (see SendMessageInput.idempotencyKey).' })
  idempotencyKey!: string;

  @Field(() => String, { nullable: true, description: 'Subject; defaults to "SV: " and the original subject.' })
  subject?: string | null;

  @Field({ description: 'Body as HTML; sanitized against an allowlist.' })
  body!: string;

  @Field(() => Boolean, { nullable: true, description: 'Ask for a read receipt.' })
  readReceiptRequested?: boolean | null;

  @Field(() => [ID], { nullable: true, description: 'Ids of uploaded PDFs, at most 5.' })
  attachmentIds?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Add your signature (staff).' })
  addSignature?: boolean | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Answer from this shared mailbox (it must take part in the conversation).',
  })
  fromSharedMailboxId?: string | null;
}

@ObjectType({ description: 'Who read a message and when, shown to its sender when a read receipt was asked.' })
class ReadReceipt {
  @Field(() => Party, { description: 'The recipient.' })
  recipient!: Party;

  @Field(() => Date, { nullable: true, description: 'First read; empty while unread.' })
  readAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'For a shared mailbox: the member who read it.' })
  readBy!: string | null;
}

const service = (ctx: Context) => new MessageService(ctx.em, ctx.viewer!, ctx.requestId, ctx.sink);

/** The viewer's party keys, once per request. */
function myPartyKeys(ctx: Context): Promise<Set<string>> {
  return ctx.loaders.batch('viewerParties', 'me', async (keys: readonly string[]) => {
    const parties = await viewerParties(ctx.em, ctx.viewer!);
    return keys.map(() => new Set(parties.map(partyKey)));
  });
}
/**
 * A message read without its body (a list's last message: src/stores/conversation.store.ts), with the body
 * loaded when a client asks for it; batched, so a page asking for every last message's body costs one statement.
 */
async function bodyOf(m: Message, ctx: Context): Promise<Message> {
  const full = await ctx.loaders.message.load(m.id);
  // Shown a moment ago by the page's statement; gone only if gallring deleted it in between.
  if (!full) throw notFound('message');
  return full;
}

@Resolver(() => Message)
export class MessageResolver {
  @Authorized(Role.STAFF)
  @Query(() => [Party], { description: 'Staff members and shared mailboxes to address, by name (active staff only).' })
  async staffDirectory(
    @Arg('search', () => String, { nullable: true, description: 'Part of a name.' }) search: string | null,
    @Ctx() ctx: Context,
  ): Promise<Party[]> {
    staffOf(ctx);
    const like = search?.trim() ? `%${search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : '%';
    const [staff, boxes] = await Promise.all([
      ctx.em.find(
        Staff,
        {
          active: true,
          $or: [{ givenName: { $ilike: like } }, { familyName: { $ilike: like } }, { username: { $ilike: like } }],
        },
        { orderBy: { familyName: 'asc', givenName: 'asc' }, limit: 50 },
      ),
      ctx.em.find(SharedMailbox, { name: { $ilike: like } }, { orderBy: { name: 'asc' }, limit: 50 }),
    ]);
    return [
      ...staff.map((s) => ({ kind: PartyKind.STAFF, id: s.id, name: s.name, title: s.title ?? null })),
      ...boxes.map((b) => ({ kind: PartyKind.SHARED_MAILBOX, id: b.id, name: b.name, title: null })),
    ];
  }

  @Authorized(Role.CITIZEN)
  @Query(() => [Party], {
    description: 'Who you can write to: the caseworkers, executors and shared mailboxes of your ongoing cases.',
  })
  async messageTargets(@Ctx() ctx: Context): Promise<Party[]> {
    const targets = await citizenTargets(ctx.em, citizenOf(ctx));
    const seen = new Set<string>();
    const unique = targets.filter((t) => !seen.has(partyKey(t.party)) && seen.add(partyKey(t.party)));
    return Promise.all(unique.map((t) => toParty(t.party, ctx)));
  }

  @Authorized()
  @Mutation(() => [Message], {
    description:
      'Send a new message. One conversation per citizen addressed, so citizens never see each other. Idempotent on idempotencyKey. ' +
      'Refusals: RECIPIENT_NOT_ALLOWED, RECIPIENT_NOT_ACTIVATED, TOO_MANY_FILES, IDEMPOTENCY_KEY_REUSED, BAD_USER_INPUT.',
  })
  async sendMessage(
    @Arg('input', () => SendMessageInput, { description: 'The message.' }) input: SendMessageInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).send({ ...input, to: input.to ?? {} });
  }

  @Authorized()
  @Mutation(() => Message, {
    description:
      'Reply in the conversation of a message you can see; it goes to everyone else in the conversation. Idempotent on idempotencyKey.',
  })
  async replyToMessage(
    @Arg('messageId', () => ID, { description: 'The message replied to.' }) messageId: string,
    @Arg('input', () => ReplyInput, { description: 'The reply.' }) input: ReplyInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).reply(messageId, input);
  }

  @Authorized()
  @Mutation(() => Message, {
    description:
      'Mark a message read (call it when the message is opened). Records the first read per recipient; the sender sees it when a read receipt was asked.',
  })
  async markMessageRead(
    @Arg('messageId', () => ID, { description: 'The message.' }) messageId: string,
    @Arg('sharedMailboxId', () => ID, {
      nullable: true,
      description: 'Read as a member of this shared mailbox only; by default all your mailboxes that received it.',
    })
    sharedMailboxId: string | null,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).markRead(messageId, sharedMailboxId);
  }

  @FieldResolver(() => String, {
    description: 'The body as sanitized HTML (allowed: paragraphs, line breaks, emphasis, lists, quotes, links).',
  })
  bodyHtml(@Root() m: Message, @Ctx() ctx: Context): string | Promise<string> {
    // No promise when the message has its body (every message but a list's last one).
    return m.bodyHtml ?? bodyOf(m, ctx).then((full) => full.bodyHtml);
  }

  @FieldResolver(() => String, { description: 'The body as plain text (for previews and journaling).' })
  bodyText(@Root() m: Message, @Ctx() ctx: Context): string | Promise<string> {
    return m.bodyText ?? bodyOf(m, ctx).then((full) => full.bodyText);
  }

  @FieldResolver(() => ID, { description: 'The conversation the message belongs to.' })
  conversationId(@Root() m: Message): string {
    return m.conversation.id;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The message this one replies to.' })
  inReplyToId(@Root() m: Message): string | null {
    return m.inReplyTo?.id ?? null;
  }

  @FieldResolver(() => Party, { description: 'Who sent it: a staff member, a shared mailbox, or a citizen.' })
  sender(@Root() m: Message, @Ctx() ctx: Context) {
    return shownParty(senderParty(m), ctx);
  }

  @FieldResolver(() => Party, {
    nullable: true,
    description: 'For a message sent from a shared mailbox: the staff member who wrote it.',
  })
  async writtenBy(@Root() m: Message, @Ctx() ctx: Context) {
    return m.senderMailbox && m.senderStaff ? toParty({ kind: PartyKind.STAFF, id: m.senderStaff.id }, ctx) : null;
  }

  @FieldResolver(() => [Party], {
    description: 'Who it went to (including a shared mailbox it was forwarded to while a recipient was away).',
  })
  async recipients(@Root() m: Message, @Ctx() ctx: Context) {
    const rows = await ctx.loaders.recipientsByMessage.load(m.id);
    return Promise.all(rows.map((r) => toParty(rowParty(r), ctx)));
  }

  @FieldResolver(() => Boolean, {
    description:
      'You have read it: every copy that reached you (personally or through a shared mailbox) is read. Always true for messages you sent.',
  })
  async readByMe(@Root() m: Message, @Ctx() ctx: Context): Promise<boolean> {
    const keys = await myPartyKeys(ctx);
    if (keys.has(partyKey(senderParty(m)))) return true;
    const mine = (await ctx.loaders.recipientsByMessage.load(m.id)).filter((r) => keys.has(r.partyKey));
    // Read only when every copy addressed to the viewer (personally and through their mailboxes) is read, as the unread count says.
    return mine.length > 0 && mine.every((r) => r.readAt != null);
  }

  @FieldResolver(() => [ReadReceipt], {
    nullable: true,
    description: 'Who read it and when: only for the sender, and only when a read receipt was asked; null otherwise.',
  })
  async readReceipts(@Root() m: Message, @Ctx() ctx: Context): Promise<ReadReceipt[] | null> {
    if (!m.readReceiptRequested) return null;
    const keys = await myPartyKeys(ctx);
    if (!keys.has(partyKey(senderParty(m)))) return null;
    const rows = await ctx.loaders.recipientsByMessage.load(m.id);
    return Promise.all(
      rows.map(async (r) => ({
        recipient: await toParty(rowParty(r), ctx),
        readAt: r.readAt ?? null,
        readBy:
          r.readByStaff && r.kind === PartyKind.SHARED_MAILBOX
            ? ((await ctx.loaders.staff.load(r.readByStaff.id))?.name ?? null)
            : null,
      })),
    );
  }

  @FieldResolver(() => [Attachment], { description: 'Attached PDFs.' })
  async attachments(@Root() m: Message, @Ctx() ctx: Context) {
    return ctx.loaders.attachmentsByMessage.load(m.id);
  }

  @FieldResolver(() => [MessageEvent], {
    description:
      'What happened to the message: sent, forwarded, read, downloaded, notified, journaled. ' +
      'Visible to the staff in the conversation and to the citizen; where it was journaled only to the citizen and to staff who may read the journal entry.',
  })
  async history(@Root() m: Message, @Ctx() ctx: Context) {
    const events = await ctx.loaders.eventsByMessage.load(m.id);
    if (ctx.viewer?.kind !== 'staff' || !events.some((e) => e.kind === MessageEventKind.JOURNALED)) return events;
    // Where a message was filed is case-file data: staff see it only when they may read an entry about it
    // (as Message.journalEntries), not because they were copied; the citizen, whose file it is, does.
    if ((await ctx.loaders.journalEntriesByMessage.load(m.id)).length) return events;
    return events.map((e) => (e.kind === MessageEventKind.JOURNALED ? { ...e, detail: null } : e));
  }
}

@Resolver(() => Attachment)
export class AttachmentResolver {
  @FieldResolver(() => String, {
    description: 'Where to download the file: GET this path on the API host with your bearer token.',
  })
  downloadUrl(@Root() a: Attachment): string {
    return `/attachments/${a.id}`;
  }
}
