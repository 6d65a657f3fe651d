import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { downloadableAttachments } from '../domain/attachment-policy';
import { citizenLinks } from '../domain/rules';
import { sql, uuidArray } from '../domain/sql';
import { Attachment } from '../entities/attachment';
import { query } from './query';

/** True when the citizen is linked to a case today (its holder, or a relation activated and valid on `today`). */
export async function hasCaseLink(em: EntityManager, args: { personId: string; today: string }): Promise<boolean> {
  const linked = await query(em, sql`select 1 from (${citizenLinks.sql(args.personId, args.today)}) l limit 1`);
  return linked.length > 0;
}

/** The attachments among `ids` that the viewer may open ({@link downloadableAttachments}), in one statement. */
export async function downloadableAttachmentsById(
  em: EntityManager,
  args: { ids: readonly string[]; viewer: Viewer },
): Promise<Attachment[]> {
  const rows = await query(
    em,
    sql`select a.* from attachment a
         where a.id = any(${uuidArray(args.ids)}) and ${downloadableAttachments(args.viewer, 'a')}`,
  );
  return rows.map((row) => em.map(Attachment, row));
}

/** The attachment when the viewer may open it, else null. */
export async function downloadableAttachment(
  em: EntityManager,
  args: { id: string; viewer: Viewer },
): Promise<Attachment | null> {
  const [attachment] = await downloadableAttachmentsById(em, { ids: [args.id], viewer: args.viewer });
  return attachment ?? null;
}
