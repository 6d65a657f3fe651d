import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { MailboxSettingsService } from '../domain/mailbox-settings.service';
import { MailboxSettings } from '../entities/mailbox-settings';
import { PartyKind } from '../entities/party';
import { Party, toParty } from './types/party';
import { staffOf } from './viewer';

@InputType({ description: 'Your signature and out-of-office settings; leave a field out to keep it.' })
class MailboxSettingsInput {
  @Field(() => String, { nullable: true, description: 'Signature, plain text.' })
  signature?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Turn out-of-office on or off. Turning it on starts a new absence (one automatic reply per conversation per absence).',
  })
  absenceEnabled?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'The automatic reply, plain text (needed while out-of-office is on).',
  })
  absenceReply?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Shared mailbox that also gets your messages while you are away; null removes it.',
  })
  absenceForwardToId?: string | null;
}

const settings = (ctx: Context) => new MailboxSettingsService(ctx.em, staffOf(ctx));

@Resolver(() => MailboxSettings)
export class MailboxSettingsResolver {
  @Authorized(Role.STAFF)
  @Query(() => MailboxSettings, { description: 'Your signature and out-of-office settings.' })
  async mailboxSettings(@Ctx() ctx: Context) {
    return settings(ctx).get();
  }

  @Authorized(Role.STAFF)
  @Mutation(() => MailboxSettings, { description: 'Change your signature and out-of-office settings.' })
  async updateMailboxSettings(
    @Arg('input', () => MailboxSettingsInput, { description: 'What to change.' }) input: MailboxSettingsInput,
    @Ctx() ctx: Context,
  ) {
    return settings(ctx).update(input);
  }

  @FieldResolver(() => Party, {
    nullable: true,
    description: 'Shared mailbox that also gets your messages while you are away.',
  })
  async absenceForwardTo(@Root() s: MailboxSettings, @Ctx() ctx: Context) {
    return s.absenceForwardTo ? toParty({ kind: PartyKind.SHARED_MAILBOX, id: s.absenceForwardTo.id }, ctx) : null;
  }
}
