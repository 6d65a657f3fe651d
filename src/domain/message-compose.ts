import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { PartyKind, type PartyRef } from '../entities/party';
import { AppError, badInput, ErrorCode } from '../errors';
import { htmlToText, MAX_BODY_CHARS, sanitizeBody, textToHtml } from './html';
import { isId } from './ids';
import type { EventBuffer, EventSink } from './notices';
import { singleLineText } from './text';

// What every way of writing a message shares: the input it takes, how that input is checked, and who the sender is.

export const MAX_ATTACHMENTS = 5;
export const MAX_SUBJECT_CHARS = 200;

/** Who is calling, and where the writes and their events go: one per operation. */
export interface MessagingCall {
  em: EntityManager;
  viewer: Viewer;
  requestId: string;
  sink?: EventSink;
  /** Set when a caller's transaction wraps these writes: its events then wait for that transaction. */
  unitOfWork?: EventBuffer;
}

export interface Addressees {
  personIds?: readonly string[] | null;
  staffIds?: readonly string[] | null;
  sharedMailboxIds?: readonly string[] | null;
}

export interface ComposeInput {
  subject: string;
  body: string;
  readReceiptRequested?: boolean | null;
  attachmentIds?: readonly string[] | null;
  addSignature?: boolean | null;
}

export interface SendInput extends ComposeInput {
  idempotencyKey: string;
  to: Addressees;
  /** Send on behalf of this shared mailbox (staff who are members). */
  fromSharedMailboxId?: string | null;
  /** The case the message is about; defaults to the case that links sender and citizen. */
  caseId?: string | null;
}

export interface ReplyInput {
  idempotencyKey: string;
  subject?: string | null;
  body: string;
  readReceiptRequested?: boolean | null;
  attachmentIds?: readonly string[] | null;
  addSignature?: boolean | null;
  fromSharedMailboxId?: string | null;
}

export interface Sender {
  party: PartyRef;
  /** The staff member who writes (also when from a shared mailbox). */
  staffId?: string;
  mailboxId?: string;
  personId?: string;
  displayName: string;
  /** The municipality of the sending mailbox's unit (notifications' "from"), when read. */
  municipality?: string | null;
}

export type MessageBody = { html: string; text: string };

export const personParty = (id: string): PartyRef => ({ kind: PartyKind.PERSON, id });
export const staffParty = (id: string): PartyRef => ({ kind: PartyKind.STAFF, id });
export const mailboxParty = (id: string): PartyRef => ({ kind: PartyKind.SHARED_MAILBOX, id });

export function replySubject(subject: string): string {
  return /^(sv|re):/i.test(subject.trim()) ? subject.trim() : `SV: ${subject.trim()}`;
}

export function cleanSubject(subject: string): string {
  const s = singleLineText(subject);
  if (!s) throw badInput('subject', 'Write a subject (ämne).');
  if (s.length > MAX_SUBJECT_CHARS)
    throw badInput('subject', `Keep the subject under ${MAX_SUBJECT_CHARS} characters.`);
  return s;
}

export function cleanBody(body: string): MessageBody {
  if (body.length > MAX_BODY_CHARS)
    throw badInput('body', `The message is too long: keep it under ${MAX_BODY_CHARS} characters.`);
  const html = sanitizeBody(body);
  const text = htmlToText(html);
  if (!text) throw badInput('body', 'Write a message: the body is empty.');
  return { html, text };
}

export function checkKey(key: string): string {
  const k = key.trim();
  if (!/^[A-Za-z0-9._:-]{8,100}$/.test(k)) {
    throw badInput(
      'idempotencyKey',
      'Send a client-generated idempotency key of 8–100 letters, digits, dots, dashes or colons (a UUID is ideal).',
    );
  }
  return k;
}

export function uniqueIds(ids: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set(ids ?? [])];
  // A string that is not an id (the type guard makes it `never` to TypeScript).
  const bad = list.find((id) => !isId(id)) as string | undefined;
  if (bad !== undefined)
    throw new AppError(ErrorCode.NOT_FOUND, `No recipient with id "${bad}" exists, or you may not write to them.`, {
      field,
    });
  return list;
}

/** The attachments' ids, each once, at most MAX_ATTACHMENTS (TOO_MANY_FILES). */
export function attachmentIdsOf(ids: readonly string[] | null | undefined): string[] {
  const list = uniqueIds(ids, 'attachmentIds');
  if (list.length > MAX_ATTACHMENTS)
    throw new AppError(
      ErrorCode.TOO_MANY_FILES,
      `A message can carry at most ${MAX_ATTACHMENTS} attachments. Send the rest in another message.`,
      { field: 'attachmentIds' },
    );
  return list;
}

/** The body with the staff member's signature under it, when asked for and there is one. */
export function withSignature(body: MessageBody, signatureText: string | null | undefined): MessageBody {
  const signature = signatureText?.trim();
  if (!signature) return body;
  return { html: `${body.html}${textToHtml(`--\n${signature}`)}`, text: `${body.text}\n\n--\n${signature}` };
}

/**
 * The sender when it is the viewer's own party: a citizen always (never from
 * a shared mailbox), staff when no mailbox is asked for. Undefined when a
 * staff member writes from a shared mailbox: the caller checks that mailbox.
 */
export function ownSender(viewer: Viewer, fromSharedMailboxId?: string | null): Sender | undefined {
  if (viewer.kind === 'citizen') {
    if (fromSharedMailboxId) throw badInput('fromSharedMailboxId', 'Citizens send as themselves.');
    const person = viewer.person;
    return { party: personParty(person.id), personId: person.id, displayName: person.name };
  }
  if (fromSharedMailboxId) return undefined;
  const staff = viewer.staff;
  return { party: staffParty(staff.id), staffId: staff.id, displayName: staff.name };
}

/** Refuses a citizen without the e-service (M5). */
export function assertViewerActive(viewer: Viewer, active: boolean | null): void {
  if (viewer.kind === 'citizen' && !active)
    throw new AppError(
      ErrorCode.E_SERVICE_NOT_ACTIVATED,
      'Messaging is not activated for you. Ask your caseworker to activate the e-service.',
    );
}
