import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuid, type Sql } from '../domain/sql';
import { AccessLogEntry, type AccessAction } from '../entities/access-log-entry';
import type { StaffRole } from '../entities/staff';
import { query } from './query';

/** An access-log row as the export writes it, with the staff member's name. */
export interface AccessLogExportRow {
  id: string;
  /** The exact time (ISO), the keyset for the next batch. */
  created_at: string;
  /** Swedish local time, as people read it. */
  local_time: string;
  action: AccessAction;
  actor_role: StaffRole;
  request_id: string;
  person_id: string;
  username: string;
  given_name: string;
  family_name: string;
}

/**
 * The access-log rows (alias `l`) about a person and/or by a staff member (at least one of them given), before the
 * keyset (the exact time as text, and the id) when given: newest first, that is the next page.
 */
function accessLogWhere(p: {
  personId: string | null;
  actorId: string | null;
  before?: { at: string; id: string };
}): Sql {
  const conditions: Sql[] = [];
  if (p.personId) conditions.push(sql`l.person_id = ${uuid(p.personId)}`);
  if (p.actorId) conditions.push(sql`l.actor_id = ${uuid(p.actorId)}`);
  if (p.before) conditions.push(sql`(l.created_at, l.id) < (${p.before.at}::timestamptz, ${uuid(p.before.id)})`);
  return conditions.reduce((acc, c) => sql`${acc} and ${c}`);
}

/**
 * One batch of the access log, newest first: about a person and/or by a staff member (either or both), before
 * the keyset `before` when given.
 */
export function accessLogExportBatch(
  em: EntityManager,
  p: { personId: string | null; staffId: string | null; before?: { at: string; id: string }; limit: number },
): Promise<AccessLogExportRow[]> {
  const where = accessLogWhere({ personId: p.personId, actorId: p.staffId, before: p.before });
  return query<AccessLogExportRow>(
    em,
    sql`select l.id, to_json(l.created_at) #>> '{}' as created_at,
               to_char(l.created_at at time zone 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI:SS') as local_time,
               l.action, l.actor_role, l.request_id, l.person_id, s.username, s.given_name, s.family_name
          from access_log_entry l join staff s on s.id = l.actor_id
         where ${where}
         order by l.created_at desc, l.id desc
         limit ${p.limit}`,
  );
}

/** Who read, and why, for {@link accessLogInsert}. */
export interface AccessLogRead {
  actorId: string;
  role: StaffRole;
  action: AccessAction;
  requestId: string;
}

/**
 * An insert of one access-log row for each person the query `personIds` gives (column `person_id`), to run as a
 * data-modifying CTE of the statement that reads them: the log is written with the read, or not at all.
 */
export function accessLogInsert(read: AccessLogRead, personIds: Sql): Sql {
  return sql`insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
    select gen_random_uuid(), now(), ${uuid(read.actorId)}, ${read.role}::staff_role, x.person_id,
           ${read.action}::access_action, ${read.requestId}
      from (${personIds}) x`;
}

/**
 * One page of the access log, newest first: about a person and/or by a staff member (either or both), before the
 * keyset `before` when given; each entry with its exact time as text, the keyset of the next page. Rows written by
 * one statement share an instant to the microsecond, which a JavaScript Date (milliseconds) cannot carry: a keyset
 * from one would skip the rest of that instant's rows.
 */
export async function accessLogPage(
  em: EntityManager,
  p: { personId: string | null; actorId: string | null; before?: { at: string; id: string }; limit: number },
): Promise<{ entry: AccessLogEntry; at: string }[]> {
  const where = accessLogWhere(p);
  const rows = await query<Record<string, unknown> & { exact_at: string }>(
    em,
    sql`select l.*, to_json(l.created_at) #>> '{}' as exact_at from access_log_entry l
         where ${where} order by l.created_at desc, l.id desc limit ${p.limit}`,
  );
  return rows.map(({ exact_at, ...row }) => ({ entry: em.map(AccessLogEntry, row), at: exact_at }));
}
