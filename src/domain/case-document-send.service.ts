import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import type { CaseDocumentPdf } from '../entities/case-document-pdf';
import type { Message } from '../entities/message';
import { logPersonAccess } from './access-log.service';
import { choosePdf } from './case-document-pdf.service';
import { loadCaseDocument, notLocked } from './case-document-policy';
import { textToHtml } from './html';
import { uuidFromName } from './ids';
import { MessageService } from './message.service';
import { EventBuffer, type EventSink } from './notices';

// "Skicka" from a case document's PDF list (CD4 of case-document.service.ts).

export interface SendCaseDocumentInput {
  idempotencyKey: string;
  pdfId?: string | null;
  subject?: string | null;
  body?: string | null;
  readReceiptRequested?: boolean | null;
  addSignature?: boolean | null;
}

/** The attachment of one send: derived from sender, key, document and PDF, so a retry finds the same row. */
function sendAttachmentId(staffId: string, key: string, documentId: string, pdfId: string): string {
  return uuidFromName(`case-document-send:${staffId}:${key}:${documentId}:${pdfId}`);
}

export class CaseDocumentSendService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
    private readonly sink?: EventSink,
  ) {}

  /**
   * "Skicka" from the PDF list (CD4): the PDF, attached to a new message to
   * the case holder. One transaction: the attachment row is made for the
   * sender, then MessageService.send applies every messaging rule.
   */
  async send(id: string, input: SendCaseDocumentInput): Promise<Message> {
    const events = new EventBuffer();
    const message = await this.em.transactional(async (em) => {
      const doc = await loadCaseDocument(em, this.viewer, { id, forUpdate: false });
      if (!doc.lockedAt) throw notLocked();
      const pdf = await choosePdf(em, doc, input.pdfId);
      const attachmentId = sendAttachmentId(this.viewer.staff.id, input.idempotencyKey.trim(), doc.id, pdf.id);
      await this.attachOnce(em, attachmentId, pdf);
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

  /** The PDF as an attachment of the sender's, made on the first try and found again on a retry. */
  private async attachOnce(em: EntityManager, attachmentId: string, pdf: CaseDocumentPdf): Promise<void> {
    if (await em.count(Attachment, { id: attachmentId })) return;
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
}
