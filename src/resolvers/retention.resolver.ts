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
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { LegalHoldService } from '../domain/legal-hold.service';
import { queueRetentionRun } from '../domain/retention.jobs';
import { retentionRuleSettings, RetentionService } from '../domain/retention.service';
import { LegalHold } from '../entities/legal-hold';
import { RetentionRule, RetentionRun, type RetentionCounts } from '../entities/retention-run';
import { Staff } from '../entities/staff';
import { AppError, ErrorCode } from '../errors';
import { Connection, toConnection } from './types/connection';
import { staffOf } from './viewer';

@ObjectType({ description: 'How many records of one kind a gallring run thinned or kept.' })
class RetentionCount {
  @Field({
    description:
      'The kind of record, e.g. "messages", "attachments", "files" (stored bytes), "readReceipts", ' +
      '"historyEvents", "notices", "drafts", "uploads", "notificationDeliveries", "notificationJobs", ' +
      '"accessLogRows", "registerExtracts"; for kept records e.g. "journaledMessages", ' +
      '"conversationsOnHold".',
  })
  item!: string;

  @Field(() => Int, { description: 'How many.' })
  count!: number;
}

@ObjectType({ description: 'A gallring rule as configured now.' })
class RetentionRuleSetting {
  @Field(() => RetentionRule, { description: 'The rule.' })
  rule!: RetentionRule;

  @Field({ description: 'False when the configuration turns the rule off (period 0).' })
  enabled!: boolean;

  @Field({ description: 'The period, e.g. "24 months".' })
  period!: string;
}

@ArgsType()
class RetentionRunsArgs {
  @Field(() => RetentionRule, { nullable: true, description: 'Only the runs of this rule.' })
  rule?: RetentionRule | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page.' })
  after?: string | null;
}

@InputType({
  description: 'A legal hold to place: on one conversation or one case (give exactly one), with the reason on record.',
})
class PlaceLegalHoldInput {
  @Field(() => ID, { nullable: true, description: 'The conversation to hold.' })
  conversationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The case to hold: all its conversations are held.' })
  caseId?: string | null;

  @Field({ description: 'Why, e.g. the request and its reference number; at most 2000 characters.' })
  reason!: string;
}

const RetentionRunConnection = Connection(RetentionRun, 'gallring record');

const toCounts = (c: RetentionCounts): RetentionCount[] =>
  Object.entries(c)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([item, count]) => ({ item, count }));

function settings(ctx: Context) {
  if (!ctx.retention) throw new Error('retention settings missing from the context');
  return ctx.retention;
}

@Resolver(() => RetentionRun)
export class RetentionResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [RetentionRuleSetting], {
    description: 'The gallring rules and their periods as configured (administrators).',
  })
  retentionRules(@Ctx() ctx: Context): RetentionRuleSetting[] {
    return retentionRuleSettings(settings(ctx));
  }

  @Authorized(Role.ADMIN)
  @Query(() => RetentionRunConnection, {
    description: "The gallring record (administrators): each rule's runs, dry runs included, newest first.",
  })
  async retentionRuns(@Args() args: RetentionRunsArgs, @Ctx() ctx: Context) {
    return toConnection(await new RetentionService(ctx.em, settings(ctx)).list(args));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => [RetentionRun], {
    description:
      'A dry run of every enabled rule (administrators): counts what would be thinned today and what is ' +
      'kept (journaled, on hold), changes nothing, and is recorded with dryRun true.',
  })
  async retentionDryRun(@Ctx() ctx: Context): Promise<RetentionRun[]> {
    return new RetentionService(ctx.em, settings(ctx)).runAll({ dryRun: true, startedById: staffOf(ctx).staff.id });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, {
    description:
      'Start a real gallring run of every enabled rule now (administrators), in the background on the job ' +
      'queue, after any run under way; its records appear in retentionRuns. The schedule ' +
      '(RETENTION_SCHEDULE) runs it daily anyway.',
  })
  async runRetentionNow(@Ctx() ctx: Context): Promise<boolean> {
    if (!ctx.boss)
      throw new AppError(ErrorCode.CONFLICT, 'The job queue is not running on this server; try again shortly.');
    await queueRetentionRun(ctx.boss, staffOf(ctx).staff.id);
    return true;
  }

  @FieldResolver(() => [RetentionCount], {
    description: 'What the run thinned (a dry run: would thin), by kind of record; kinds with none are left out.',
  })
  removed(@Root() run: RetentionRun): RetentionCount[] {
    return toCounts(run.removed);
  }

  @FieldResolver(() => [RetentionCount], {
    description:
      'What was old enough but stays: journaled messages (the case file points at them) and records on legal hold.',
  })
  kept(@Root() run: RetentionRun): RetentionCount[] {
    return toCounts(run.kept);
  }

  @FieldResolver(() => Staff, {
    nullable: true,
    description: 'The administrator who started the run; empty for the scheduled job.',
  })
  async startedBy(@Root() run: RetentionRun, @Ctx() ctx: Context) {
    return run.startedBy ? ctx.loaders.staff.load(run.startedBy.id) : null;
  }
}

@Resolver(() => LegalHold)
export class LegalHoldResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [LegalHold], {
    description: 'Legal holds (administrators), newest first: those in force, or all with their releases.',
  })
  async legalHolds(
    @Arg('includeReleased', () => Boolean, { defaultValue: false, description: 'Also list released holds.' })
    includeReleased: boolean,
    @Ctx() ctx: Context,
  ) {
    return new LegalHoldService(ctx.em, staffOf(ctx)).list(!includeReleased);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => LegalHold, {
    description:
      'Place a legal hold on a conversation or a case (administrators): nothing in it is thinned until ' +
      'released. Refusals: BAD_USER_INPUT (no reason, or not exactly one target), NOT_FOUND, CONFLICT ' +
      '(already on hold).',
  })
  async placeLegalHold(
    @Arg('input', () => PlaceLegalHoldInput, { description: 'What to hold and why.' }) input: PlaceLegalHoldInput,
    @Ctx() ctx: Context,
  ) {
    return new LegalHoldService(ctx.em, staffOf(ctx)).place(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => LegalHold, {
    description:
      'Release a legal hold (administrators); who, when and why is recorded, and gallring may then thin ' +
      'what it held. Refusals: BAD_USER_INPUT (no reason), NOT_FOUND, CONFLICT (already released).',
  })
  async releaseLegalHold(
    @Arg('id', () => ID, { description: 'The hold.' }) id: string,
    @Arg('reason', { description: 'Why it is released, e.g. the case at court has ended; at most 2000 characters.' })
    reason: string,
    @Ctx() ctx: Context,
  ) {
    return new LegalHoldService(ctx.em, staffOf(ctx)).release(id, reason);
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The held conversation, for a hold on a conversation (it may be gone since the hold was released).',
  })
  conversationId(@Root() h: LegalHold): string | null {
    return h.conversationId ?? null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The held case, for a hold on a case.' })
  caseId(@Root() h: LegalHold): string | null {
    return h.case?.id ?? null;
  }

  @FieldResolver(() => Staff, { description: 'Who placed the hold.' })
  async placedBy(@Root() h: LegalHold, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(h.placedBy.id);
  }

  @FieldResolver(() => Staff, { nullable: true, description: 'Who released the hold; empty while it holds.' })
  async releasedBy(@Root() h: LegalHold, @Ctx() ctx: Context) {
    return h.releasedBy ? ctx.loaders.staff.load(h.releasedBy.id) : null;
  }
}
