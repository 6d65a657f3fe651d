import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { isId } from '../domain/ids';
import { AppError, ErrorCode, notFound } from '../errors';
import { NOTIFY_QUEUE } from '../notifications/boss';
import type { NotifyJob } from '../notifications/outbox';
import { failedJobs } from '../stores/notification.store';
import { staffOf } from './viewer';

@ObjectType({
  description:
    'An SMS or e-mail notification that failed after all its retries (dead letter). It never contained message content.',
})
class FailedNotification {
  @Field(() => ID, { description: 'The job id; pass it to retryNotification.' })
  id!: string;

  @Field({ description: '"sms" or "email".' })
  channel!: string;

  @Field({ description: '"new" (a message is waiting) or "reminder" (still unread).' })
  kind!: string;

  @Field(() => ID, { description: 'The message announced.' })
  messageId!: string;

  @Field(() => ID, { description: 'The person to notify.' })
  personId!: string;

  @Field(() => Int, { description: 'Attempts made.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'The last error, as the provider or the worker reported it.' })
  lastError!: string | null;

  @Field(() => Date, { description: 'When it was first queued.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was given up.' })
  failedAt!: Date | null;
}

/** Administrators see and retry notifications that exhausted their retries. */
@Resolver()
export class NotificationResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [FailedNotification], {
    description: 'Notifications that failed after all retries, newest first (administrators).',
  })
  async failedNotifications(@Ctx() ctx: Context): Promise<FailedNotification[]> {
    staffOf(ctx);
    const jobs = await failedJobs<NotifyJob>(ctx.em, { queue: NOTIFY_QUEUE, limit: 200 });
    return jobs.map((j) => ({
      id: j.id,
      channel: j.data.channel,
      kind: j.data.kind,
      messageId: j.data.messageId,
      personId: j.data.personId,
      attempts: j.retryCount + 1,
      lastError: j.output?.message ?? null,
      createdAt: j.createdOn,
      failedAt: j.completedOn,
    }));
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, {
    description: 'Queue a failed notification again (administrators). It is still sent at most once.',
  })
  async retryNotification(
    @Arg('id', () => ID, { description: 'The failed job.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    staffOf(ctx);
    if (!ctx.boss) {
      throw new AppError(
        ErrorCode.JOB_QUEUE_NOT_RUNNING,
        'Notifications are not running on this server (it has no job queue), so the notification cannot be queued again now. ' +
          'Try again in a few minutes; if it keeps happening, ask operations to start the job queue.',
      );
    }
    if (!isId(id)) throw notFound('failed notification');
    const job = await ctx.boss.getJobById(NOTIFY_QUEUE, id);
    if (job?.state !== 'failed') throw notFound('failed notification');
    await ctx.boss.retry(NOTIFY_QUEUE, id);
    return true;
  }
}
