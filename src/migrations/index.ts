import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000001Platform } from './Migration20261125000001Platform';
import { Migration20261125000002Messaging } from './Migration20261125000002Messaging';
import { Migration20261125000003Journal } from './Migration20261125000003Journal';
import { Migration20261125000004Notifications } from './Migration20261125000004Notifications';
import { Migration20261202000001BrowserSessions } from './Migration20261202000001BrowserSessions';
import { Migration20261202000010MailboxMembershipChanges } from './Migration20261202000010MailboxMembershipChanges';
import { Migration20261202000020Retention } from './Migration20261202000020Retention';
import { Migration20261202000030CaseDocumentPdfs } from './Migration20261202000030CaseDocumentPdfs';
import { Migration20261202000040PersonFlags } from './Migration20261202000040PersonFlags';
import { Migration20261202000050RelationRights } from './Migration20261202000050RelationRights';
import { Migration20261203000010UnreadCounts } from './Migration20261203000010UnreadCounts';

/** Committed migrations in the order they run. Add each new migration here. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261125000001Platform', class: Migration20261125000001Platform },
  { name: 'Migration20261125000002Messaging', class: Migration20261125000002Messaging },
  { name: 'Migration20261125000003Journal', class: Migration20261125000003Journal },
  { name: 'Migration20261125000004Notifications', class: Migration20261125000004Notifications },
  { name: 'Migration20261202000001BrowserSessions', class: Migration20261202000001BrowserSessions },
  { name: 'Migration20261202000010MailboxMembershipChanges', class: Migration20261202000010MailboxMembershipChanges },
  { name: 'Migration20261202000020Retention', class: Migration20261202000020Retention },
  { name: 'Migration20261202000030CaseDocumentPdfs', class: Migration20261202000030CaseDocumentPdfs },
  { name: 'Migration20261202000040PersonFlags', class: Migration20261202000040PersonFlags },
  { name: 'Migration20261202000050RelationRights', class: Migration20261202000050RelationRights },
  { name: 'Migration20261203000010UnreadCounts', class: Migration20261203000010UnreadCounts },
];
