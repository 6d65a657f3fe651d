import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, uuidArray } from '../domain/sql';
import type { PartyKind } from '../entities/party';
import { query } from './query';

// Parties as a conversation lists them: plain rows and names, no entities (an inbox page lists hundreds).

/** The participants of these conversations, in the order they joined. */
export function participantsOfConversations(
  em: EntityManager,
  p: { conversationIds: readonly string[] },
): Promise<{ conversation_id: string; kind: PartyKind; party_id: string }[]> {
  return query(
    em,
    sql`select p.conversation_id, p.kind, coalesce(p.staff_id, p.mailbox_id, p.person_id) as party_id
        from conversation_participant p
        where p.conversation_id = any(${uuidArray(p.conversationIds)}) order by p.created_at, p.id`,
  );
}

/**
 * Display names (and staff titles) by `KIND:id`, in one statement for all three kinds, without loading whole
 * rows (a person's contact details are not needed to show a name).
 */
export function partyNames(
  em: EntityManager,
  p: { staffIds: readonly string[]; mailboxIds: readonly string[]; personIds: readonly string[] },
): Promise<{ key: string; name: string; title: string | null }[]> {
  return query(
    em,
    sql`select 'STAFF:' || id as key, given_name || ' ' || family_name as name, title from staff where id = any(${uuidArray(p.staffIds)})
       union all
       select 'SHARED_MAILBOX:' || id, name, null from shared_mailbox where id = any(${uuidArray(p.mailboxIds)})
       union all
       select 'PERSON:' || id, given_name || ' ' || family_name, null from person where id = any(${uuidArray(p.personIds)})`,
  );
}
