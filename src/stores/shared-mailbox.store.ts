import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuid } from '../domain/sql';
import { query } from './query';

/** Adds the member unless already one (a second add is harmless); true when a row was written. */
export async function addMailboxMember(em: EntityManager, p: { mailboxId: string; staffId: string }): Promise<boolean> {
  const inserted = await query(
    em,
    sql`insert into shared_mailbox_member (id, created_at, mailbox_id, staff_id)
        values (${uuid(randomUUID())}, now(), ${uuid(p.mailboxId)}, ${uuid(p.staffId)})
        on conflict (mailbox_id, staff_id) do nothing returning id`,
  );
  return inserted.length > 0;
}
