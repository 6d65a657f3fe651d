import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { CaseDocument, CaseDocumentType } from '../entities/case-document';
import type { CaseDocumentPdf } from '../entities/case-document-pdf';
import type { Message } from '../entities/message';
import { AppError, badInput, ErrorCode } from '../errors';
import type { BlobStore } from '../storage/blob-store';
import { holdersOfCases } from '../stores/case.store';
import {
  readableDocumentsOfAssignment,
  readableDocumentsOfAssignments,
  readableDocumentsOfCase,
} from '../stores/case-document.store';
import { logPersonAccess } from './access-log.service';
import { CaseDocumentInsertService, type InsertCaseDocumentInput } from './case-document-insert.service';
import { CaseDocumentPdfService, type CreatePdfInput } from './case-document-pdf.service';
import {
  assignmentOfDocuments,
  caseOfDocuments,
  cleanTitle,
  loadCaseDocument,
  placeToWrite,
  readableCaseDocuments,
} from './case-document-policy';
import { CaseDocumentSendService, type SendCaseDocumentInput } from './case-document-send.service';
import { multiLineText } from './text';
import type { EventSink } from './notices';
import { todayInSweden } from './time';

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

const MAX_DOCUMENT_CHARS = 50_000;

function cleanText(text: string): string {
  const t = multiLineText(text).trim();
  if (!t) throw badInput('text', 'Write the document: the text is empty.');
  if (t.length > MAX_DOCUMENT_CHARS)
    throw badInput('text', `Keep the document under ${MAX_DOCUMENT_CHARS} characters.`);
  return t;
}

const locked = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_LOCKED,
    'The document is locked (write-protected) and cannot be changed. Write a new document instead.',
  );

/**
 * Case documents (dokumentation), their PDFs, and "send from the case".
 *
 * CD1 A caseworker works on the documents of the cases in their caseload (own
 *    or their unit's). An executor works only on the documents linked to an
 *    assignment (uppdrag) of theirs that is ongoing today, in a case they may
 *    open ("Koppla till Uppdrag IFO"): when the assignment ends, so does their
 *    access to its documents. Whatever else is NOT_FOUND. New documents are
 *    written (or inserted) in ongoing cases only.
 * CD2 A locked (write-protected) document cannot change (CASE_DOCUMENT_LOCKED);
 *    a trigger enforces it in the database too.
 * CD3 PDFs are made explicitly from a locked document ("Skapa PDF": a print
 *    template and a name, CASE_DOCUMENT_NOT_LOCKED before), as many as
 *    needed, each kept unchanged (trigger). Every template prints the
 *    municipality and unit, date, reference and the recipient block; the
 *    address of a person with a protected identity or a confidentiality
 *    marking is never printed.
 * CD4 A PDF of a locked document (the one chosen, else the newest;
 *    CASE_DOCUMENT_NO_PDF when there is none) goes to the case holder as the
 *    attachment of a new message, named by the PDF's name, in one
 *    transaction with every messaging rule of MessageService.send (an
 *    executor's M2 included) and idempotent on the key.
 * CD5 "Infoga dokument": a PDF the caller uploaded (POST /uploads) becomes a
 *    locked document of the case (or assignment) with its type, heading,
 *    sender and date; its file is its one PDF. A retry with the same upload
 *    returns the same document; one upload makes one document (CONFLICT
 *    when it is already filed elsewhere).
 *
 * This class writes, locks and reads documents; the rule CD1 and the checks
 * every operation shares are in case-document-policy.ts, PDFs (CD3) in
 * case-document-pdf.service.ts, sending (CD4) in case-document-send.service.ts
 * and inserting (CD5) in case-document-insert.service.ts, reached through the
 * methods at the end.
 */
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
      const { c, assignment } = await placeToWrite(em, this.viewer, { caseId, assignmentId: input.assignmentId });
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
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: true });
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

  /** Write-protects the document (CD2). Locking a locked document changes nothing. PDFs are made separately (CD3). */
  async lock(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: true });
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

  /** The documents of a case the caller may read (an executor: those of their ongoing assignments in it), newest first; logged. */
  async ofCase(caseId: string): Promise<CaseDocument[]> {
    return this.em.transactional(async (em) => {
      const c = await caseOfDocuments(em, this.viewer, caseId);
      const docs = await readableDocumentsOfCase(em, { caseId: c.id, readable: this.readable() });
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.DOCUMENT_READ);
      return docs;
    });
  }

  /** The documents of an assignment: for its executor while it is ongoing, and for the caseworkers of its case; newest first; logged. */
  async ofAssignment(assignmentId: string): Promise<CaseDocument[]> {
    return this.em.transactional(async (em) => {
      const a = await assignmentOfDocuments(em, this.viewer, assignmentId);
      const docs = await readableDocumentsOfAssignment(em, { assignmentId: a.id, readable: this.readable() });
      await logPersonAccess(em, this.viewer, this.requestId, [a.case.holder.id], AccessAction.DOCUMENT_READ);
      return docs;
    });
  }

  /** `Assignment.documents` for many assignments at once: only documents the caller may read; the persons concerned are logged. */
  async ofAssignments(assignmentIds: readonly string[]): Promise<CaseDocument[][]> {
    return this.em.transactional(async (em) => {
      const docs = await readableDocumentsOfAssignments(em, { assignmentIds, readable: this.readable() });
      if (docs.length) {
        const holders = await holdersOfCases(em, { caseIds: docs.map((d) => d.case.id) });
        await logPersonAccess(em, this.viewer, this.requestId, holders, AccessAction.DOCUMENT_READ);
      }
      return assignmentIds.map((id) => docs.filter((d) => d.assignment?.id === id));
    });
  }

  async get(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: false });
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return doc;
    });
  }

  /** "Skapa PDF" (CD3). */
  createPdf(id: string, input: CreatePdfInput): Promise<CaseDocumentPdf> {
    return this.pdfs().createPdf(id, input);
  }

  /** `CaseDocument.pdfs` for many documents at once (CD3). */
  pdfsOf(documentIds: readonly string[]): Promise<CaseDocumentPdf[][]> {
    return this.pdfs().pdfsOf(documentIds);
  }

  /** The bytes of one PDF of a document (CD3), with its file name. */
  pdf(id: string, pdfId?: string | null): Promise<{ document: CaseDocument; pdf: CaseDocumentPdf; bytes: Buffer }> {
    return this.pdfs().pdf(id, pdfId);
  }

  /** "Skicka" from the PDF list (CD4). */
  send(id: string, input: SendCaseDocumentInput): Promise<Message> {
    return new CaseDocumentSendService(this.em, this.viewer, this.requestId, this.sink).send(id, input);
  }

  /** "Infoga dokument" (CD5). */
  insert(caseId: string, input: InsertCaseDocumentInput): Promise<CaseDocument> {
    return new CaseDocumentInsertService(this.em, this.viewer, this.requestId, this.store).insert(caseId, input);
  }

  private readable() {
    return readableCaseDocuments(this.viewer, 'd');
  }

  private pdfs(): CaseDocumentPdfService {
    return new CaseDocumentPdfService(this.em, this.viewer, this.requestId, this.store);
  }
}
