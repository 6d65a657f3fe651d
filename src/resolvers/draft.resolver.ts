import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Authorized } from '../auth/auth-checker';
import type { Context } from '../context';
import { DraftService } from '../domain/draft.service';
import { Attachment } from '../entities/attachment';
import { Draft } from '../entities/draft';
import { Message } from '../entities/message';
import { PartyKind } from '../entities/party';
import { AddresseesInput } from './message.resolver';
import { Connection, toConnection } from './types/connection';
import { Party, toParty } from './types/party';

@InputType({ description: 'A draft to create (no draftId) or update. Leave a field out to keep it.' })
class SaveDraftInput {
  @Field(() => ID, { nullable: true, description: 'The draft to update; leave out to start a new one.' })
  draftId?: string | null;

  @Field(() => AddresseesInput, { nullable: true, description: 'Recipients so far (ignored for a reply draft).' })
  to?: AddresseesInput | null;

  @Field(() => String, { nullable: true, description: 'Subject so far.' })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'Body so far, HTML (sanitized).' })
  body?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Ask for a read receipt when sent.' })
  readReceiptRequested?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Add your signature when sent.' })
  addSignature?: boolean | null;

  @Field(() => [ID], { nullable: true, description: 'Uploaded PDFs to send with it, at most 5.' })
  attachmentIds?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'Send from this shared mailbox.' })
  fromSharedMailboxId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The case the message is about.' })
  caseId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Make this a reply to that message.' })
  replyToMessageId?: string | null;
}

@ArgsType()
class DraftsArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page.' })
  after?: string | null;
}

@ObjectType({ description: 'The recipients of a draft so far.' })
class DraftAddressees {
  @Field(() => [Party], { description: 'Everyone addressed so far.' })
  parties!: Party[];
}

const DraftConnection = Connection(Draft, 'draft');
const drafts = (ctx: Context) => new DraftService(ctx.em, ctx.viewer!, ctx.requestId, ctx.sink);

@Resolver(() => Draft)
export class DraftResolver {
  @Authorized()
  @Query(() => DraftConnection, { description: 'Your drafts (Utkast), last saved first.' })
  async drafts(@Args() args: DraftsArgs, @Ctx() ctx: Context) {
    return toConnection(await drafts(ctx).list(args));
  }

  @Authorized()
  @Mutation(() => Draft, { description: 'Save a draft as you type; returns it with its saved time.' })
  async saveDraft(
    @Arg('input', () => SaveDraftInput, { description: 'The draft.' }) input: SaveDraftInput,
    @Ctx() ctx: Context,
  ) {
    return drafts(ctx).save(input);
  }

  @Authorized()
  @Mutation(() => [Message], {
    description:
      'Send a draft exactly as saved; the draft is removed in the same transaction. Idempotent on idempotencyKey.',
  })
  async sendDraft(
    @Arg('draftId', () => ID, { description: 'The draft.' }) draftId: string,
    @Arg('idempotencyKey', { description: 'A client-generated key for this send.' }) idempotencyKey: string,
    @Ctx() ctx: Context,
  ) {
    return drafts(ctx).send(draftId, idempotencyKey);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Delete a draft.' })
  async deleteDraft(@Arg('draftId', () => ID, { description: 'The draft.' }) draftId: string, @Ctx() ctx: Context) {
    return drafts(ctx).delete(draftId);
  }

  @FieldResolver(() => DraftAddressees, {
    description:
      'Recipients so far: persons only when you may see them (an id of anyone else is left out, as an id that does not exist).',
  })
  async to(@Root() d: Draft, @Ctx() ctx: Context): Promise<DraftAddressees> {
    const refs = [
      ...d.addressees.personIds.map((id) => ({ kind: PartyKind.PERSON, id })),
      ...d.addressees.staffIds.map((id) => ({ kind: PartyKind.STAFF, id })),
      ...d.addressees.sharedMailboxIds.map((id) => ({ kind: PartyKind.SHARED_MAILBOX, id })),
    ];
    // A person is listed only to who may see them (the root query's rule): one the caller may not see is
    // left out exactly as an id that does not exist, so a draft cannot turn an id into a name. The draft
    // keeps what was typed; sending it refuses such a recipient (RECIPIENT_NOT_ALLOWED).
    const shown = await Promise.all(
      refs.map(async (r) => (r.kind !== PartyKind.PERSON || (await ctx.loaders.person.load(r.id)) ? r : null)),
    );
    return { parties: await Promise.all(shown.filter((r) => r !== null).map((r) => toParty(r, ctx))) };
  }

  @FieldResolver(() => [Attachment], { description: 'PDFs to send with it.' })
  async attachments(@Root() d: Draft, @Ctx() ctx: Context) {
    // An upload removed meanwhile (unsent uploads go after a day) is left out.
    const found = await ctx.loaders.attachment.loadMany(d.attachmentIds);
    return found.filter((a): a is Attachment => a instanceof Attachment);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The message this draft replies to.' })
  replyToMessageId(@Root() d: Draft): string | null {
    return d.replyTo?.id ?? null;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The shared mailbox it will be sent from (SaveDraftInput.fromSharedMailboxId); null: from yourself.',
  })
  fromSharedMailboxId(@Root() d: Draft): string | null {
    return d.fromMailbox?.id ?? null;
  }
}
