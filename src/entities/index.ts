import { AccessLogEntry } from './access-log-entry';
import { Attachment, AttachmentBlob } from './attachment';
import { BrowserSession, OidcLogin } from './browser-session';
import { ContactList, ContactListEntry } from './contact-list';
import { Conversation, ConversationParticipant } from './conversation';
import { Draft } from './draft';
import { AutoReplySent, MailboxSettings } from './mailbox-settings';
import { Message, MessageEvent, MessageRecipient, SendRequest } from './message';
import { Assignment, Case, Intervention } from './case';
import { CaseDocument } from './case-document';
import { CaseDocumentPdf } from './case-document-pdf';
import { JournalEntry } from './journal-entry';
import { LegalHold } from './legal-hold';
import { Notice } from './notice';
import { NotificationDelivery } from './notification-delivery';
import { Person } from './person';
import { RegisterExtract } from './register-extract';
import { Relation } from './relation';
import { RetentionRun } from './retention-run';
import { MailboxMembershipChange, SharedMailbox, SharedMailboxMember } from './shared-mailbox';
import { Staff } from './staff';
import { Unit } from './unit';
import { UnreadCount, UnreadDelta } from './unread-count';

/** Every entity, listed explicitly so discovery works the same from ts, dist and jest. */
export const entities = [
  Unit,
  Staff,
  SharedMailbox,
  SharedMailboxMember,
  MailboxMembershipChange,
  Person,
  Case,
  Intervention,
  Assignment,
  Relation,
  AccessLogEntry,
  Conversation,
  ConversationParticipant,
  Message,
  MessageRecipient,
  UnreadCount,
  UnreadDelta,
  MessageEvent,
  SendRequest,
  Attachment,
  AttachmentBlob,
  Draft,
  MailboxSettings,
  AutoReplySent,
  ContactList,
  ContactListEntry,
  JournalEntry,
  CaseDocument,
  CaseDocumentPdf,
  Notice,
  NotificationDelivery,
  BrowserSession,
  OidcLogin,
  RetentionRun,
  LegalHold,
  RegisterExtract,
];
