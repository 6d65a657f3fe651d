import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuid, type Sql } from '../domain/sql';
import type { AccessAction } from '../entities/access-log-entry';
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
 * One batch of the access log, newest first: about a person and/or by a staff member (either or both), before
 * the keyset `before` when given.
 */
export function accessLogExportBatch(
  em: EntityManager,
  p: { personId: string | null; staffId: string | null; before?: { at: string; id: string }; limit: number },
): Promise<AccessLogExportRow[]> {
  const conditions: Sql[] = [];
  if (p.personId) conditions.push(sql`l.person_id = ${uuid(p.personId)}`);
  if (p.staffId) conditions.push(sql`l.actor_id = ${uuid(p.staffId)}`);
  if (p.before) conditions.push(sql`(l.created_at, l.id) < (${p.before.at}::timestamptz, ${uuid(p.before.id)})`);
  const where = conditions.reduce((acc, c) => sql`${acc} and ${c}`);
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
