import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Attachment } from '../entities/attachment';
import { Message, MessageEvent, MessageEventKind } from '../entities/message';
import { AppError, ErrorCode, notFound } from '../errors';
import type { BlobStore } from '../storage/blob-store';
import { downloadableAttachment, hasCaseLink } from '../stores/attachment.store';
import { logPersonAccess } from './access-log.service';
import { isId } from './ids';
import { todayInSweden } from './time';

export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * A PDF starts with `%PDF-` (allowing a little leading junk, as readers do).
 * Not file-type (ESM-only, and it knows hundreds of formats to tell one we accept).
 */
export function looksLikePdf(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const at = head.indexOf('%PDF-');
  return at >= 0 && at < 1024 - 8 && /^%PDF-\d\.\d/.test(head.slice(at, at + 8));
}

/**
 * Keeps letters (å, ä, ö included), digits, spaces, dots, dashes and underscores; always ends in .pdf.
 * An allowlist, stricter than sanitize-filename's denylist of what file systems refuse: the name also goes
 * into Content-Disposition headers and ZIP entries.
 */
export function sanitizeFilename(name: string | undefined | null): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._-]/gu, '_')
    .replace(/^[.\s_-]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
  const stem = base.replace(/\.pdf$/i, '').trim() || 'dokument';
  return `${stem}.pdf`;
}

export const tooLarge = () =>
  new AppError(
    ErrorCode.FILE_TOO_LARGE,
    'The file is larger than 16 MB. Make it smaller (e.g. scan at a lower resolution) or split it.',
    { field: 'file' },
  );

/** Uploads (stored until sent with a message) and participant-only downloads. */
export class AttachmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly store: BlobStore,
    private readonly requestId: string,
  ) {}

  /**
   * Only callers who may send may store files: staff, and citizens with the
   * e-service activated who are still linked to a case (its holder, or a
   * relation activated and valid today: a deactivated or expired relation
   * stops at once, M1/M4). Checked before the body is read.
   */
  async assertMayUpload(): Promise<void> {
    if (this.viewer.kind !== 'citizen') return;
    if (!this.viewer.person.messagingEnabled) {
      throw new AppError(
        ErrorCode.E_SERVICE_NOT_ACTIVATED,
        'Messaging is not activated for you, so you cannot upload files. Ask your caseworker to activate the e-service.',
      );
    }
    if (!(await hasCaseLink(this.em, { personId: this.viewer.person.id, today: todayInSweden() }))) {
      throw new AppError(
        ErrorCode.E_SERVICE_NOT_ACTIVATED,
        'You are not (or no longer) linked to a case for the e-service, so you cannot upload files. Contact the social services another way.',
      );
    }
  }

  async upload(bytes: Buffer, filename: string | undefined): Promise<Attachment> {
    await this.assertMayUpload();
    if (bytes.length === 0) {
      throw new AppError(ErrorCode.UNSUPPORTED_FILE_TYPE, 'The file is empty. Choose the PDF again and upload it.', {
        field: 'file',
      });
    }
    if (!looksLikePdf(bytes)) {
      throw new AppError(
        ErrorCode.UNSUPPORTED_FILE_TYPE,
        'Only PDF files can be attached. Save the document as PDF and upload it again.',
        { field: 'file' },
      );
    }
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge();
    return this.em.transactional(async (em) => {
      const storageKey = await this.store.put(em, bytes);
      const attachment = em.create(Attachment, {
        filename: sanitizeFilename(filename),
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        storageKey,
        uploadedByStaff: this.viewer.kind === 'staff' ? this.viewer.staff : null,
        uploadedByPerson: this.viewer.kind === 'citizen' ? this.viewer.person : null,
      });
      await em.flush();
      return attachment;
    });
  }

  /**
   * The bytes of an attachment the viewer may open (downloadableAttachments in attachment-policy.ts),
   * NOT_FOUND otherwise. Each download of a sent attachment is recorded in the
   * message history.
   */
  async download(id: string): Promise<{ attachment: Attachment; bytes: Buffer }> {
    return this.em.transactional(async (em) => {
      if (!isId(id)) throw notFound('attachment');
      const attachment = await downloadableAttachment(em, { id, viewer: this.viewer });
      if (!attachment) throw notFound('attachment');
      if (attachment.message) {
        const actorName = this.viewer.kind === 'staff' ? this.viewer.staff.name : this.viewer.person.name;
        const message = await em.findOneOrFail(Message, attachment.message.id, { populate: ['conversation'] });
        em.create(MessageEvent, { message, kind: MessageEventKind.DOWNLOADED, actorName, detail: attachment.filename });
        const citizen = message.conversation.citizen;
        if (this.viewer.kind === 'staff' && citizen)
          await logPersonAccess(em, this.viewer, this.requestId, [citizen.id], AccessAction.ATTACHMENT_DOWNLOAD);
        await em.flush();
      }
      const bytes = await this.store.get(em, attachment.storageKey);
      if (!bytes) throw new Error(`attachment ${attachment.id} has no stored bytes (${attachment.storageKey})`);
      return { attachment, bytes };
    });
  }
}

/**
 * The viewer's own uploads that are not yet attached to a message, in the
 * order asked; NOT_FOUND when any is missing, someone else's or already sent.
 */
export async function ownUnsentUploads(
  em: EntityManager,
  viewer: Viewer,
  ids: readonly string[],
): Promise<Attachment[]> {
  if (!ids.length) return [];
  const owner = viewer.kind === 'staff' ? { uploadedByStaff: viewer.staff.id } : { uploadedByPerson: viewer.person.id };
  const rows = await em.find(Attachment, { id: { $in: [...ids] }, message: null, ...owner });
  if (rows.length !== ids.length) {
    throw new AppError(
      ErrorCode.NOT_FOUND,
      'An attachment does not exist, is not yours, or was already sent. Upload the file again.',
      { field: 'attachmentIds' },
    );
  }
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}
