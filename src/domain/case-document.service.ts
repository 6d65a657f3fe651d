import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Case, CaseStatus } from '../entities/case';
import { CaseDocument, CaseDocumentType } from '../entities/case-document';
import type { Message } from '../entities/message';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';
import { Unit } from '../entities/unit';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import { renderCaseDocumentPdf } from '../pdf/case-document-pdf';
import type { BlobStore } from '../storage/blob-store';
import { logPersonAccess } from './access-log.service';
import { sanitizeFilename } from './attachment.service';
import { isId } from './ids';
import { inCaseload } from './access-policy';
import { textToHtml } from './html';
import { multiLineText, singleLineText } from './text';
import { MessageService } from './message.service';
import { EventBuffer, type EventSink } from './notices';
import { todayInSweden } from './time';

/**
 * Case documents (dokumentation) and "send from the case".
 *
 * D1 Only a caseworker with the case in their caseload (own or their unit's)
 *    writes, locks and sends its documents; documents are written on ongoing
 *    cases only.
 * D2 A locked (write-protected) document cannot change (CASE_DOCUMENT_LOCKED);
 *    a trigger enforces it in the database too.
 * D3 Locking renders the PDF from the template (municipality, unit, date,
 *    heading, the person's name) once; a protected identity's address is never
 *    printed.
 * D4 Only a locked document is sent (CASE_DOCUMENT_NOT_LOCKED): its PDF goes
 *    to the case holder as the attachment of a new message, in one transaction
 *    with the messaging rules of MessageService.send (idempotent on the key).
 */
export interface CaseDocumentInput {
  title: string;
  type: CaseDocumentType;
  date?: string | null;
  text: string;
}

export interface CaseDocumentPatch {
  title?: string | null;
  type?: CaseDocumentType | null;
  date?: string | null;
  text?: string | null;
}

export interface SendCaseDocumentInput {
  idempotencyKey: string;
  subject?: string | null;
  body?: string | null;
  readReceiptRequested?: boolean | null;
  addSignature?: boolean | null;
}

const MAX_TITLE_CHARS = 200;
const MAX_DOCUMENT_CHARS = 50_000;

const documentTypeLabel: Record<CaseDocumentType, string> = {
  [CaseDocumentType.DOCUMENT]: 'Dokument',
  [CaseDocumentType.LETTER]: 'Brev',
  [CaseDocumentType.DECISION]: 'Beslut',
  [CaseDocumentType.INVESTIGATION]: 'Utredning',
};

function cleanTitle(title: string): string {
  const t = singleLineText(title);
  if (!t) throw badInput('title', 'Write a title (rubrik).');
  if (t.length > MAX_TITLE_CHARS) throw badInput('title', `Keep the title under ${MAX_TITLE_CHARS} characters.`);
  return t;
}

function cleanText(text: string): string {
  const t = multiLineText(text).trim();
  if (!t) throw badInput('text', 'Write the document: the text is empty.');
  if (t.length > MAX_DOCUMENT_CHARS) throw badInput('text', `Keep the document under ${MAX_DOCUMENT_CHARS} characters.`);
  return t;
}


/** The attachment of one send: derived from sender, key and document, so a retry finds the same row. */
function sendAttachmentId(staffId: string, key: string, documentId: string): string {
  const h = createHash('sha256').update(`case-document-send:${staffId}:${key}:${documentId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class CaseDocumentService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
    private readonly store: BlobStore,
    private readonly sink?: EventSink,
  ) {}

  async create(caseId: string, input: CaseDocumentInput): Promise<CaseDocument> {
    const title = cleanTitle(input.title);
    const text = cleanText(input.text);
    const date = input.date ?? todayInSweden();
    return this.em.transactional(async (em) => {
      const c = await this.caseForCaseworker(em, caseId);
      if (c.status !== CaseStatus.OPEN) throw new AppError(ErrorCode.CASE_CLOSED, 'The case is closed. Documents are written in ongoing cases only.');
      const doc = em.create(CaseDocument, { case: c, title, type: input.type, date, text, author: this.viewer.staff });
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

  /** Write-protects the document and renders its PDF (D2, D3). Locking a locked document changes nothing. */
  async lock(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, true);
      if (doc.lockedAt) return doc;
      const lockedAt = new Date();
      const pdf = await this.render(em, doc, lockedAt);
      doc.pdfStorageKey = await this.store.put(em, pdf);
      doc.pdfSha256 = createHash('sha256').update(pdf).digest('hex');
      doc.pdfSize = pdf.length;
      doc.lockedAt = lockedAt;
      doc.lockedBy = this.viewer.staff;
      doc.updatedAt = lockedAt;
      await em.flush();
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_WRITE);
      return doc;
    });
  }

  /** The documents of a case, newest first; recorded in the access log. */
  async ofCase(caseId: string): Promise<CaseDocument[]> {
    return this.em.transactional(async (em) => {
      const c = await this.caseForCaseworker(em, caseId);
      const docs = await em.find(CaseDocument, { case: c.id }, { orderBy: { date: 'desc', createdAt: 'desc', id: 'asc' } });
      await logPersonAccess(em, this.viewer, this.requestId, [c.holder.id], AccessAction.DOCUMENT_READ);
      return docs;
    });
  }

  async get(id: string): Promise<CaseDocument> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return doc;
    });
  }

  /** The PDF of a locked document. */
  async pdf(id: string): Promise<{ document: CaseDocument; bytes: Buffer }> {
    return this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      if (!doc.pdfStorageKey) throw notLocked();
      const bytes = await this.store.get(em, doc.pdfStorageKey);
      if (!bytes) throw new Error(`case document ${doc.id} has no stored PDF (${doc.pdfStorageKey})`);
      await logPersonAccess(em, this.viewer, this.requestId, [doc.case.holder.id], AccessAction.DOCUMENT_READ);
      return { document: doc, bytes };
    });
  }

  /**
   * "Skicka från ärendet" (D4): the locked document's PDF, attached to a new
   * message to the case holder. One transaction: the attachment row is made
   * for the sender, then MessageService.send applies every messaging rule.
   */
  async send(id: string, input: SendCaseDocumentInput): Promise<Message> {
    const events = new EventBuffer();
    const message = await this.em.transactional(async (em) => {
      const doc = await this.load(em, id, false);
      if (!doc.lockedAt || !doc.pdfStorageKey) throw notLocked();
      const attachmentId = sendAttachmentId(this.viewer.staff.id, input.idempotencyKey.trim(), doc.id);
      if (!(await em.count(Attachment, { id: attachmentId }))) {
        em.create(Attachment, {
          id: attachmentId,
          filename: sanitizeFilename(`${doc.title} ${doc.date}`),
          size: doc.pdfSize!,
          sha256: doc.pdfSha256!,
          storageKey: doc.pdfStorageKey,
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
        body: input.body?.trim() ? input.body : textToHtml(`Här kommer dokumentet "${doc.title}" (${doc.date}) som bifogad PDF.`),
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

  private async render(em: EntityManager, doc: CaseDocument, lockedAt: Date): Promise<Buffer> {
    const c = await em.findOneOrFail(Case, doc.case.id, { populate: ['holder', 'unit'] });
    const holder: Person = c.holder;
    const unit: Unit = c.unit;
    const author = await em.findOneOrFail(Staff, doc.author.id);
    // D3: a protected identity's address is never printed, whoever renders.
    const address = holder.protectedIdentity || !holder.street ? null : [holder.street, [holder.postalCode, holder.city].filter(Boolean).join(' ')].filter(Boolean);
    return renderCaseDocumentPdf({
      municipality: unit.municipality,
      unit: unit.name,
      date: doc.date,
      title: doc.title,
      typeLabel: documentTypeLabel[doc.type],
      personName: holder.name,
      addressLines: address,
      text: doc.text,
      authorName: author.name,
      authorTitle: author.title,
      lockedAt,
    });
  }

  /** D1: a case in the caseworker's caseload, else NOT_FOUND (unseen) or FORBIDDEN (seen, not theirs). */
  private async caseForCaseworker(em: EntityManager, caseId: string): Promise<Case> {
    if (!isId(caseId)) throw notFound('case');
    const c = await em.findOne(Case, { id: caseId });
    if (!c || !inCaseload(this.viewer, c)) throw notFound('case');
    if (this.viewer.role !== StaffRole.CASEWORKER) throw forbidden('Only caseworkers write and send case documents.');
    return c;
  }

  private async load(em: EntityManager, id: string, forUpdate: boolean): Promise<CaseDocument> {
    if (!isId(id)) throw notFound('case document');
    if (forUpdate) await em.getConnection().execute('select 1 from case_document where id = ? for update', [id], 'all', em.getTransactionContext());
    const doc = await em.findOne(CaseDocument, { id }, { populate: ['case'] });
    if (!doc) throw notFound('case document');
    try {
      await this.caseForCaseworker(em, doc.case.id);
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === ErrorCode.NOT_FOUND) throw notFound('case document');
      throw err;
    }
    return doc;
  }
}

const locked = () =>
  new AppError(ErrorCode.CASE_DOCUMENT_LOCKED, 'The document is locked (write-protected) and cannot be changed. Write a new document instead.');
const notLocked = () =>
  new AppError(ErrorCode.CASE_DOCUMENT_NOT_LOCKED, 'Lock (write-protect) the document first: only a locked document is made into a PDF and sent.');
