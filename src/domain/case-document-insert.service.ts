import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import type { Assignment, Case } from '../entities/case';
import { CaseDocument, CaseDocumentOrigin, CaseDocumentType } from '../entities/case-document';
import { CaseDocumentPdf } from '../entities/case-document-pdf';
import { JournalSenderKind } from '../entities/journal-entry';
import { AppError, badInput, ErrorCode } from '../errors';
import type { BlobStore } from '../storage/blob-store';
import { lockUploadForInsert } from '../stores/case-document.store';
import { logPersonAccess } from './access-log.service';
import { looksLikePdf, ownUnsentUploads } from './attachment.service';
import { cleanTitle, MAX_TITLE_CHARS, placeToWrite } from './case-document-policy';
import { isId } from './ids';
import { singleLineText } from './text';
import { todayInSweden } from './time';

// "Infoga dokument" (CD5 of case-document.service.ts): an uploaded PDF filed as a locked document.

export interface InsertCaseDocumentInput {
  uploadId: string;
  type: CaseDocumentType;
  title?: string | null;
  senderKind: JournalSenderKind;
  senderDesignation?: string | null;
  date?: string | null;
  assignmentId?: string | null;
}

const uploadNotFound = () =>
  new AppError(
    ErrorCode.NOT_FOUND,
    'The uploaded file does not exist, is not yours, or was already sent. Upload the PDF again (POST /uploads) and use the id it answers.',
    { field: 'uploadId' },
  );

export class CaseDocumentInsertService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
    private readonly store: BlobStore,
  ) {}

  /** "Infoga dokument" (CD5): an uploaded PDF becomes a locked document of the case or assignment. */
  async insert(caseId: string, input: InsertCaseDocumentInput): Promise<CaseDocument> {
    if (!isId(input.uploadId)) throw uploadNotFound();
    const senderDesignation = singleLineText(input.senderDesignation) || null;
    if (senderDesignation && senderDesignation.length > MAX_TITLE_CHARS)
      throw badInput('senderDesignation', `Keep the sender's designation under ${MAX_TITLE_CHARS} characters.`);
    return this.em.transactional(async (em) => {
      const { c, assignment } = await placeToWrite(em, this.viewer, { caseId, assignmentId: input.assignmentId });
      // One insert per upload at a time; a retry with the same upload answers the document it made.
      await lockUploadForInsert(em, { uploadId: input.uploadId });
      const earlier = await this.earlierInsert(em, input.uploadId, c, assignment);
      if (earlier) return earlier;
      const upload = await this.pdfUpload(em, input.uploadId);
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

  /**
   * The document this upload already made: answered again when it is this caller's insert into the same place (a
   * retry); CONFLICT when it was filed elsewhere (one upload makes one document).
   */
  private async earlierInsert(
    em: EntityManager,
    uploadId: string,
    c: Case,
    assignment: Assignment | null,
  ): Promise<CaseDocument | null> {
    const earlier = await em.findOne(CaseDocument, { sourceUploadId: uploadId }, { populate: ['case'] });
    if (!earlier) return null;
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

  /** The caller's own unsent upload, when it is a PDF. */
  private async pdfUpload(em: EntityManager, uploadId: string) {
    const [upload] = await ownUnsentUploads(em, this.viewer, [uploadId]).catch(() => {
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
    return upload;
  }
}
