import type { Context } from '../context';
import type { Case } from '../entities/case';
import type { Person } from '../entities/person';
import { notFound } from '../errors';

/**
 * The case behind an edge (Relation.case, Assignment.case, JournalEntry.case,
 * CaseDocument.case), through the loader that returns only cases the viewer
 * may open: NOT_FOUND otherwise, exactly as `case(id)` answers.
 */
export async function caseEdge(ctx: Context, id: string): Promise<Case> {
  const found = await ctx.loaders.case.load(id);
  if (!found) throw notFound('case');
  return found;
}

/**
 * The person behind an edge (Case.holder, Relation.person, JournalEntry.person),
 * through the loader that returns only persons the viewer may see (R1, R2,
 * R4): NOT_FOUND otherwise, exactly as `person(id)` answers.
 */
export async function personEdge(ctx: Context, id: string): Promise<Person> {
  const found = await ctx.loaders.person.load(id);
  if (!found) throw notFound('person');
  return found;
}
