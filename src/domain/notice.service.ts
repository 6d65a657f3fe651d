import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { NoticeKind, type NoticePayload } from '../entities/notice';
import { partyKey } from '../entities/party';
import { badInput } from '../errors';
import { sql, textArray, uuidArray, type Sql } from './sql';
import { query } from '../stores/query';
import { readableConversations, viewerParties } from './messaging-policy';
import type { DomainEvent } from './notices';

/** A stored notice as clients get it. */
export interface NoticeRecord {
  seq: string;
  partyKey: string;
  kind: NoticeKind;
  payload: NoticePayload;
}

/** Seed of the advisory-lock keys of viewer topics (see viewerLocks). */
const NOTICE_LOCK_SEED = 727002;

/** Who belongs to the shared mailboxes notices went to, as read while their viewers' locks were taken. */
export interface MailboxMember {
  mailbox_id: string;
  staff_id: string;
}

/**
 * The order guarantee of notices without a global lock. A viewer reads the
 * notices of their own party and of their shared mailboxes by `seq`; every
 * writer of a notice a viewer can read takes that viewer's transaction-scoped
 * advisory lock (persons and staff as themselves, a shared mailbox as each of
 * its members) before its notices get their seq, and keeps it until commit.
 * So, per viewer, seq order is commit order: a viewer who has seen seq N has
 * seen every notice of theirs below it. Writers to different viewers no longer
 * wait for each other. Locks are taken in one statement in key order, as the
 * writer's last step before its notices, so writers cannot deadlock on them.
 *
 * As an SQL select (one row: `locked`, `members`), to run on its own or as the
 * main select of a writer's last data-modifying statement.
 */
export function viewerLocks(partyKeys: readonly string[]): Sql {
  const keys = [...new Set(partyKeys)];
  const mailboxIds = keys.filter((k) => k.startsWith(MAILBOX_PREFIX)).map((k) => k.slice(MAILBOX_PREFIX.length));
  const direct = keys.filter((k) => !k.startsWith(MAILBOX_PREFIX));
  return sql`select (select count(*)::int from (select pg_advisory_xact_lock(l.h) from (
        select distinct hashtextextended(t.topic, ${NOTICE_LOCK_SEED}) as h from (
          select d.topic from unnest(${textArray(direct)}) as d(topic)
          union all select 'STAFF:' || m.staff_id from shared_mailbox_member m where m.mailbox_id = any(${uuidArray(mailboxIds)})) t
        order by 1) l) x) as locked,
      (select coalesce(json_agg(json_build_object('mailbox_id', m.mailbox_id, 'staff_id', m.staff_id)), '[]'::json)
         from shared_mailbox_member m where m.mailbox_id = any(${uuidArray(mailboxIds)})) as members`;
}

const MAILBOX_PREFIX = 'SHARED_MAILBOX:';

/** What recording notices produced: the rows (for the wake-ups) and the members of the mailboxes among them. */
export interface RecordedNotices {
  notices: NoticeRecord[];
  members: MailboxMember[];
}

/** The party keys whose viewers a set of events will write notices to. */
export function noticeParties(events: readonly DomainEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.type === 'message.sent') for (const r of e.recipients) keys.add(partyKey(r));
    else {
      if (e.receiptRequested) keys.add(partyKey(e.sender));
      keys.add(partyKey(e.reader));
    }
  }
  return [...keys];
}

/**
 * Turns committed-to-be domain events into notice rows, inside the caller's
 * transaction and as its last step: the viewers' locks (one statement, unless
 * the caller already took them with {@link viewerLocks} and passes the
 * members it read), then the unread counts and the inserts (one statement).
 */
export async function recordNotices(
  em: EntityManager,
  events: readonly DomainEvent[],
  locked?: { members: MailboxMember[] },
): Promise<RecordedNotices> {
  const rows: { partyKey: string; kind: NoticeKind; payload: NoticePayload }[] = [];
  const countFor = new Set<string>();
  for (const e of events) {
    const at = (e.type === 'message.sent' ? e.sentAt : e.readAt).toISOString();
    if (e.type === 'message.sent') {
      for (const r of e.recipients) {
        const key = partyKey(r);
        rows.push({
          partyKey: key,
          kind: NoticeKind.NEW_MESSAGE,
          payload: {
            conversationId: e.conversationId,
            messageId: e.messageId,
            subject: e.subject,
            senderName: e.senderName,
            at,
          },
        });
        countFor.add(key);
      }
    } else {
      if (e.receiptRequested) {
        rows.push({
          partyKey: partyKey(e.sender),
          kind: NoticeKind.READ_RECEIPT,
          payload: { conversationId: e.conversationId, messageId: e.messageId, readerName: e.readerName, at },
        });
      }
      countFor.add(partyKey(e.reader));
    }
  }
  if (!rows.length && !countFor.size) return { notices: [], members: [] };
  let members = locked?.members;
  if (!members) {
    const [lockRow] = await query<{ members: MailboxMember[] }>(em, viewerLocks(noticeParties(events)));
    members = lockRow.members;
  }
  // The counts are read by this statement, which starts after the locks are held: a later notice never carries an older count.
  const inserted = await query<{ seq: string; party_key: string; kind: NoticeKind; payload: NoticePayload }>(
    em,
    sql`with x as (
        select r.party_key, r.kind, r.payload, r.ord from jsonb_to_recordset(${JSON.stringify(rows.map((r, i) => ({ party_key: r.partyKey, kind: r.kind, payload: r.payload, ord: i })))}::jsonb)
          as r(party_key text, kind text, payload jsonb, ord int)
        union all
        select k.party_key, ${NoticeKind.UNREAD_COUNT}::text,
               jsonb_build_object('unreadCount', (select count(*)::int from message_recipient r where r.party_key = k.party_key and r.read_at is null), 'at', ${new Date().toISOString()}::text),
               ${rows.length}::int + k.ord::int
          from unnest(${textArray([...countFor])}) with ordinality as k(party_key, ord))
      insert into notice (party_key, kind, payload, created_at)
      select x.party_key, x.kind::notice_kind, x.payload, now() from x order by x.ord
      returning seq::text as seq, party_key, kind, payload`,
  );
  return {
    notices: inserted.map((r) => ({ seq: r.seq, partyKey: r.party_key, kind: r.kind, payload: r.payload })),
    members,
  };
}

export const MAX_NOTICES_PER_CALL = 500;

export function parseCursor(cursor: string | null | undefined): string | null {
  if (cursor == null || cursor === '') return null;
  if (!/^\d{1,19}$/.test(cursor))
    throw badInput(
      'cursor',
      'The cursor is not one this API gave out. Use the cursor of the last notice you received.',
    );
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
  const keys = (await viewerParties(em, viewer)).map(partyKey);
  if (cursor === null) {
    // The viewer's own latest notice: every writer of a notice of theirs that commits later got a higher seq
    // (it took the viewer's lock after this one committed; see viewerLocks).
    const [{ seq }] = await query<{ seq: string }>(
      em,
      sql`select coalesce(max(l.seq), 0)::text as seq from unnest(${textArray(keys)}) as k(party_key)
          cross join lateral (select max(n.seq) as seq from notice n where n.party_key = k.party_key) l`,
    );
    return { notices: [], cursor: seq, hasMore: false };
  }
  const limit = MAX_NOTICES_PER_CALL;
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
  const notices = rows
    .slice(0, limit)
    .map((r) => ({ seq: r.seq, partyKey: r.party_key, kind: r.kind, payload: r.payload }));
  return { notices, cursor: notices.length ? notices[notices.length - 1].seq : cursor, hasMore: rows.length > limit };
}
