import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Assignment, Case, Intervention } from '../entities/case';
import { CaseDocument, CaseDocumentOrigin, CaseDocumentType } from '../entities/case-document';
import { CaseDocumentPdf, CaseDocumentTemplate } from '../entities/case-document-pdf';
import { Staff } from '../entities/staff';
import { AppError, badInput, ErrorCode } from '../errors';
import { renderCaseDocumentPdf } from '../pdf/case-document-pdf';
import type { BlobStore } from '../storage/blob-store';
import { readablePdfsOfDocuments } from '../stores/case-document.store';
import { logPersonAccess } from './access-log.service';
import { sanitizeFilename } from './attachment.service';
import { loadCaseDocument, notLocked, readableCaseDocuments } from './case-document-policy';
import { isId } from './ids';
import { singleLineText } from './text';

// The PDFs of case documents (CD3 of case-document.service.ts): "Skapa PDF", the list, and the download.

export interface CreatePdfInput {
  template: CaseDocumentTemplate;
  name: string;
}

const MAX_NAME_CHARS = 120;

export const documentTypeLabel: Record<CaseDocumentType, string> = {
  [CaseDocumentType.DOCUMENT]: 'Dokument',
  [CaseDocumentType.LETTER]: 'Brev',
  [CaseDocumentType.DECISION]: 'Beslut',
  [CaseDocumentType.INVESTIGATION]: 'Utredning',
};

function cleanPdfName(name: string): string {
  const t = singleLineText(name);
  if (!t) throw badInput('name', 'Give the PDF a name (benämning): it becomes the file name the recipient sees.');
  if (t.length > MAX_NAME_CHARS) throw badInput('name', `Keep the name under ${MAX_NAME_CHARS} characters.`);
  return t;
}

/** The file name of a PDF from its name (Benämning): a slash in a name is part of it (23/8), not a folder. */
export const pdfFilename = (name: string) => sanitizeFilename(name.replace(/[\\/]/g, '-'));

/** A short, stable reference to a case that a reader can quote (the first part of its id). */
export const caseReference = (caseId: string) => `IFO-${caseId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

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

/** The PDF of a document to download or send: the one chosen, else the newest (CD4); CASE_DOCUMENT_NO_PDF when none. */
export async function choosePdf(em: EntityManager, doc: CaseDocument, pdfId?: string | null): Promise<CaseDocumentPdf> {
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

/** The assignment block of a PDF, for a document written in an assignment. */
async function assignmentBlock(em: EntityManager, assignmentId: string) {
  const a = await em.findOneOrFail(Assignment, assignmentId, { populate: ['executor', 'executor.unit'] });
  const intervention = a.intervention ? await em.findOne(Intervention, a.intervention.id) : null;
  return {
    description: a.description,
    interventionName: intervention ? `${intervention.code} ${intervention.name}` : null,
    startDate: a.startDate,
    endDate: a.endDate,
    executorName: a.executor.name,
    executorUnit: a.executor.unit.name,
  };
}

export class CaseDocumentPdfService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
    private readonly store: BlobStore,
  ) {}

  /** "Skapa PDF" (CD3): renders the locked document with the template and keeps it under the name given. */
  async createPdf(id: string, input: CreatePdfInput): Promise<CaseDocumentPdf> {
    const name = cleanPdfName(input.name);
    return this.em.transactional(async (em) => {
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: false });
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

  /** `CaseDocument.pdfs` for many documents at once, newest first; only of documents the caller may read. */
  async pdfsOf(documentIds: readonly string[]): Promise<CaseDocumentPdf[][]> {
    const pdfs = await readablePdfsOfDocuments(this.em, {
      documentIds,
      readable: readableCaseDocuments(this.viewer, 'd'),
    });
    return documentIds.map((id) => pdfs.filter((p) => p.document.id === id));
  }

  /** The bytes of one PDF of a document (the newest when none is named), with its file name. */
  async pdf(
    id: string,
    pdfId?: string | null,
  ): Promise<{ document: CaseDocument; pdf: CaseDocumentPdf; bytes: Buffer }> {
    return this.em.transactional(async (em) => {
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: false });
      if (!doc.lockedAt) throw notLocked();
      const pdf = await choosePdf(em, doc, pdfId);
      const bytes = await this.store.get(em, pdf.storageKey);
      if (!bytes) throw new Error(`case document PDF ${pdf.id} has no stored bytes (${pdf.storageKey})`);
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return { document: doc, pdf, bytes };
    });
  }

  private async render(
    em: EntityManager,
    doc: CaseDocument,
    template: CaseDocumentTemplate,
    createdAt: Date,
  ): Promise<Buffer> {
    const c = await em.findOneOrFail(Case, doc.case.id, { populate: ['holder'] });
    const holder = c.holder;
    // The letterhead is the writer's unit: the case's unit for its caseworkers, the executor's own unit for an executor.
    const author = await em.findOneOrFail(Staff, doc.author.id, { populate: ['unit'] });
    const unit = author.unit;
    const assignment = doc.assignment ? await assignmentBlock(em, doc.assignment.id) : null;
    // CD3: the address of a protected identity (or a confidentiality marking) is never printed, whoever renders.
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
}
