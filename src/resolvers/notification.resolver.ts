import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { isId } from '../domain/ids';
import { AppError, ErrorCode, notFound } from '../errors';
import { NOTIFY_QUEUE } from '../notifications/boss';
import type { NotifyJob } from '../notifications/outbox';
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

interface JobRow {
  id: string;
  data: NotifyJob;
  retry_count: number;
  output: { message?: string } | null;
  /** ISO 8601: raw SQL gives timestamps as PostgreSQL text, which the DateTime scalar refuses. */
  created_on: string;
  completed_on: string | null;
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
    const rows: JobRow[] = await ctx.em.getConnection().execute(
      `select j.id, j.data, j.retry_count, j.output, to_json(j.created_on) #>> '{}' as created_on, to_json(j.completed_on) #>> '{}' as completed_on
         from pgboss.job j
        where j.name = ? and j.state = 'failed' order by j.completed_on desc nulls last limit 200`,
      [NOTIFY_QUEUE],
    );
    return rows.map((r) => ({
      id: r.id,
      channel: r.data.channel,
      kind: r.data.kind,
      messageId: r.data.messageId,
      personId: r.data.personId,
      attempts: r.retry_count + 1,
      lastError: r.output?.message ?? null,
      createdAt: new Date(r.created_on),
      failedAt: r.completed_on ? new Date(r.completed_on) : null,
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
        'Notifications are not running on this server (it has no job queue), so the notification cannot be queued again now. Try again in a few minutes; if it keeps happening, ask operations to start the job queue.',
      );
    }
    if (!isId(id)) throw notFound('failed notification');
    const rows = await ctx.em
      .getConnection()
      .execute(`select 1 from pgboss.job where name = ? and id = ? and state = 'failed'`, [NOTIFY_QUEUE, id]);
    if (!rows.length) throw notFound('failed notification');
    await ctx.boss.retry(NOTIFY_QUEUE, id);
    return true;
  }
}
