import type { EntityManager } from '@mikro-orm/postgresql';
import { JournalEntry } from '../entities/journal-entry';
import { join, sql, uuid, type Sql } from '../domain/sql';
import { accessLogInsert, type AccessLogRead } from './access-log.store';
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
 * One page of a case's journal, newest first, if the case is among `visibleCases` (a select of case ids; else
 * null): at most `limit` entries the caller may read (`readable`, alias j), of one intervention when given, after
 * the cursor's (created_at, id) when given; the read written to the access log, about the case holder, by the same
 * statement.
 */
export async function caseJournalPage(
  em: EntityManager,
  p: {
    caseId: string;
    visibleCases: Sql;
    readable: Sql;
    interventionId?: string | null;
    after?: [createdAt: string, id: string];
    limit: number;
    log: AccessLogRead;
  },
): Promise<JournalEntry[] | null> {
  const where: Sql[] = [sql`j.case_id = vc.id`, p.readable];
  if (p.interventionId) where.push(sql`j.intervention_id = ${uuid(p.interventionId)}`);
  if (p.after) where.push(sql`(j.created_at, j.id) < (${p.after[0]}::timestamptz, ${uuid(p.after[1])})`);
  // One row with the case and no entry when the page is empty; none when the case is not visible.
  const rows = await query<Record<string, unknown> & { visible_case_id: string }>(
    em,
    sql`with vc as (select c.id, c.holder_id from case_file c where c.id = ${uuid(p.caseId)} and c.id in (${p.visibleCases})),
      page as (select j.* from vc join journal_entry j on ${join(where, 'and')}
                order by j.created_at desc, j.id desc limit ${p.limit}),
      logged as (${accessLogInsert(p.log, sql`select vc.holder_id as person_id from vc`)})
      select vc.id as visible_case_id, page.* from vc left join page on true
       order by page.created_at desc, page.id desc`,
  );
  if (!rows.length) return null;
  return rows.filter((r) => r.id != null).map(({ visible_case_id: _, ...row }) => em.map(JournalEntry, row));
}
