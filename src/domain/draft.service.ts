import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { Case } from '../entities/case';
import { Draft } from '../entities/draft';
import type { SharedMailbox } from '../entities/shared-mailbox';
import { Message } from '../entities/message';
import { badInput, notFound, AppError, ErrorCode } from '../errors';
import { singleLineText } from './text';
import { MAX_BODY_CHARS, sanitizeBody } from './html';
import { isId } from './ids';
import { MAX_ATTACHMENTS, MAX_SUBJECT_CHARS, type Addressees } from './message-compose';
import { openMessage } from './message-access';
import { MessageService } from './message.service';
import { EventBuffer, type EventSink } from './notices';
import { decodeTimeCursor, pageSize, toPage, type Page } from './pagination';
import { ownUnsentUploads } from './attachment.service';
import { memberMailbox } from './message-policy';
import { visibleCase } from './access-policy';
import { citizenLinkedCase } from '../stores/draft.store';
import { todayInSweden } from './time';

export interface SaveDraftInput {
  draftId?: string | null;
  to?: Addressees | null;
  subject?: string | null;
  body?: string | null;
  readReceiptRequested?: boolean | null;
  addSignature?: boolean | null;
  attachmentIds?: readonly string[] | null;
  fromSharedMailboxId?: string | null;
  caseId?: string | null;
  replyToMessageId?: string | null;
}

const ids = (list: readonly string[] | null | undefined) => [...new Set((list ?? []).filter(isId))];

/** Drafts (utkast): saved as the user types, then sent (in the same transaction as the send) or deleted. */
export class DraftService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly requestId: string,
    private readonly sink?: EventSink,
  ) {}

  private owner() {
    return this.viewer.kind === 'staff' ? { ownerStaff: this.viewer.staff.id } : { ownerPerson: this.viewer.person.id };
  }

  async list(args: { first?: number | null; after?: string | null }): Promise<Page<Draft>> {
    const size = pageSize(args.first);
    const after = decodeTimeCursor(args.after);
    const where: Record<string, unknown> = { ...this.owner() };
    if (after)
      where.$or = [{ savedAt: { $lt: new Date(after[0]) } }, { savedAt: new Date(after[0]), id: { $lt: after[1] } }];
    const rows = await this.em.find(Draft, where, { orderBy: { savedAt: 'desc', id: 'desc' }, limit: size + 1 });
    return toPage(rows, size, (d) => [d.savedAt.toISOString(), d.id]);
  }

  async get(id: string): Promise<Draft> {
    const draft = isId(id) ? await this.em.findOne(Draft, { id, ...this.owner() }) : null;
    if (!draft) throw notFound('draft');
    return draft;
  }

  /** Creates or updates a draft; everything may still be incomplete. Returns it with its saved time. */
  async save(input: SaveDraftInput): Promise<Draft> {
    if ((input.subject?.length ?? 0) > MAX_SUBJECT_CHARS)
      throw badInput('subject', `Keep the subject under ${MAX_SUBJECT_CHARS} characters.`);
    if ((input.body?.length ?? 0) > MAX_BODY_CHARS)
      throw badInput('body', `The message is too long: keep it under ${MAX_BODY_CHARS} characters.`);
    const attachmentIds = ids(input.attachmentIds);
    if (attachmentIds.length > MAX_ATTACHMENTS)
      throw new AppError(ErrorCode.TOO_MANY_FILES, `A message can carry at most ${MAX_ATTACHMENTS} attachments.`, {
        field: 'attachmentIds',
      });
    return this.em.transactional(async (em) => {
      const draft = input.draftId
        ? await new DraftService(em, this.viewer, this.requestId).get(input.draftId)
        : em.create(Draft, { ...this.owner() });
      await ownUnsentUploads(em, this.viewer, attachmentIds);
      if (input.replyToMessageId !== undefined) {
        draft.replyTo = input.replyToMessageId ? await openMessage(em, this.viewer, input.replyToMessageId) : null;
      }
      if (input.to)
        draft.addressees = {
          personIds: ids(input.to.personIds),
          staffIds: ids(input.to.staffIds),
          sharedMailboxIds: ids(input.to.sharedMailboxIds),
        };
      if (input.subject != null) draft.subject = singleLineText(input.subject);
      if (input.body != null) draft.bodyHtml = sanitizeBody(input.body);
      if (input.readReceiptRequested != null) draft.readReceiptRequested = input.readReceiptRequested;
      if (input.addSignature != null) draft.addSignature = input.addSignature;
      if (input.attachmentIds) draft.attachmentIds = attachmentIds;
      if (input.fromSharedMailboxId !== undefined)
        draft.fromMailbox = input.fromSharedMailboxId ? await this.ownMailbox(em, input.fromSharedMailboxId) : null;
      if (input.caseId !== undefined) draft.case = input.caseId ? await this.knownCase(em, input.caseId) : null;
      draft.savedAt = new Date();
      await em.flush();
      return draft;
    });
  }

  /** A draft is sent from a shared mailbox only by its members (checked again when sent). */
  private async ownMailbox(em: EntityManager, id: string): Promise<SharedMailbox> {
    const mailbox = this.viewer.kind === 'staff' ? await memberMailbox(em, this.viewer, id) : null;
    if (!mailbox)
      throw new AppError(ErrorCode.NOT_FOUND, 'No shared mailbox with that id exists, or you are not a member of it.', {
        field: 'fromSharedMailboxId',
      });
    return mailbox;
  }

  /**
   * The case a draft is about must be one the viewer may open (staff, R1/R2)
   * or is linked to (a citizen): anything else answers exactly like an id that
   * does not exist. Who may write about it is checked again when it is sent.
   */
  private async knownCase(em: EntityManager, id: string): Promise<Case> {
    let found: Case | null = null;
    if (isId(id)) {
      if (this.viewer.kind === 'staff') found = await visibleCase(em, this.viewer, id);
      else found = await citizenLinkedCase(em, { caseId: id, personId: this.viewer.person.id, today: todayInSweden() });
    }
    if (!found)
      throw new AppError(ErrorCode.NOT_FOUND, 'No case with that id exists, or you do not have access to it.', {
        field: 'caseId',
      });
    return found;
  }

  /** Sends the draft exactly as saved and removes it, in one transaction. */
  async send(draftId: string, idempotencyKey: string): Promise<Message[]> {
    const events = new EventBuffer();
    const messages = await this.em.transactional(async (em) => {
      const draft = await new DraftService(em, this.viewer, this.requestId).get(draftId);
      const svc = new MessageService(em, this.viewer, this.requestId, this.sink, events);
      const common = {
        idempotencyKey,
        body: draft.bodyHtml,
        readReceiptRequested: draft.readReceiptRequested,
        addSignature: draft.addSignature,
        attachmentIds: draft.attachmentIds,
        fromSharedMailboxId: draft.fromMailbox?.id ?? null,
      };
      const sent = draft.replyTo
        ? [await svc.reply(draft.replyTo.id, { ...common, subject: draft.subject || null })]
        : await svc.send({ ...common, subject: draft.subject, to: draft.addressees, caseId: draft.case?.id ?? null });
      em.remove(draft);
      await em.flush();
      await events.recordIn(em, this.sink);
      return sent;
    });
    await events.flushTo(this.sink);
    return messages;
  }

  async delete(draftId: string): Promise<boolean> {
    const draft = await this.get(draftId);
    await this.em.remove(draft).flush();
    return true;
  }
}
