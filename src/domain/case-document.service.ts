import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Assignment, Case, CaseStatus, Intervention } from '../entities/case';
import { CaseDocument, CaseDocumentOrigin, CaseDocumentType } from '../entities/case-document';
import { CaseDocumentPdf, CaseDocumentTemplate } from '../entities/case-document-pdf';
import { JournalSenderKind } from '../entities/journal-entry';
import type { Message } from '../entities/message';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';
import { Unit } from '../entities/unit';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { renderCaseDocumentPdf } from '../pdf/case-document-pdf';
import type { BlobStore } from '../storage/blob-store';
import { logPersonAccess } from './access-log.service';
import { looksLikePdf, ownUnsentUploads, sanitizeFilename } from './attachment.service';
import { staffVisibleCases } from './access-policy';
import { isId, uuidFromName } from './ids';
import { textToHtml } from './html';
import { multiLineText, singleLineText } from './text';
import { MessageService } from './message.service';
import { EventBuffer, type EventSink } from './notices';
import { caseload, ongoingAssignment } from './rules';
import { raw, sql, uuid, uuidArray, type Sql } from './sql';
import { query } from '../stores/query';
import { todayInSweden } from './time';

/**
 * Case documents (dokumentation), their PDFs, and "send from the case".
 *
 * D1 A caseworker works on the documents of the cases in their caseload (own
 *    or their unit's). An executor works only on the documents linked to an
 *    assignment (uppdrag) of theirs that is ongoing today, in a case they may
 *    open ("Koppla till Uppdrag IFO"): when the assignment ends, so does their
 *    access to its documents. Whatever else is NOT_FOUND. New documents are
 *    written (or inserted) in ongoing cases only.
 * D2 A locked (write-protected) document cannot change (CASE_DOCUMENT_LOCKED);
 *    a trigger enforces it in the database too.
 * D3 PDFs are made explicitly from a locked document ("Skapa PDF": a print
 *    template and a name, CASE_DOCUMENT_NOT_LOCKED before), as many as
 *    needed, each kept unchanged (trigger). Every template prints the
 *    municipality and unit, date, reference and the recipient block; the
 *    address of a person with a protected identity or a confidentiality
 *    marking is never printed.
 * D4 A PDF of a locked document (the one chosen, else the newest;
 *    CASE_DOCUMENT_NO_PDF when there is none) goes to the case holder as the
 *    attachment of a new message, named by the PDF's name, in one
 *    transaction with every messaging rule of MessageService.send (an
 *    executor's M2 included) and idempotent on the key.
 * D5 "Infoga dokument": a PDF the caller uploaded (POST /uploads) becomes a
 *    locked document of the case (or assignment) with its type, heading,
 *    sender and date; its file is its one PDF. A retry with the same upload
 *    returns the same document; one upload makes one document (CONFLICT
 *    when it is already filed elsewhere).
 */
export interface CaseDocumentInput {
  title: string;
  type: CaseDocumentType;
  date?: string | null;
  text: string;
  assignmentId?: string | null;
}

export interface CaseDocumentPatch {
  title?: string | null;
  type?: CaseDocumentType | null;
  date?: string | null;
  text?: string | null;
}

export interface CreatePdfInput {
  template: CaseDocumentTemplate;
  name: string;
}

export interface InsertCaseDocumentInput {
  uploadId: string;
  type: CaseDocumentType;
  title?: string | null;
  senderKind: JournalSenderKind;
  senderDesignation?: string | null;
  date?: string | null;
  assignmentId?: string | null;
}

export interface SendCaseDocumentInput {
  idempotencyKey: string;
  pdfId?: string | null;
  subject?: string | null;
  body?: string | null;
  readReceiptRequested?: boolean | null;
  addSignature?: boolean | null;
}

const MAX_TITLE_CHARS = 200;
const MAX_NAME_CHARS = 120;
const MAX_DOCUMENT_CHARS = 50_000;

export const documentTypeLabel: Record<CaseDocumentType, string> = {
  [CaseDocumentType.DOCUMENT]: 'Dokument',
  [CaseDocumentType.LETTER]: 'Brev',
  [CaseDocumentType.DECISION]: 'Beslut',
  [CaseDocumentType.INVESTIGATION]: 'Utredning',
};

function cleanTitle(title: string, field = 'title'): string {
  const t = singleLineText(title);
  if (!t) throw badInput(field, 'Write a title (rubrik).');
  if (t.length > MAX_TITLE_CHARS) throw badInput(field, `Keep the title under ${MAX_TITLE_CHARS} characters.`);
  return t;
}

function cleanText(text: string): string {
  const t = multiLineText(text).trim();
  if (!t) throw badInput('text', 'Write the document: the text is empty.');
  if (t.length > MAX_DOCUMENT_CHARS)
    throw badInput('text', `Keep the document under ${MAX_DOCUMENT_CHARS} characters.`);
  return t;
}

function cleanPdfName(name: string): string {
  const t = singleLineText(name);
  if (!t) throw badInput('name', 'Give the PDF a name (benämning): it becomes the file name the recipient sees.');
  if (t.length > MAX_NAME_CHARS) throw badInput('name', `Keep the name under ${MAX_NAME_CHARS} characters.`);
  return t;
}

/** The file name of a PDF from its name (Benämning): a slash in a name is part of it (23/8), not a folder. */
export const pdfFilename = (name: string) => sanitizeFilename(name.replace(/[\\/]/g, '-'));

/** The attachment of one send: derived from sender, key, document and PDF, so a retry finds the same row. */
function sendAttachmentId(staffId: string, key: string, documentId: string, pdfId: string): string {
  return uuidFromName(`case-document-send:${staffId}:${key}:${documentId}:${pdfId}`);
}

/** A short, stable reference to a case that a reader can quote (the first part of its id). */
export const caseReference = (caseId: string) => `IFO-${caseId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** D1 as SQL: the assignments (alias) an executor works in today, ongoing and in a case they may open. */
function executorsOngoingAssignments(viewer: StaffViewer, today: string, alias = 'a'): Sql {
  const a = raw(alias);
  return sql`(${a}.executor_id = ${uuid(viewer.staff.id)} and ${ongoingAssignment.sql(today, alias)} and ${a}.case_id in (${staffVisibleCases(viewer, today)}))`;
}

/**
 * D1 as SQL: the case documents (alias) a staff member may read and work on.
 * The one place the rule is written; the queries, the edges and the PDF
 * download all use it.
 */
export function readableCaseDocuments(viewer: StaffViewer, alias = 'd', today = todayInSweden()): Sql {
  const d = raw(alias);
  if (viewer.role === StaffRole.CASEWORKER)
    return sql`${d}.case_id in (select c.id from case_file c where ${caseload.sql(viewer, 'c')})`;
  if (viewer.role === StaffRole.EXECUTOR) {
    return sql`${d}.assignment_id in (select a.id from assignment a where ${executorsOngoingAssignments(viewer, today, 'a')})`;
  }
  return sql`false`;
}

const ORDER = sql`order by d.date desc, d.created_at desc, d.id asc`;

export class CaseDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
    private readonly store: BlobStore,
    private readonly sink?: EventSink,
  ) {}

  /** Nytt dokument, in a case (and, for executors always, an assignment of it). */
  async create(caseId: string, input: CaseDocumentInput): Promise<CaseDocument> {
    const title = cleanTitle(input.title);
    const text = cleanText(input.text);
    const date = input.date ?? todayInSweden();
    return this.em.transactional(async (em) => {
      const { c, assignment } = await this.placeToWrite(em, caseId, input.assignmentId);
      const doc = em.create(CaseDocument, {
        case: c,
        assignment,
        title,
        type: input.type,
        date,
        text,
        author: this.viewer.staff,
      });
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.DOCUMENT_WRITE);
      return doc;
    });
  }

  async update(id: string, patch: CaseDocumentPatch): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, true);
      if (doc.lockedAt) throw locked();
      if (patch.title != null) doc.title = cleanTitle(patch.title);
      if (patch.text != null) doc.text = cleanText(patch.text);
      if (patch.type != null) doc.type = patch.type;
      if (patch.date != null) doc.date = patch.date;
      doc.updatedAt = new Date();
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_WRITE);
      return doc;
    });
  }

  /** Write-protects the document (D2). Locking a locked document changes nothing. PDFs are made separately (D3). */
  async lock(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, true);
      if (doc.lockedAt) return doc;
      const lockedAt = new Date();
      doc.lockedAt = lockedAt;
      doc.lockedBy = this.viewer.staff;
      doc.updatedAt = lockedAt;
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_WRITE);
      return doc;
    });
  }

  /** "Skapa PDF" (D3): renders the locked document with the template and keeps it under the name given. */
  async createPdf(id: string, input: CreatePdfInput): Promise<CaseDocumentPdf> {
    const name = cleanPdfName(input.name);
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      if (!doc.lockedAt) throw notLocked();
      if (doc.origin === CaseDocumentOrigin.INSERTED) throw insertedHasItsPdf();
      const createdAt = new Date();
      const bytes = await this.render(em, doc, input.template, createdAt);
      const pdf = em.create(CaseDocumentPdf, {
        createdAt,
        document: doc,
        template: input.template,
        name,
        filename: pdfFilename(name),
        storageKey: await this.store.put(em, bytes),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        createdBy: this.viewer.staff,
      });
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_WRITE);
      return pdf;
    });
  }

  /** "Infoga dokument" (D5): an uploaded PDF becomes a locked document of the case or assignment. */
  async insert(caseId: string, input: InsertCaseDocumentInput): Promise<CaseDocument> {
    if (!isId(input.uploadId)) throw uploadNotFound();
    const senderDesignation = singleLineText(input.senderDesignation) || null;
    if (senderDesignation && senderDesignation.length > MAX_TITLE_CHARS)
      throw badInput('senderDesignation', `Keep the sender's designation under ${MAX_TITLE_CHARS} characters.`);
    return this.em.transactional(async (em) => {
      const { c, assignment } = await this.placeToWrite(em, caseId, input.assignmentId);
      // One insert per upload at a time; a retry with the same upload answers the document it made.
      await query(em, sql`select 1 from attachment a where a.id = ${uuid(input.uploadId)} for update`);
      const earlier = await em.findOne(CaseDocument, { sourceUploadId: input.uploadId }, { populate: ['case'] });
      if (earlier) {
        if (
          earlier.author.id === this.viewer.staff.id &&
          earlier.case.id === c.id &&
          (earlier.assignment?.id ?? null) === (assignment?.id ?? null)
        )
          return earlier;
        throw new AppError(
          ErrorCode.CONFLICT,
          'This upload is already a document elsewhere in the documentation. To file the same file here too, upload it again and insert the new upload.',
          { field: 'uploadId' },
        );
      }
      const [upload] = await ownUnsentUploads(em, this.viewer, [input.uploadId]).catch(() => {
        throw uploadNotFound();
      });
      const bytes = await this.store.get(em, upload.storageKey);
      if (!bytes || !looksLikePdf(bytes)) {
        throw new AppError(
          ErrorCode.UNSUPPORTED_FILE_TYPE,
          'Only PDF files can be inserted as documents. Save the file as PDF, upload it and try again.',
          { field: 'uploadId' },
        );
      }
      const title = input.title?.trim() ? cleanTitle(input.title) : upload.filename.replace(/\.pdf$/i, '');
      const now = new Date();
      const doc = em.create(CaseDocument, {
        case: c,
        assignment,
        origin: CaseDocumentOrigin.INSERTED,
        title,
        type: input.type,
        date: input.date ?? todayInSweden(),
        text: '',
        senderKind: input.senderKind,
        senderDesignation,
        sourceUploadId: upload.id,
        author: this.viewer.staff,
        lockedAt: now,
        lockedBy: this.viewer.staff,
        updatedAt: now,
      });
      em.create(CaseDocumentPdf, {
        createdAt: now,
        document: doc,
        template: null,
        name: title,
        filename: upload.filename,
        storageKey: upload.storageKey,
        sha256: upload.sha256,
        size: upload.size,
        createdBy: this.viewer.staff,
      });
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.DOCUMENT_WRITE);
      return doc;
    });
  }

  /** The documents of a case the caller may read (an executor: those of their ongoing assignments in it), newest first; logged. */
  async ofCase(caseId: string): Promise<CaseDocument[]> {
    return this.em.transactional(async (em) => {
      const c = await this.visibleCase(em, caseId);
      const docs = await this.select(em, sql`d.case_id = ${uuid(c.id)}`);
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.DOCUMENT_READ);
      return docs;
    });
  }

  /** The documents of an assignment: for its executor while it is ongoing, and for the caseworkers of its case; newest first; logged. */
  async ofAssignment(assignmentId: string): Promise<CaseDocument[]> {
    return this.em.transactional(async (em) => {
      const a = await this.assignmentToRead(em, assignmentId);
      const docs = await this.select(em, sql`d.assignment_id = ${uuid(a.id)}`);
      await logPersonAccess(em, this.viewer, this.requestId, [a.case.holder.id], AccessAction.DOCUMENT_READ);
      return docs;
    });
  }

  /** `Assignment.documents` for many assignments at once: only documents the caller may read; the persons concerned are logged. */
  async ofAssignments(assignmentIds: readonly string[]): Promise<CaseDocument[][]> {
    return this.em.transactional(async (em) => {
      const docs = await this.select(em, sql`d.assignment_id = any(${uuidArray(assignmentIds.filter(isId))})`);
      if (docs.length) {
        const holders = await query<{ holder_id: string }>(
          em,
          sql`select distinct c.holder_id from case_file c where c.id = any(${uuidArray([...new Set(docs.map((d) => d.case.id))])})`,
        );
        await logPersonAccess(
          em,
          this.viewer,
          this.requestId,
          holders.map((h) => h.holder_id),
          AccessAction.DOCUMENT_READ,
        );
      }
      return assignmentIds.map((id) => docs.filter((d) => d.assignment?.id === id));
    });
  }

  /** `CaseDocument.pdfs` for many documents at once, newest first; only of documents the caller may read. */
  async pdfsOf(documentIds: readonly string[]): Promise<CaseDocumentPdf[][]> {
    const rows = await query(
      this.em,
      sql`select p.* from case_document_pdf p join case_document d on d.id = p.document_id
           where p.document_id = any(${uuidArray(documentIds.filter(isId))}) and ${readableCaseDocuments(this.viewer, 'd')}
           order by p.created_at desc, p.id desc`,
    );
    const pdfs = rows.map((row) => this.em.map(CaseDocumentPdf, row));
    return documentIds.map((id) => pdfs.filter((p) => p.document.id === id));
  }

  async get(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return doc;
    });
  }

  /** The bytes of one PDF of a document (the newest when none is named), with its file name. */
  async pdf(
    id: string,
    pdfId?: string | null,
  ): Promise<{ document: CaseDocument; pdf: CaseDocumentPdf; bytes: Buffer }> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      if (!doc.lockedAt) throw notLocked();
      const pdf = await this.choosePdf(em, doc, pdfId);
      const bytes = await this.store.get(em, pdf.storageKey);
      if (!bytes) throw new Error(`case document PDF ${pdf.id} has no stored bytes (${pdf.storageKey})`);
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return { document: doc, pdf, bytes };
    });
  }

  /**
   * "Skicka" from the PDF list (D4): the PDF, attached to a new message to
   * the case holder. One transaction: the attachment row is made for the
   * sender, then MessageService.send applies every messaging rule.
   */
  async send(id: string, input: SendCaseDocumentInput): Promise<Message> {
    const events = new EventBuffer();
    const message = await this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      if (!doc.lockedAt) throw notLocked();
      const pdf = await this.choosePdf(em, doc, input.pdfId);
      const attachmentId = sendAttachmentId(this.viewer.staff.id, input.idempotencyKey.trim(), doc.id, pdf.id);
      if (!(await em.count(Attachment, { id: attachmentId }))) {
        em.create(Attachment, {
          id: attachmentId,
          filename: pdf.filename,
          size: pdf.size,
          sha256: pdf.sha256,
          storageKey: pdf.storageKey,
          uploadedByStaff: this.viewer.staff,
        });
        await em.flush();
      }
      // The message's events are recorded in this transaction and published after it commits.
      const messages = new MessageService(em, this.viewer, this.requestId, this.sink, events);
      const [sent] = await messages.send({
        idempotencyKey: input.idempotencyKey,
        to: { personIds: [doc.case.holder.id] },
        caseId: doc.case.id,
        subject: input.subject?.trim() ? input.subject : doc.title,
        body: input.body?.trim()
          ? input.body
          : textToHtml(`Här kommer dokumentet "${pdf.name}" (${doc.date}) som bifogad PDF.`),
        readReceiptRequested: input.readReceiptRequested,
        addSignature: input.addSignature,
        attachmentIds: [attachmentId],
      });
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_WRITE);
      await events.recordIn(em, this.sink);
      return sent;
    });
    await events.flushTo(this.sink);
    return message;
  }

  private async choosePdf(em: EntityManager, doc: CaseDocument, pdfId?: string | null): Promise<CaseDocumentPdf> {
    if (pdfId != null) {
      const pdf = isId(pdfId) ? await em.findOne(CaseDocumentPdf, { id: pdfId, document: doc.id }) : null;
      if (!pdf)
        throw new AppError(
          ErrorCode.NOT_FOUND,
          "This document has no PDF with that id. Choose one of the document's PDFs (CaseDocument.pdfs).",
          { field: 'pdfId' },
        );
      return pdf;
    }
    const [newest] = await em.find(
      CaseDocumentPdf,
      { document: doc.id },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 1 },
    );
    if (!newest) throw noPdf();
    return newest;
  }

  private async render(
    em: EntityManager,
    doc: CaseDocument,
    template: CaseDocumentTemplate,
    createdAt: Date,
  ): Promise<Buffer> {
    const c = await em.findOneOrFail(Case, doc.case.id, { populate: ['holder'] });
    const holder: Person = c.holder;
    // The letterhead is the writer's unit: the case's unit for its caseworkers, the executor's own unit for an executor.
    const author = await em.findOneOrFail(Staff, doc.author.id, { populate: ['unit'] });
    const unit: Unit = author.unit;
    let assignment = null;
    if (doc.assignment) {
      const a = await em.findOneOrFail(Assignment, doc.assignment.id, { populate: ['executor', 'executor.unit'] });
      const intervention = a.intervention ? await em.findOne(Intervention, a.intervention.id) : null;
      assignment = {
        description: a.description,
        interventionName: intervention ? `${intervention.code} ${intervention.name}` : null,
        startDate: a.startDate,
        endDate: a.endDate,
        executorName: a.executor.name,
        executorUnit: a.executor.unit.name,
      };
    }
    // D3: the address of a protected identity (or a confidentiality marking) is never printed, whoever renders.
    const hidden = holder.protectedIdentity || holder.confidentialityMarking;
    const address =
      hidden || !holder.street
        ? null
        : [holder.street, [holder.postalCode, holder.city].filter(Boolean).join(' ')].filter(Boolean);
    return renderCaseDocumentPdf({
      template,
      municipality: unit.municipality,
      unit: unit.name,
      date: doc.date,
      title: doc.title,
      typeLabel: documentTypeLabel[doc.type],
      reference: {
        caseTitle: c.title,
        caseOpenedOn: c.openedOn,
        caseRef: caseReference(c.id),
        contactName: author.name,
        contactTitle: author.title,
      },
      recipient: { name: holder.name, addressLines: address },
      text: doc.text,
      author: { name: author.name, title: author.title },
      assignment,
      createdAt,
      createdBy: this.viewer.staff.username,
    });
  }

  /** Documents matching `where` that the caller may read, newest first, in one statement. */
  private async select(em: EntityManager, where: Sql): Promise<CaseDocument[]> {
    const rows = await query(
      em,
      sql`select d.* from case_document d where ${where} and ${readableCaseDocuments(this.viewer, 'd')} ${ORDER}`,
    );
    return rows.map((row) => em.map(CaseDocument, row));
  }

  /** A case the caller may read documents of (D1), else NOT_FOUND. */
  private async visibleCase(em: EntityManager, caseId: string): Promise<Case> {
    if (!isId(caseId)) throw notFound('case');
    const visible =
      this.viewer.role === StaffRole.CASEWORKER
        ? sql`c.id in (select c2.id from case_file c2 where ${caseload.sql(this.viewer, 'c2')})`
        : this.viewer.role === StaffRole.EXECUTOR
          ? sql`c.id in (select a.case_id from assignment a where ${executorsOngoingAssignments(this.viewer, todayInSweden(), 'a')})`
          : sql`false`;
    const [row] = await query(em, sql`select c.* from case_file c where c.id = ${uuid(caseId)} and ${visible}`);
    if (!row) throw notFound('case');
    return em.map(Case, row);
  }

  /** An assignment whose documents the caller may read: their own ongoing one (executor), or one in their caseload (caseworker). */
  private async assignmentToRead(em: EntityManager, assignmentId: string): Promise<Assignment> {
    if (!isId(assignmentId)) throw notFound('assignment');
    const visible =
      this.viewer.role === StaffRole.CASEWORKER
        ? sql`a.case_id in (select c.id from case_file c where ${caseload.sql(this.viewer, 'c')})`
        : this.viewer.role === StaffRole.EXECUTOR
          ? executorsOngoingAssignments(this.viewer, todayInSweden(), 'a')
          : sql`false`;
    const [row] = await query(em, sql`select a.* from assignment a where a.id = ${uuid(assignmentId)} and ${visible}`);
    if (!row) throw notFound('assignment');
    const a = em.map(Assignment, row);
    await em.populate(a, ['case']);
    return a;
  }

  /**
   * Where a new document goes (D1): an ongoing case the caller may write in
   * and, when given (always for executors), an assignment of that case.
   */
  private async placeToWrite(
    em: EntityManager,
    caseId: string,
    assignmentId?: string | null,
  ): Promise<{ c: Case; assignment: Assignment | null }> {
    if (this.viewer.role === StaffRole.EXECUTOR && !assignmentId) {
      throw badInput(
        'assignmentId',
        'Choose the assignment (Uppdrag IFO) the document belongs to: executors write documents in their ongoing assignments.',
      );
    }
    const c = await this.visibleCase(em, caseId);
    let assignment: Assignment | null = null;
    if (assignmentId) {
      assignment = await this.assignmentToRead(em, assignmentId).catch((err) => {
        throw err instanceof AppError
          ? new AppError(
              ErrorCode.NOT_FOUND,
              'No ongoing assignment of yours with that id in this case. Choose one of your assignments (myAssignments).',
              { field: 'assignmentId' },
            )
          : err;
      });
      if (assignment.case.id !== c.id) {
        throw new AppError(
          ErrorCode.NOT_FOUND,
          'No ongoing assignment of yours with that id in this case. Choose one of your assignments (myAssignments).',
          { field: 'assignmentId' },
        );
      }
    }
    if (c.status !== CaseStatus.OPEN)
      throw new AppError(ErrorCode.CASE_CLOSED, 'The case is closed. Documents are written in ongoing cases only.');
    await em.populate(c, ['holder']);
    return { c, assignment };
  }

  private async load(em: EntityManager, id: string, forUpdate: boolean): Promise<CaseDocument> {
    if (!isId(id)) throw notFound('case document');
    const [row] = await query(
      em,
      sql`select d.* from case_document d where d.id = ${uuid(id)} and ${readableCaseDocuments(this.viewer, 'd')} ${forUpdate ? sql`for update of d` : sql``}`,
    );
    if (!row) throw notFound('case document');
    const doc = em.map(CaseDocument, row);
    await em.populate(doc, ['case']);
    return doc;
  }
}

const locked = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_LOCKED,
    'The document is locked (write-protected) and cannot be changed. Write a new document instead.',
  );
const notLocked = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_NOT_LOCKED,
    'Lock (write-protect) the document first: only a locked document is made into a PDF and sent.',
  );
const noPdf = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_NO_PDF,
    'The document has no PDF yet. Create one first ("Skapa PDF": choose a template and a name), then send it.',
  );
const insertedHasItsPdf = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_INSERTED,
    'This document is a file inserted from disk: its PDF is the file itself. Send that PDF, or write a new document to print it with a template.',
  );
const uploadNotFound = () =>
  new AppError(
    ErrorCode.NOT_FOUND,
    'The uploaded file does not exist, is not yours, or was already sent. Upload the PDF again (POST /uploads) and use the id it answers.',
    { field: 'uploadId' },
  );
