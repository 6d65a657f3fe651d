import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { NoticeKind, type NoticePayload } from '../entities/notice';
import { partyKey } from '../entities/party';
import { badInput } from '../errors';
import { query, sql, textArray } from './sql';
import { readableConversations, viewerParties } from './messaging-policy';
import type { DomainEvent } from './notices';

/** A stored notice as clients get it. */
export interface NoticeRecord {
  seq: string;
  partyKey: string;
  kind: NoticeKind;
  payload: NoticePayload;
}

/** Serialises the writers of notices: seq order is then commit order (see Notice). */
const NOTICE_LOCK = 727002;


/**
 * Turns committed-to-be domain events into notice rows, inside the caller's
 * transaction and as its last step (the advisory lock is held until commit).
 * One statement for the unread counts, one for the inserts.
 */
export async function recordNotices(em: EntityManager, events: readonly DomainEvent[]): Promise<NoticeRecord[]> {
  const rows: { partyKey: string; kind: NoticeKind; payload: NoticePayload }[] = [];
  const countFor = new Set<string>();
  for (const e of events) {
    const at = (e.type === 'message.sent' ? e.sentAt : e.readAt).toISOString();
    if (e.type === 'message.sent') {
      for (const r of e.recipients) {
        const key = partyKey(r);
        rows.push({ partyKey: key, kind: NoticeKind.NEW_MESSAGE, payload: { conversationId: e.conversationId, messageId: e.messageId, subject: e.subject, senderName: e.senderName, at } });
        countFor.add(key);
      }
    } else {
      if (e.receiptRequested) {
        rows.push({ partyKey: partyKey(e.sender), kind: NoticeKind.READ_RECEIPT, payload: { conversationId: e.conversationId, messageId: e.messageId, readerName: e.readerName, at } });
      }
      countFor.add(partyKey(e.reader));
    }
  }
  if (!rows.length && !countFor.size) return [];
  const conn = em.getConnection();
  const trx = em.getTransactionContext();
  await conn.execute('select pg_advisory_xact_lock(?)', [NOTICE_LOCK], 'all', trx);
  if (countFor.size) {
    const counts = await query<{ party_key: string; unread: number }>(
      em,
      sql`select k.party_key, (select count(*)::int from message_recipient r where r.party_key = k.party_key and r.read_at is null) as unread
         from unnest(${textArray([...countFor])}) as k(party_key)`,
    );
    const at = new Date().toISOString();
    for (const c of counts) rows.push({ partyKey: c.party_key, kind: NoticeKind.UNREAD_COUNT, payload: { unreadCount: c.unread, at } });
  }
  const inserted: { seq: string; party_key: string; kind: NoticeKind; payload: NoticePayload }[] = await conn.execute(
    `insert into notice (party_key, kind, payload, created_at)
     select x.party_key, x.kind::notice_kind, x.payload, now() from jsonb_to_recordset(?::jsonb) as x(party_key text, kind text, payload jsonb)
     returning seq::text as seq, party_key, kind, payload`,
    [JSON.stringify(rows.map((r) => ({ party_key: r.partyKey, kind: r.kind, payload: r.payload })))],
    'all',
    trx,
  );
  return inserted.map((r) => ({ seq: r.seq, partyKey: r.party_key, kind: r.kind, payload: r.payload }));
}

export const MAX_NOTICES_PER_CALL = 500;

export function parseCursor(cursor: string | null | undefined): string | null {
  if (cursor == null || cursor === '') return null;
  if (!/^\d{1,19}$/.test(cursor)) throw badInput('cursor', 'The cursor is not one this API gave out. Use the cursor of the last notice you received.');
  return cursor;
}

/**
 * The viewer's notices after a cursor, oldest first, for the mailboxes they
 * have now (a staff member removed from a shared mailbox no longer sees its
 * notices) and about conversations they may read now (M6). Without a cursor: none, and the current cursor to start from.
 */
export async function noticesSince(
  em: EntityManager,
  viewer: Viewer,
  cursor: string | null,
): Promise<{ notices: NoticeRecord[]; cursor: string; hasMore: boolean }> {
  const conn = em.getConnection();
  if (cursor === null) {
    const [{ seq }] = await conn.execute('select coalesce(max(seq), 0)::text as seq from notice');
    return { notices: [], cursor: seq, hasMore: false };
  }
  const limit = MAX_NOTICES_PER_CALL;
  const keys = (await viewerParties(em, viewer)).map(partyKey);
  const rows = await query<{ seq: string; party_key: string; kind: NoticeKind; payload: NoticePayload }>(
    em,
    // Order by the bigint column itself: the text alias would sort "10" before "9".
    // A notice about a conversation goes only to who may read that conversation now (a relation that ended no longer does).
    sql`select n.seq::text as seq, n.party_key, n.kind, n.payload from notice n
      where n.seq > ${cursor}::bigint and n.party_key = any(${textArray(keys)})
        and (n.payload->>'conversationId' is null
             or exists (select 1 from conversation c where c.id = (n.payload->>'conversationId')::uuid and ${readableConversations(viewer, keys, 'c')}))
      order by n.seq limit ${limit + 1}`,
  );
  const notices = rows.slice(0, limit).map((r) => ({ seq: r.seq, partyKey: r.party_key, kind: r.kind, payload: r.payload }));
  return { notices, cursor: notices.length ? notices[notices.length - 1].seq : cursor, hasMore: rows.length > limit };
}
