import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { downloadableAttachments } from '../domain/attachment-policy';
import { citizenLinks } from '../domain/rules';
import { sql, uuid } from '../domain/sql';
import { Attachment } from '../entities/attachment';
import { query } from './query';

/** True when the citizen is linked to a case today (its holder, or a relation activated and valid on `today`). */
export async function hasCaseLink(em: EntityManager, args: { personId: string; today: string }): Promise<boolean> {
  const linked = await query(em, sql`select 1 from (${citizenLinks.sql(args.personId, args.today)}) l limit 1`);
  return linked.length > 0;
}

/** The attachment when the viewer may open it ({@link downloadableAttachments}), else null. */
export async function downloadableAttachment(
  em: EntityManager,
  args: { id: string; viewer: Viewer },
): Promise<Attachment | null> {
  const [row] = await query(
    em,
    sql`select a.* from attachment a where a.id = ${uuid(args.id)} and ${downloadableAttachments(args.viewer, 'a')}`,
  );
  return row ? em.map(Attachment, row) : null;
}
