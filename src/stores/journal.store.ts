import type { EntityManager } from '@mikro-orm/postgresql';
import { JournalEntry } from '../entities/journal-entry';
import { join, sql, uuid, type Sql } from '../domain/sql';
import { query } from './query';

// The statements on journal entries. Who may read an entry is decided in src/domain (readableJournalEntries, alias
// j) and arrives here as a fragment.

/** Row lock on the message being journaled: journaling of one message is serialised, so a double click files it once. */
export async function lockMessageForJournaling(em: EntityManager, { messageId }: { messageId: string }): Promise<void> {
  await query(em, sql`select 1 from message where id = ${uuid(messageId)} for update`);
}

/** Row lock on an entry about to be corrected (fires no trigger): two corrections of it cannot both pass the checks. */
export async function lockEntryForCorrection(em: EntityManager, { entryId }: { entryId: string }): Promise<void> {
  await query(em, sql`select 1 from journal_entry where id = ${uuid(entryId)} for update`);
}

/** The entry in the person's file, when `readable` (over alias j) lets the caller read it. */
export async function findReadableEntry(
  em: EntityManager,
  { entryId, personId, readable }: { entryId: string; personId: string; readable: Sql },
): Promise<JournalEntry | null> {
  const [row] = await query(
    em,
    sql`select j.* from journal_entry j where j.id = ${uuid(entryId)} and j.person_id = ${uuid(personId)} and ${readable}`,
  );
  return row ? em.map(JournalEntry, row) : null;
}

/**
 * One page of a case's journal, newest first: at most `limit` entries the caller may read (`readable`, alias j),
 * of one intervention when given, after the cursor's (created_at, id) when given.
 */
export async function caseJournalPage(
  em: EntityManager,
  {
    caseId,
    readable,
    interventionId,
    after,
    limit,
  }: {
    caseId: string;
    readable: Sql;
    interventionId?: string | null;
    after?: [createdAt: string, id: string];
    limit: number;
  },
): Promise<JournalEntry[]> {
  const where: Sql[] = [sql`j.case_id = ${uuid(caseId)}`, readable];
  if (interventionId) where.push(sql`j.intervention_id = ${uuid(interventionId)}`);
  if (after) where.push(sql`(j.created_at, j.id) < (${after[0]}::timestamptz, ${uuid(after[1])})`);
  const rows = await query(
    em,
    sql`select j.* from journal_entry j where ${join(where, 'and')} order by j.created_at desc, j.id desc limit ${limit}`,
  );
  return rows.map((row) => em.map(JournalEntry, row));
}
