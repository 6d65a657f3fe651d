import type { Viewer } from '../auth/viewer';
import { readableJournalEntries } from './access-policy';
import { readableConversations, viewerPartyKeys } from './message-policy';
import { raw, sql, uuid, type Sql } from './sql';

/**
 * The attachments (alias given) a viewer may open, as the download route and
 * every edge that returns an attachment apply it: one in a conversation the
 * viewer may read (M6, a citizen only while linked to its case), one
 * journaled in an entry the viewer may read (a document in the person's
 * file), or the viewer's own upload not sent yet.
 */
export function downloadableAttachments(viewer: Viewer, alias = 'a'): Sql {
  const a = raw(alias);
  const ownUpload =
    viewer.kind === 'staff'
      ? sql`${a}.uploaded_by_staff_id = ${uuid(viewer.staff.id)}`
      : sql`${a}.uploaded_by_person_id = ${uuid(viewer.person.id)}`;
  return sql`((${a}.message_id is null and ${ownUpload})
    or (${a}.message_id is not null and (
      exists (select 1 from message m join conversation c on c.id = m.conversation_id
               where m.id = ${a}.message_id and ${readableConversations(viewer, viewerPartyKeys(viewer), 'c')})
      or exists (select 1 from journal_entry j where j.attachment_id = ${a}.id and ${readableJournalEntries(viewer, 'j')}))))`;
}
