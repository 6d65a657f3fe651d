import { AccessLogResolver } from './access-log.resolver';
import { AssignmentResolver, CaseResolver, MessageSenderRelationResolver, RelationResolver } from './case.resolver';
import { AssignmentDocumentsResolver, CaseDocumentPdfResolver, CaseDocumentResolver } from './case-document.resolver';
import { CitizenResolver } from './citizen.resolver';
import { ContactListResolver } from './contact-list.resolver';
import { DraftResolver } from './draft.resolver';
import { MailboxSettingsResolver } from './mailbox-settings.resolver';
import { AttachmentResolver, MessageResolver } from './message.resolver';
import { ConversationResolver } from './conversation.resolver';
import { JournalResolver, MessageJournalResolver } from './journal.resolver';
import { NoticeResolver } from './notice.resolver';
import { NotificationResolver } from './notification.resolver';
import { PersonResolver } from './person.resolver';
import { LegalHoldResolver, RetentionResolver } from './retention.resolver';
import { RegisterExtractResolver } from './register-extract.resolver';
import { MailboxMembershipChangeResolver, SharedMailboxResolver, StaffResolver, UnitResolver } from './staff.resolver';

export const resolvers = [
  PersonResolver,
  CaseResolver,
  RelationResolver,
  AssignmentResolver,
  StaffResolver,
  UnitResolver,
  SharedMailboxResolver,
  MailboxMembershipChangeResolver,
  CitizenResolver,
  AccessLogResolver,
  ConversationResolver,
  MessageResolver,
  MessageSenderRelationResolver,
  AttachmentResolver,
  DraftResolver,
  MailboxSettingsResolver,
  ContactListResolver,
  JournalResolver,
  MessageJournalResolver,
  CaseDocumentResolver,
  CaseDocumentPdfResolver,
  AssignmentDocumentsResolver,
  NoticeResolver,
  NotificationResolver,
  RetentionResolver,
  LegalHoldResolver,
  RegisterExtractResolver,
] as const;
