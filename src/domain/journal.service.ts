import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Case } from '../entities/case';
import { Conversation } from '../entities/conversation';
import { JournalDocumentType, JournalEntry, JournalSenderKind } from '../entities/journal-entry';
import { Message, MessageEvent, MessageEventKind } from '../entities/message';
import { Person } from '../entities/person';
import { Relation } from '../entities/relation';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import { caseloadFilter, readableJournalEntries, staffVisibleCases, visibleCase } from './access-policy';
import {
  caseJournalPage,
  findReadableEntry,
  lockEntryForCorrection,
  lockMessageForJournaling,
} from '../stores/journal.store';
import { pickTarget, targetsForHolder, type JournalTarget, type JournalTargetInput } from './journal-target';
import { logPersonAccess } from './access-log.service';
import { isId } from './ids';
import { openMessage } from './message-access';
import { decodeTimeCursor, pageSize, toPage, type Page } from './pagination';
import { multiLineText, singleLineText } from './text';
import { todayInSweden } from './time';

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
    `${citizen.name} is a relation of the case holder, not the case holder: a relation's message or PDF cannot be journaled ` +
      "into the case holder's file through this function. Copy the text and write a journal note in the case by hand instead " +
      '(writeJournalNote).',
  );

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
      const target = pickTarget(this.viewer, {
        targets: await targetsForHolder(em, { viewer: this.viewer, holderId: c.holder.id }),
        input: input.target,
      });
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
    await lockMessageForJournaling(em, { messageId: message.id });
    const { citizen, targets } = await this.messageContext(em, message);
    const target = pickTarget(this.viewer, { targets, input: input.target });
    const corrects = await this.loadCorrected(em, input.correctsId, citizen.id, message, attachment);
    if (!corrects) await this.refuseTwice(em, message, attachment, target);
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

  /** The same message or attachment is journaled once per target; a change is a correction of that entry (J5). */
  private async refuseTwice(
    em: EntityManager,
    message: Message,
    attachment: Attachment | null,
    target: JournalTarget,
  ): Promise<void> {
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
        `This ${attachment ? 'attachment' : 'message'} is already journaled in "${previous.targetLabel}" ` +
          `(by ${previous.author.name}, ${todayInSweden(previous.createdAt)}). ` +
          'To change that entry, journal a correction that points at it (correctsId).',
        { journalEntryId: previous.id },
      );
    }
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
    const targets = await targetsForHolder(em, { viewer: this.viewer, holderId: citizen.id });
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
    await lockEntryForCorrection(em, { entryId: correctsId });
    const entry = await findReadableEntry(em, {
      entryId: correctsId,
      personId: holderId,
      readable: readableJournalEntries(this.viewer),
    });
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
    const later = await em.findOne(JournalEntry, { corrects: entry.id }, { fields: ['id'] as const });
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
    const after = decodeTimeCursor(args.after);
    if (this.viewer.role === StaffRole.ADMIN || !isId(caseId)) throw notFound('case');
    if (args.interventionId && !isId(args.interventionId)) {
      // Which one was not found: the case when the caller may not open it, else the intervention.
      throw notFound((await this.visibleCase(this.em, caseId)) ? 'intervention' : 'case');
    }
    // One statement, so no transaction: the case's visibility, the page, and the access log of the holder.
    const rows = await caseJournalPage(this.em, {
      caseId,
      visibleCases: staffVisibleCases(this.viewer),
      readable: readableJournalEntries(this.viewer),
      interventionId: args.interventionId,
      after,
      limit: size + 1,
      log: {
        actorId: this.viewer.staff.id,
        role: this.viewer.role,
        action: AccessAction.JOURNAL_READ,
        requestId: this.requestId,
      },
    });
    if (!rows) throw notFound('case');
    return toPage(rows, size, (j) => [j.createdAt.toISOString(), j.id]);
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
