import type { EntityManager } from '@mikro-orm/postgresql';
import { citizenLinks } from '../domain/rules';
import { sql, uuid } from '../domain/sql';
import { Case } from '../entities/case';
import { query } from './query';

/** The case, when the citizen is linked to it on `today` (its holder, or a usable relation): what a citizen's draft may be about. */
export async function citizenLinkedCase(
  em: EntityManager,
  args: { caseId: string; personId: string; today: string },
): Promise<Case | null> {
  const [row] = await query(
    em,
    sql`select c.* from case_file c where c.id = ${uuid(args.caseId)} and c.id in (select l.id from (${citizenLinks.sql(args.personId, args.today)}) l)`,
  );
  return row ? em.map(Case, row) : null;
}
