import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { CaseService } from '../domain/case.service';
import { ongoingAssignment, usableRelation } from '../domain/rules';
import { messagesSentAsRelation } from '../stores/case.store';
import { Message } from '../entities/message';
import { todayInSweden } from '../domain/time';
import { LocalDate } from '../entities/base';
import { Assignment, Case, CaseStatus, Intervention } from '../entities/case';
import { Person } from '../entities/person';
import { Relation, RelationMessagingRights, RelationType } from '../entities/relation';
import { Staff } from '../entities/staff';
import { Unit } from '../entities/unit';
import { ActivateRelationInput } from './person.resolver';
import { caseEdge, personEdge } from './guards';
import { staffOf } from './viewer';

@InputType({ description: 'A person to register as related to the case holder.' })
class RegisterRelationInput {
  @Field({ description: "The related person's personnummer (any common format; the check digit is verified)." })
  personnummer!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Given name; needed only when the person is new to the social services.',
  })
  givenName?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Family name; needed only when the person is new to the social services.',
  })
  familyName?: string | null;

  @Field(() => [RelationType], {
    description: 'The kinds of relation; include APPROVED_FOR_MESSAGES for the e-service.',
  })
  types!: RelationType[];

  @Field(() => LocalDate, { description: 'First day the relation holds.' })
  validFrom!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Last day the relation holds; leave out for until further notice.',
  })
  validTo?: string | null;

  @Field(() => RelationMessagingRights, {
    nullable: true,
    description: 'For APPROVED_FOR_MESSAGES: READ_ONLY or READ_AND_WRITE (the default when left out).',
  })
  messagingRights?: RelationMessagingRights | null;
}

const service = (ctx: Context) => new CaseService(ctx.em, staffOf(ctx), ctx.requestId);

@Resolver(() => Case)
export class CaseResolver {
  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => Case, {
    description:
      "One case you may see (your own, your unit's, or one you hold an assignment in). NOT_FOUND otherwise. Recorded in the access log.",
  })
  async case(@Arg('id', () => ID, { description: "The case's id." }) id: string, @Ctx() ctx: Context) {
    return service(ctx).get(id);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Relation, {
    description:
      'Register a person on an ongoing case as related to its holder (seed: "Lägg till relation"). Creates the person when new.',
  })
  async registerRelation(
    @Arg('caseId', () => ID, { description: 'The case.' }) caseId: string,
    @Arg('input', () => RegisterRelationInput, { description: 'Who, how and when.' }) input: RegisterRelationInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).registerRelation(caseId, input);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Relation, {
    description:
      'Activate the e-service for a relation: only when it is APPROVED_FOR_MESSAGES ' +
      '(RELATION_NOT_APPROVED_FOR_MESSAGES) and today is within its dates (RELATION_OUTSIDE_VALIDITY). ' +
      'Takes effect at once.',
  })
  async activateRelation(
    @Arg('relationId', () => ID, { description: 'The relation.' }) relationId: string,
    @Arg('input', () => ActivateRelationInput, { description: 'Notification choices and contact details.' })
    input: ActivateRelationInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).activateRelation(relationId, input);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Relation, {
    description:
      "Give a relation read-only or read-and-write rights to the case's messages (caseworkers with the " +
      "case in their caseload, ongoing case). Takes effect at once: a read-only relation's sendMessage and " +
      'replyToMessage are refused with RELATION_READ_ONLY.',
  })
  async setRelationMessagingRights(
    @Arg('relationId', () => ID, { description: 'The relation.' }) relationId: string,
    @Arg('messagingRights', () => RelationMessagingRights, { description: 'The new rights.' })
    messagingRights: RelationMessagingRights,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).setRelationMessagingRights(relationId, messagingRights);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Case, {
    description:
      'Close a case (avslut) as of closedOn, its last day (today or earlier; BAD_USER_INPUT for a later ' +
      'day). At once: no new messages or journal entries in it, its executors lose the access their ' +
      'assignments gave (running assignments and interventions end on closedOn), and its relations lose ' +
      'its conversations and notices. Caseworkers with the case in their caseload (FORBIDDEN otherwise). ' +
      'Refusals: CASE_ALREADY_CLOSED, END_DATE_BEFORE_START (before the opening date).',
  })
  async closeCase(
    @Arg('caseId', () => ID, { description: 'The case.' }) caseId: string,
    @Arg('closedOn', () => LocalDate, { description: "The case's last day, YYYY-MM-DD." }) closedOn: string,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).closeCase(caseId, closedOn);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Assignment, {
    description:
      'End an assignment: endDate is its last day; after it the executor no longer sees the person or the ' +
      'case through it, writes to them or journals in it (give yesterday to end it at once). Caseworkers ' +
      'with the case in their caseload, ongoing case (CASE_CLOSED otherwise: closing ended its ' +
      'assignments). Refusals: ASSIGNMENT_ALREADY_ENDED (its end date has passed), END_DATE_BEFORE_START.',
  })
  async endAssignment(
    @Arg('assignmentId', () => ID, { description: 'The assignment.' }) assignmentId: string,
    @Arg('endDate', () => LocalDate, { description: "The assignment's last day, YYYY-MM-DD." }) endDate: string,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).endAssignment(assignmentId, endDate);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Relation, { description: 'Stop the relation from using the e-service for this case.' })
  async deactivateRelation(
    @Arg('relationId', () => ID, { description: 'The relation.' }) relationId: string,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).deactivateRelation(relationId);
  }

  @FieldResolver(() => Person, { description: 'The case holder (aktbärare).' })
  async holder(@Root() c: Case, @Ctx() ctx: Context) {
    return personEdge(ctx, c.holder.id);
  }

  @FieldResolver(() => Unit, { description: 'The unit the case belongs to.' })
  async unit(@Root() c: Case, @Ctx() ctx: Context) {
    return ctx.loaders.unit.load(c.unit.id);
  }

  @FieldResolver(() => Staff, { description: 'The responsible caseworker.' })
  async caseworker(@Root() c: Case, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(c.caseworker.id);
  }

  @FieldResolver(() => Staff, {
    nullable: true,
    description: 'Who closed the case; null while it is open (or when closed before this was recorded).',
  })
  async closedBy(@Root() c: Case, @Ctx() ctx: Context) {
    return c.closedBy ? ctx.loaders.staff.load(c.closedBy.id) : null;
  }

  @FieldResolver(() => [Intervention], { description: 'Interventions (insatser) granted in the case, oldest first.' })
  async interventions(@Root() c: Case, @Ctx() ctx: Context) {
    return ctx.loaders.interventionsByCase.load(c.id);
  }

  @FieldResolver(() => [Assignment], { description: 'Assignments (uppdrag) given to executors in the case.' })
  async assignments(@Root() c: Case, @Ctx() ctx: Context) {
    return ctx.loaders.assignmentsByCase.load(c.id);
  }

  @FieldResolver(() => [Relation], {
    description:
      "Persons registered as relations on the case whom you may see (the caseload's caseworkers; an " +
      'executor sees the case holder only). Each related person shown is recorded in the access log.',
  })
  async relations(@Root() c: Case, @Ctx() ctx: Context) {
    return ctx.loaders.batch('relationsOfCase', c.id, (ids: readonly string[]) => service(ctx).relationsOfCases(ids));
  }
}

@Resolver(() => Relation)
export class RelationResolver {
  @FieldResolver(() => Person, { description: 'The related person.' })
  async person(@Root() r: Relation, @Ctx() ctx: Context) {
    return personEdge(ctx, r.person.id);
  }

  @FieldResolver(() => Case, { description: 'The case the relation is registered on.' })
  async case(@Root() r: Relation, @Ctx() ctx: Context) {
    return caseEdge(ctx, r.case.id);
  }

  @FieldResolver(() => Boolean, {
    description:
      'True when activated for the e-service and usable today (approved for messages, inside its dates, on an open case: closing the case ends it).',
  })
  async messagingActive(@Root() r: Relation, @Ctx() ctx: Context): Promise<boolean> {
    if (!usableRelation.holds(r, todayInSweden())) return false;
    const c = await ctx.loaders.case.load(r.case.id);
    return c?.status === CaseStatus.OPEN;
  }
}

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Authorized(Role.EXECUTOR)
  @Query(() => [Assignment], {
    description:
      'Your assignments (executors), oldest start first: the ongoing ones, and with includeEnded also ' +
      'those that have ended (end date passed, or case closed). An ended assignment gives no access: only ' +
      'its own fields (description, dates, ongoing: false) answer; its case, person and documents do not ' +
      '(accessibleCase and intervention are null, documents empty, case NOT_FOUND), so list ended ones ' +
      'through accessibleCase, not case. The persons of ongoing assignments are recorded in the access log.',
  })
  async myAssignments(
    @Arg('includeEnded', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description:
        'Also list your ended assignments (Uppdrag IFO: "Visa avslutade uppdrag"), with their own fields ' +
        'only. False or left out (the default): ongoing ones only.',
    })
    includeEnded: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).myAssignments(includeEnded === true);
  }

  @FieldResolver(() => Staff, { description: 'The executor (utförare) who carries out the assignment.' })
  async executor(@Root() a: Assignment, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(a.executor.id);
  }

  @FieldResolver(() => Intervention, {
    nullable: true,
    description:
      'The intervention the assignment carries out, if any, while you may open its case; null otherwise ' +
      '(e.g. for your ended assignments: it is part of the case).',
  })
  async intervention(@Root() a: Assignment, @Ctx() ctx: Context) {
    if (!a.intervention) return null;
    if (!(await ctx.loaders.case.load(a.case.id))) return null;
    return ctx.loaders.intervention.load(a.intervention.id);
  }

  @FieldResolver(() => Case, {
    description:
      'The case the assignment belongs to; NOT_FOUND when you may not open it (as case(id) answers), e.g. ' +
      'for your ended assignments: list those through accessibleCase.',
  })
  async case(@Root() a: Assignment, @Ctx() ctx: Context) {
    return caseEdge(ctx, a.case.id);
  }

  @FieldResolver(() => Case, {
    nullable: true,
    description:
      'The case the assignment belongs to while you may open it (as case(id) answers); null otherwise, ' +
      'e.g. for an ended assignment listed by myAssignments(includeEnded: true). The same case as `case`, ' +
      'without the NOT_FOUND error.',
  })
  async accessibleCase(@Root() a: Assignment, @Ctx() ctx: Context): Promise<Case | null> {
    return (await ctx.loaders.case.load(a.case.id)) ?? null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'True while the assignment runs: from its start date through its end date, in an open case. After that the executor has no access through it.',
  })
  async ongoing(@Root() a: Assignment, @Ctx() ctx: Context): Promise<boolean> {
    const c = await ctx.loaders.case.load(a.case.id);
    return !!c && ongoingAssignment.holds({ startDate: a.startDate, endDate: a.endDate, case: c }, todayInSweden());
  }
}

/**
 * Which relation wrote a message (M4): a citizen writes either
 * as the case holder or as a relation of the holder on the case the
 * conversation is about. The holder's and a relation's conversations are
 * separate (one conversation per citizen), so staff see it here.
 */
@Resolver(() => Message)
export class MessageSenderRelationResolver {
  @FieldResolver(() => Boolean, {
    description:
      'True when a citizen wrote it as a relation of the case holder (on the case the conversation is ' +
      'about), not as the holder. Shown to everyone who may read the message.',
  })
  async sentAsRelation(@Root() m: Message, @Ctx() ctx: Context): Promise<boolean> {
    if (!m.senderPerson) return false;
    return ctx.loaders.batch('sentAsRelation', m.id, async (ids: readonly string[]) => {
      const found = await messagesSentAsRelation(ctx.em, { messageIds: ids });
      return ids.map((id) => found.has(id));
    });
  }

  @FieldResolver(() => Relation, {
    nullable: true,
    description:
      'For a message a relation wrote (sentAsRelation): the relation it wrote as, with its types and ' +
      "messaging rights. Only for staff who may see the case's relations (its caseload's caseworkers); " +
      'null for others and for messages not written by a relation. Recorded in the access log like ' +
      'Case.relations.',
  })
  async senderRelation(@Root() m: Message, @Ctx() ctx: Context): Promise<Relation | null> {
    if (!m.senderPerson || ctx.viewer?.kind !== 'staff') return null;
    return ctx.loaders.batch('senderRelation', m.id, (ids: readonly string[]) =>
      service(ctx).senderRelationsOfMessages(ids),
    );
  }
}
