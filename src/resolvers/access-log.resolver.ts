import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { AdminService } from '../domain/admin.service';
import { AccessLogEntry } from '../entities/access-log-entry';
import { Staff } from '../entities/staff';
import { Connection, toConnection } from './types/connection';
import { staffOf } from './viewer';

const AccessLogEntryConnection = Connection(AccessLogEntry, 'access-log entry');

@ArgsType()
class AccessLogArgs {
  @Field(() => ID, { nullable: true, description: 'Whose data was read.' })
  personId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Whose data was read, by personnummer (any common format): administrators see no persons, so this is how they look one up.',
  })
  personnummer?: string | null;

  @Field(() => ID, { nullable: true, description: 'Which staff member read it.' })
  actorId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page.' })
  after?: string | null;
}

@Resolver(() => AccessLogEntry)
export class AccessLogResolver {
  @Authorized(Role.ADMIN)
  @Query(() => AccessLogEntryConnection, {
    description:
      'Loggkontroll (administrators): staff reads of person data, newest first, by person and/or by staff member.',
  })
  async accessLog(@Args() args: AccessLogArgs, @Ctx() ctx: Context) {
    return toConnection(await new AdminService(ctx.em, staffOf(ctx)).accessLog(args));
  }

  @FieldResolver(() => Staff, { description: 'The staff member who read the data.' })
  async actor(@Root() entry: AccessLogEntry, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(entry.actor.id);
  }

  @FieldResolver(() => ID, { description: 'The person whose data was read.' })
  personId(@Root() entry: AccessLogEntry): string {
    return entry.person.id;
  }
}
