import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Assignment, Case, CaseStatus, Intervention } from '../entities/case';
import { Conversation } from '../entities/conversation';
import { JournalDocumentType, JournalEntry, JournalSenderKind } from '../entities/journal-entry';
import { Message, MessageEvent, MessageEventKind } from '../entities/message';
import { Person } from '../entities/person';
import { Relation } from '../entities/relation';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import { caseloadFilter, readableJournalEntries, visibleCase } from './access-policy';
import { ongoingAssignment } from './rules';
import { join, sql, uuid, type Sql } from './sql';
import { query } from '../stores/query';
import { logPersonAccess } from './access-log.service';
import { isId } from './ids';
import { openMessage } from './message-access';
import { decodeCursor, pageSize, toPage, type Page } from './pagination';
import { multiLineText, singleLineText } from './text';
import { todayInSweden } from './time';

/**
 * Journaling (journalföra): filing a message, an attachment or a note into a
 * case holder's file.
 *
 * J1 Only staff who take part in the message's conversation (personally or
 *    through a shared mailbox) may journal it; anyone else gets NOT_FOUND.
 * J2 The file is the conversation citizen's own, as case holder: only their
 *    open cases (and those cases' interventions) in the caseworker's caseload
 *    are selectable.
 * J3 When the citizen is only a relation of the case holder, journaling is
 *    refused (JOURNALING_FORBIDDEN_FOR_RELATION): the caseworker copies the
 *    text into a journal note by hand (writeJournalNote).
 * J4 Executors journal into the documentation of their own ongoing assignment
 *    for the person, and only there.
 * J5 Entries are immutable; a correction is a new entry that points at the
 *    entry it corrects, which may be corrected once.
 * J6 Each journaling of a message or attachment adds a JOURNALED event to the
 *    message's history, and is recorded in the access log; reading the
 *    journal is recorded too.
 */
export type JournalTargetKind = 'CASE' | 'INTERVENTION' | 'ASSIGNMENT';

export interface JournalTarget {
  kind: JournalTargetKind;
  case: Case;
  intervention: Intervention | null;
  assignment: Assignment | null;
  label: string;
}

export interface JournalTargetInput {
  caseId: string;
  interventionId?: string | null;
  assignmentId?: string | null;
}

export interface JournalInput {
  target: JournalTargetInput;
  documentType: JournalDocumentType;
  senderKind: JournalSenderKind;
  heading: string;
  senderDesignation?: string | null;
  /** Defaults to the day the message was sent (Swedish calendar). */
  date?: string | null;
  /** The entry this one corrects. */
  correctsId?: string | null;
}

export interface JournalNoteInput extends Omit<JournalInput, 'documentType' | 'senderKind'> {
  text: string;
  documentType?: JournalDocumentType | null;
  senderKind?: JournalSenderKind | null;
}

const MAX_HEADING_CHARS = 200;
const MAX_NOTE_CHARS = 20_000;

const caseLabel = (c: Case) => `Ärende ${c.title} ${c.openedOn}`;
const assignmentLabel = (a: Assignment) => `Uppdrag ${a.description} ${a.startDate}`;

function cleanLine(value: string | null | undefined, field: string, what: string, required: boolean): string | null {
  const v = singleLineText(value);
  if (!v) {
    if (required) throw badInput(field, `Write a ${what}.`);
    return null;
  }
  if (v.length > MAX_HEADING_CHARS) throw badInput(field, `Keep the ${what} under ${MAX_HEADING_CHARS} characters.`);
  return v;
}

function checkDate(date: string, field = 'date'): string {
  if (date > todayInSweden())
    throw badInput(field, 'The date cannot be in the future. Give the day the document came in or was sent.');
  return date;
}

const relationRefusal = (citizen: Person) =>
  new AppError(
    ErrorCode.JOURNALING_FORBIDDEN_FOR_RELATION,
    `${citizen.name} is a relation of the case holder, not the case holder: a relation's message or PDF cannot be journaled into the case holder's file through this function. Copy the text and write a journal note in the case by hand instead (writeJournalNote).`,
  );

export class JournalService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
  ) {}

  // --- targets ----------------------------------------------------------------------------

  /** J2–J4: where this message may be journaled. Refuses with the relation rule (J3). */
  async targetsForMessage(messageId: string): Promise<JournalTarget[]> {
    return this.em.transactional(async (em) => {
      const { citizen, targets } = await this.messageContext(em, await this.openMessage(em, messageId));
      await logPersonAccess(em, this.viewer, this.requestId, [citizen.id], AccessAction.JOURNAL_READ);
      return targets;
    });
  }

  /** Open cases (with their interventions that have not ended) of the holder in the caseworker's caseload; an executor's ongoing assignments for them. */
  private async targetsForHolder(em: EntityManager, holderId: string): Promise<JournalTarget[]> {
    const me = this.viewer.staff;
    const today = todayInSweden();
    if (this.viewer.role === StaffRole.EXECUTOR) {
      const assignments = await em.find(
        Assignment,
        {
          executor: me.id,
          case: { holder: holderId, status: CaseStatus.OPEN },
          ...ongoingAssignment.filter(today),
        },
        { populate: ['case'], orderBy: { startDate: 'asc', id: 'asc' } },
      );
      return assignments.map((a) => ({
        kind: 'ASSIGNMENT',
        case: a.case,
        intervention: null,
        assignment: a,
        label: assignmentLabel(a),
      }));
    }
    if (this.viewer.role !== StaffRole.CASEWORKER) return [];
    const cases = await em.find(
      Case,
      { holder: holderId, status: CaseStatus.OPEN, ...caseloadFilter(this.viewer) },
      { orderBy: { openedOn: 'desc', id: 'asc' } },
    );
    // An intervention that has ended takes no new entries; one decided to start later does (its documents come first).
    const interventions = cases.length
      ? await em.find(
          Intervention,
          { case: { $in: cases.map((c) => c.id) }, $or: [{ endDate: null }, { endDate: { $gte: today } }] },
          { orderBy: { startDate: 'asc', id: 'asc' } },
        )
      : [];
    return cases.flatMap((c): JournalTarget[] => [
      { kind: 'CASE', case: c, intervention: null, assignment: null, label: caseLabel(c) },
      ...interventions
        .filter((i) => i.case.id === c.id)
        .map((i): JournalTarget => ({
          kind: 'INTERVENTION',
          case: c,
          intervention: i,
          assignment: null,
          label: i.label,
        })),
    ]);
  }

  /** The chosen target, if it is one of the selectable ones (J2, J4). */
  private pickTarget(targets: JournalTarget[], input: JournalTargetInput): JournalTarget {
    const { caseId, interventionId, assignmentId } = input;
    if (interventionId && assignmentId) throw badInput('target', 'Choose an intervention or an assignment, not both.');
    const target = targets.find(
      (t) =>
        t.case.id === caseId &&
        (assignmentId
          ? t.assignment?.id === assignmentId
          : interventionId
            ? t.intervention?.id === interventionId
            : t.kind === 'CASE'),
    );
    if (target) return target;
    if (this.viewer.role === StaffRole.EXECUTOR && !assignmentId) {
      throw new AppError(
        ErrorCode.JOURNAL_TARGET_NOT_ALLOWED,
        'Executors journal into the documentation of their assignment: choose your assignment (assignmentId) from journalTargets.',
        { field: 'target' },
      );
    }
    throw new AppError(
      ErrorCode.JOURNAL_TARGET_NOT_ALLOWED,
      "You cannot journal there: choose one of the person's open cases or ongoing interventions in your caseload (or, as an executor, your ongoing assignment), as listed by journalTargets. A closed case or an ended intervention takes no new entries.",
      { field: 'target' },
    );
  }

  // --- journaling ---------------------------------------------------------------------------

  /** Journal a sent or received message (seed: "Journalför"). */
  async journalMessage(messageId: string, input: JournalInput): Promise<JournalEntry> {
    return this.em.transactional(async (em) => {
      const message = await this.openMessage(em, messageId);
      return this.journal(em, message, null, input);
    });
  }

  /** Journal one attachment of a message: its PDF becomes a document in the file (seed: "Infoga filer"). */
  async journalAttachment(attachmentId: string, input: JournalInput): Promise<JournalEntry> {
    return this.em.transactional(async (em) => {
      if (!isId(attachmentId)) throw notFound('attachment');
      const attachment = await em.findOne(Attachment, { id: attachmentId });
      if (!attachment?.message) throw notFound('attachment');
      let message: Message;
      try {
        message = await this.openMessage(em, attachment.message.id);
      } catch (err) {
        if (err instanceof AppError && err.extensions.code === ErrorCode.NOT_FOUND) throw notFound('attachment');
        throw err;
      }
      return this.journal(em, message, attachment, input);
    });
  }

  /** A note written by hand (journalanteckning), e.g. the copied text of a relation's message (J3). */
  async writeNote(input: JournalNoteInput): Promise<JournalEntry> {
    const heading = cleanLine(input.heading, 'heading', 'heading', true)!;
    const designation = cleanLine(input.senderDesignation, 'senderDesignation', 'sender designation', false);
    const text = multiLineText(input.text).trim();
    if (!text) throw badInput('text', 'Write the note: the text is empty.');
    if (text.length > MAX_NOTE_CHARS)
      throw badInput('text', `Keep the note under ${MAX_NOTE_CHARS} characters, or split it into several notes.`);
    const date = checkDate(input.date ?? todayInSweden());
    return this.em.transactional(async (em) => {
      const c = await this.visibleCase(em, input.target.caseId);
      if (!c) throw notFound('case');
      const target = this.pickTarget(await this.targetsForHolder(em, c.holder.id), input.target);
      const corrects = await this.loadCorrected(em, input.correctsId, c.holder.id, null, null);
      const entry = em.create(JournalEntry, {
        person: c.holder,
        case: target.case,
        intervention: target.intervention,
        assignment: target.assignment,
        targetLabel: target.label,
        documentType: input.documentType ?? JournalDocumentType.NOTE,
        senderKind: input.senderKind ?? JournalSenderKind.STAFF,
        heading,
        senderDesignation: designation,
        date,
        text,
        author: this.viewer.staff,
        corrects,
      });
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.JOURNAL_WRITE);
      return entry;
    });
  }

  private async journal(
    em: EntityManager,
    message: Message,
    attachment: Attachment | null,
    input: JournalInput,
  ): Promise<JournalEntry> {
    const heading = cleanLine(input.heading, 'heading', 'heading', true)!;
    const designation = cleanLine(input.senderDesignation, 'senderDesignation', 'sender designation', false);
    const date = checkDate(input.date ?? todayInSweden(message.createdAt));
    // Serialises journaling of one message, so a double click cannot file it twice.
    await em
      .getConnection()
      .execute('select 1 from message where id = ? for update', [message.id], 'all', em.getTransactionContext());
    const { citizen, targets } = await this.messageContext(em, message);
    const target = this.pickTarget(targets, input.target);
    const corrects = await this.loadCorrected(em, input.correctsId, citizen.id, message, attachment);
    if (!corrects) {
      const previous = await em.findOne(
        JournalEntry,
        {
          message: message.id,
          attachment: attachment?.id ?? null,
          case: target.case.id,
          intervention: target.intervention?.id ?? null,
          assignment: target.assignment?.id ?? null,
        },
        { populate: ['author'] },
      );
      if (previous) {
        throw new AppError(
          ErrorCode.ALREADY_JOURNALED,
          `This ${attachment ? 'attachment' : 'message'} is already journaled in "${previous.targetLabel}" (by ${previous.author.name}, ${todayInSweden(previous.createdAt)}). To change that entry, journal a correction that points at it (correctsId).`,
          { journalEntryId: previous.id },
        );
      }
    }
    const entry = em.create(JournalEntry, {
      person: citizen,
      case: target.case,
      intervention: target.intervention,
      assignment: target.assignment,
      targetLabel: target.label,
      documentType: input.documentType,
      senderKind: input.senderKind,
      heading,
      senderDesignation: designation,
      date,
      text: message.bodyText,
      message,
      attachment,
      author: this.viewer.staff,
      corrects,
    });
    em.create(MessageEvent, {
      message,
      kind: MessageEventKind.JOURNALED,
      actorName: this.viewer.staff.name,
      detail: attachment ? `${attachment.filename}: ${target.label}` : target.label,
    });
    await em.flush();
    await logPersonAccess(em, this.viewer, this.requestId, [citizen.id], AccessAction.JOURNAL_WRITE);
    return entry;
  }

  /** J2/J3: the conversation's citizen as case holder, and where their file may take this message. */
  private async messageContext(
    em: EntityManager,
    message: Message,
  ): Promise<{ citizen: Person; targets: JournalTarget[] }> {
    const conversation = await em.findOneOrFail(Conversation, message.conversation.id, {
      populate: ['citizen', 'case'],
    });
    const citizen = conversation.citizen;
    if (!citizen) {
      throw new AppError(
        ErrorCode.NO_CASE_FILE,
        "This conversation is between staff only: there is no person's file to journal it into. Write a journal note in the person's case instead.",
      );
    }
    if (conversation.case && conversation.case.holder.id !== citizen.id) throw relationRefusal(citizen);
    const targets = await this.targetsForHolder(em, citizen.id);
    if (targets.length === 0) {
      const asRelation = await em.count(Relation, { person: citizen.id, case: caseloadFilter(this.viewer) });
      if (asRelation) throw relationRefusal(citizen);
    }
    return { citizen, targets };
  }

  /** J5: the entry to correct must be in the same file, about the same message or attachment, and not yet corrected. */
  private async loadCorrected(
    em: EntityManager,
    correctsId: string | null | undefined,
    holderId: string,
    message: Message | null,
    attachment: Attachment | null,
  ): Promise<JournalEntry | null> {
    if (correctsId == null) return null;
    if (!isId(correctsId)) throw notFound('journal entry');
    // Row lock (fires no trigger): two corrections of one entry cannot both pass the check below.
    await em
      .getConnection()
      .execute('select 1 from journal_entry where id = ? for update', [correctsId], 'all', em.getTransactionContext());
    const [row] = await query(
      em,
      sql`select j.* from journal_entry j where j.id = ${uuid(correctsId)} and j.person_id = ${uuid(holderId)} and ${readableJournalEntries(this.viewer)}`,
    );
    const entry = row ? em.map(JournalEntry, row) : null;
    if (!entry) throw notFound('journal entry');
    if (
      (entry.message?.id ?? null) !== (message?.id ?? null) ||
      (entry.attachment?.id ?? null) !== (attachment?.id ?? null)
    ) {
      throw badInput(
        'correctsId',
        message
          ? 'A correction must be about the same message or attachment as the entry it corrects.'
          : 'A note corrects a note: journal a correction of a message entry from the message itself.',
      );
    }
    const later = await em.findOne(JournalEntry, { corrects: entry.id }, { fields: ['id'] as never });
    if (later) {
      throw new AppError(
        ErrorCode.JOURNAL_ENTRY_ALREADY_CORRECTED,
        'That entry has already been corrected. Correct the latest correction instead.',
        { journalEntryId: later.id },
      );
    }
    return entry;
  }

  // --- reading ----------------------------------------------------------------------------

  /**
   * The journal of a case, newest first: everything for caseworkers of the
   * case; for an executor, the entries of their own assignments. Recorded in
   * the access log.
   */
  async caseJournal(
    caseId: string,
    args: { interventionId?: string | null; first?: number | null; after?: string | null },
  ): Promise<Page<JournalEntry>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, 2) as [string, string] | undefined;
    return this.em.transactional(async (em) => {
      const c = await this.visibleCase(em, caseId);
      if (!c || this.viewer.role === StaffRole.ADMIN) throw notFound('case');
      const where: Sql[] = [sql`j.case_id = ${uuid(c.id)}`, readableJournalEntries(this.viewer)];
      if (args.interventionId) {
        if (!isId(args.interventionId)) throw notFound('intervention');
        where.push(sql`j.intervention_id = ${uuid(args.interventionId)}`);
      }
      if (after) where.push(sql`(j.created_at, j.id) < (${after[0]}::timestamptz, ${uuid(after[1])})`);
      const rows = (
        await query(
          em,
          sql`select j.* from journal_entry j where ${join(where, 'and')} order by j.created_at desc, j.id desc limit ${size + 1}`,
        )
      ).map((row) => em.map(JournalEntry, row));
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.JOURNAL_READ);
      return toPage(rows, size, (j) => [j.createdAt.toISOString(), j.id]);
    });
  }

  private visibleCase(em: EntityManager, caseId: string): Promise<Case | null> {
    return visibleCase(em, this.viewer, caseId);
  }

  /** J1: a message in a conversation the staff member takes part in, else NOT_FOUND. */
  private openMessage(em: EntityManager, messageId: string): Promise<Message> {
    if (this.viewer.role === StaffRole.ADMIN) throw forbidden('Only caseworkers and executors journal messages.');
    return openMessage(em, this.viewer, messageId);
  }
}
