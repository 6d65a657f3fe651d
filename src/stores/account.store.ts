import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, textArray } from '../domain/sql';
import type { StaffRole } from '../entities/staff';
import { query } from './query';

/** A staff account's row, every column of the `Staff` entity. */
export interface StaffAccountRow {
  id: string;
  created_at: Date;
  username: string;
  given_name: string;
  family_name: string;
  title: string | null;
  role: StaffRole;
  unit_id: string;
  active: boolean;
}

/**
 * The staff accounts with these usernames, in one statement, as plain rows:
 * the websocket's sign-in looks up the callers of many sockets at once and
 * keeps plain copies, so it needs no entities of an EntityManager.
 */
export function staffAccountsByUsername(em: EntityManager, args: { usernames: string[] }): Promise<StaffAccountRow[]> {
  return query<StaffAccountRow>(
    em,
    sql`select id, created_at, username, given_name, family_name, title, role, unit_id, active
          from "staff" where username = any(${textArray(args.usernames)})`,
  );
}
