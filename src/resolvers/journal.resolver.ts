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
  registerEnumType,
} from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { JournalService } from '../domain/journal.service';
import type { JournalTarget as JournalTargetValue } from '../domain/journal-target';
import { Attachment } from '../entities/attachment';
import { LocalDate } from '../entities/base';
import { Assignment, Case, Intervention } from '../entities/case';
import { JournalDocumentType, JournalEntry, JournalSenderKind } from '../entities/journal-entry';
import { Message } from '../entities/message';
import { Person } from '../entities/person';
import { Staff } from '../entities/staff';
import { Connection, toConnection } from './types/connection';
import { caseEdge, personEdge } from './guards';
import { staffOf } from './viewer';

export enum JournalTargetKind {
  CASE = 'CASE',
  INTERVENTION = 'INTERVENTION',
  ASSIGNMENT = 'ASSIGNMENT',
}
registerEnumType(JournalTargetKind, {
  name: 'JournalTargetKind',
  description: 'Where in the file an entry goes.',
  valuesConfig: {
    CASE: { description: 'The case (ärende) itself.' },
    INTERVENTION: { description: 'An intervention (insats) of the case.' },
    ASSIGNMENT: { description: "The documentation of an executor's assignment (uppdrag)." },
  },
});

@ObjectType({
  description:
    'A place in the case holder\'s file an entry can be journaled into (the seed\'s "Välj var meddelandet ska journalföras").',
})
class JournalTarget {
  @Field(() => JournalTargetKind, { description: 'Case, intervention or assignment.' })
  kind!: JournalTargetKind;

  @Field(() => ID, { description: 'The open case.' })
  caseId!: string;

  @Field(() => ID, { nullable: true, description: 'The intervention, for kind INTERVENTION.' })
  interventionId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The assignment, for kind ASSIGNMENT.' })
  assignmentId!: string | null;

  @Field({ description: 'What the user picks from, e.g. "Insats EK Ekonomiskt bistånd 2024-02-15".' })
  label!: string;
}

@InputType({
  description:
    'Where to journal: a case, or one of its interventions, or (executors) an assignment. Take it from journalTargets.',
})
class JournalTargetInput {
  @Field(() => ID, { description: 'The open case.' })
  caseId!: string;

  @Field(() => ID, { nullable: true, description: 'An intervention of the case (caseworkers).' })
  interventionId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Your assignment in the case (executors must give it).' })
  assignmentId?: string | null;
}

@InputType({
  description:
    "How to file a message or attachment (the seed's Knyt till, Typ, Avsändare, Rubrik, Benämning avsändare, Datum).",
})
class JournalInput {
  @Field(() => JournalTargetInput, { description: 'Where to journal (Knyt till).' })
  target!: JournalTargetInput;

  @Field(() => JournalDocumentType, { description: 'Type of document (Typ), e.g. INCOMING_DOCUMENT.' })
  documentType!: JournalDocumentType;

  @Field(() => JournalSenderKind, { description: 'Who it came from (Avsändare), e.g. INDIVIDUAL.' })
  senderKind!: JournalSenderKind;

  @Field({ description: 'Heading (Rubrik), at most 200 characters.' })
  heading!: string;

  @Field(() => String, { nullable: true, description: 'Sender designation (Benämning avsändare).' })
  senderDesignation?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: "The document's date (Datum); defaults to the day the message was sent. Not in the future.",
  })
  date?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Make this entry a correction of that earlier entry (same message or attachment); entries themselves never change.',
  })
  correctsId?: string | null;
}

@InputType({ description: 'A journal note written by hand (journalanteckning).' })
class JournalNoteInput {
  @Field(() => JournalTargetInput, { description: 'Where to journal.' })
  target!: JournalTargetInput;

  @Field({ description: 'Heading (Rubrik), at most 200 characters.' })
  heading!: string;

  @Field({ description: 'The note, plain text.' })
  text!: string;

  @Field(() => JournalDocumentType, { nullable: true, description: 'Type of document; default NOTE.' })
  documentType?: JournalDocumentType | null;

  @Field(() => JournalSenderKind, {
    nullable: true,
    description: "Who the content came from; default STAFF (use RELATION for a relation's copied message).",
  })
  senderKind?: JournalSenderKind | null;

  @Field(() => String, { nullable: true, description: 'Sender designation (Benämning avsändare).' })
  senderDesignation?: string | null;

  @Field(() => LocalDate, { nullable: true, description: "The note's date; default today. Not in the future." })
  date?: string | null;

  @Field(() => ID, { nullable: true, description: 'Make this note a correction of that earlier note.' })
  correctsId?: string | null;
}

@ArgsType()
class CaseJournalArgs {
  @Field(() => ID, { description: 'The case.' })
  caseId!: string;

  @Field(() => ID, { nullable: true, description: 'Only entries filed under this intervention.' })
  interventionId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page.' })
  after?: string | null;
}

const JournalEntryConnection = Connection(JournalEntry, 'journal entry');

const service = (ctx: Context) => new JournalService(ctx.em, staffOf(ctx), ctx.requestId);

const toTarget = (t: JournalTargetValue): JournalTarget => ({
  kind: JournalTargetKind[t.kind],
  caseId: t.case.id,
  interventionId: t.intervention?.id ?? null,
  assignmentId: t.assignment?.id ?? null,
  label: t.label,
});

@Resolver(() => JournalEntry)
export class JournalResolver {
  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => [JournalTarget], {
    description:
      "Where a message (or its attachments) can be journaled: the open cases of the conversation's citizen " +
      'as case holder in your caseload, with their interventions that have not ended, or, for an executor, ' +
      'their ongoing assignment. Refused with JOURNALING_FORBIDDEN_FOR_RELATION when the citizen is only a ' +
      'relation of the case holder, NO_CASE_FILE for a staff-only conversation.',
  })
  async journalTargets(
    @Arg('messageId', () => ID, { description: 'A message in a conversation you take part in.' }) messageId: string,
    @Ctx() ctx: Context,
  ) {
    return (await service(ctx).targetsForMessage(messageId)).map(toTarget);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => JournalEntryConnection, {
    description:
      'The journal of a case, newest first: all entries for its caseworkers, the entries of your own assignments for an executor. Recorded in the access log.',
  })
  async caseJournal(@Args() args: CaseJournalArgs, @Ctx() ctx: Context) {
    return toConnection(await service(ctx).caseJournal(args.caseId, args));
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => JournalEntry, {
    description:
      "Journal a sent or received message into the case holder's file (Journalför). Refusals: " +
      'JOURNALING_FORBIDDEN_FOR_RELATION, JOURNAL_TARGET_NOT_ALLOWED, NO_CASE_FILE, ALREADY_JOURNALED, ' +
      "JOURNAL_ENTRY_ALREADY_CORRECTED, NOT_FOUND. Adds JOURNALED to the message's history.",
  })
  async journalMessage(
    @Arg('messageId', () => ID, { description: 'The message.' }) messageId: string,
    @Arg('input', () => JournalInput, { description: 'Where and how to file it.' }) input: JournalInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).journalMessage(messageId, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => JournalEntry, {
    description:
      'Journal one attachment of a message: its PDF becomes a document in the file (Infoga filer). Same rules and refusals as journalMessage.',
  })
  async journalAttachment(
    @Arg('attachmentId', () => ID, { description: 'The attachment (of a sent message).' }) attachmentId: string,
    @Arg('input', () => JournalInput, { description: 'Where and how to file it.' }) input: JournalInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).journalAttachment(attachmentId, input);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Mutation(() => JournalEntry, {
    description:
      'Write a journal note by hand into an open case or an intervention that has not ended (caseworkers) ' +
      "or your assignment (executors), e.g. the copied text of a relation's message.",
  })
  async writeJournalNote(
    @Arg('input', () => JournalNoteInput, { description: 'The note.' }) input: JournalNoteInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).writeNote(input);
  }

  @FieldResolver(() => Person, { description: 'The case holder whose file the entry is in.' })
  async person(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return personEdge(ctx, j.person.id);
  }

  @FieldResolver(() => Case, { description: 'The case.' })
  async case(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return caseEdge(ctx, j.case.id);
  }

  @FieldResolver(() => Intervention, { nullable: true, description: 'The intervention, when filed under one.' })
  async intervention(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return j.intervention ? ctx.loaders.intervention.load(j.intervention.id) : null;
  }

  @FieldResolver(() => Assignment, {
    nullable: true,
    description: 'The assignment, when an executor filed it in their documentation.',
  })
  async assignment(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return j.assignment ? ctx.loaders.assignment.load(j.assignment.id) : null;
  }

  @FieldResolver(() => Staff, { description: 'Who journaled it.' })
  async author(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return ctx.loaders.staff.load(j.author.id);
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The journaled message (also for an attachment); empty for a note.',
  })
  messageId(@Root() j: JournalEntry): string | null {
    return j.message?.id ?? null;
  }

  @FieldResolver(() => Attachment, {
    nullable: true,
    description:
      'The journaled PDF, when an attachment was journaled. Its downloadUrl opens it for the staff who may ' +
      'read this entry, also when they are not in the conversation.',
  })
  async attachment(@Root() j: JournalEntry, @Ctx() ctx: Context) {
    return j.attachment ? ctx.loaders.attachment.load(j.attachment.id) : null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The entry this one corrects.' })
  correctsId(@Root() j: JournalEntry): string | null {
    return j.corrects?.id ?? null;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The entry that corrects this one, if any: then this entry is superseded.',
  })
  async correctedById(@Root() j: JournalEntry, @Ctx() ctx: Context): Promise<string | null> {
    const rows = await ctx.loaders.correctionsOfEntry.load(j.id);
    return rows[0]?.id ?? null;
  }
}

@Resolver(() => Message)
export class MessageJournalResolver {
  @FieldResolver(() => [JournalEntry], {
    nullable: true,
    description:
      'Where, when and by whom the message or its attachments were journaled: only the entries you may ' +
      'read in the case journal (staff; null for citizens, who see JOURNALED in history).',
  })
  async journalEntries(@Root() m: Message, @Ctx() ctx: Context): Promise<JournalEntry[] | null> {
    if (ctx.viewer?.kind !== 'staff') return null;
    return ctx.loaders.journalEntriesByMessage.load(m.id);
  }
}
