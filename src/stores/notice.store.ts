import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailboxMember } from '../domain/notice.service';
import { sql, textArray, typedArray, uuidArray, type Sql } from '../domain/sql';
import { NoticeKind, type NoticePayload } from '../entities/notice';
import type { StaffRole } from '../entities/staff';
import { query } from './query';

/** A notice row as the statements below return it. */
export interface NoticeRow {
  seq: string;
  party_key: string;
  kind: NoticeKind;
  payload: NoticePayload;
}

/** A notice to write: its party, kind and payload (the unread counts are added by {@link insertNotices}). */
export interface NewNotice {
  partyKey: string;
  kind: NoticeKind;
  payload: NoticePayload;
}

/** Takes the viewers' notice locks (`locks`: notice.service's viewerLocks) and returns the mailboxes' members it read. */
export async function takeViewerLocks(em: EntityManager, args: { locks: Sql }): Promise<MailboxMember[]> {
  const [row] = await query<{ members: MailboxMember[] }>(em, args.locks);
  return row.members;
}

/**
 * Writes the notices in order, then an UNREAD_COUNT notice for each party of
 * `countFor`; one statement. The counts are those of `unread_count` with the
 * parties' deltas folded in (the triggers of `message_recipient` write them,
 * this transaction's own included), by this statement, which starts after the
 * locks are held: a later notice never carries an older count. Folding costs
 * the deltas since the party's last notice, not a read of all its unread rows.
 * A delta is folded once: a concurrent fold of the same party (two writers
 * whose locks do not meet, e.g. a shared mailbox whose members changed
 * between them) waits for the first one's delete and then skips what it took,
 * and the count's increment waits for the first one's commit.
 */
export function insertNotices(
  em: EntityManager,
  args: { notices: NewNotice[]; countFor: string[]; at: Date },
): Promise<NoticeRow[]> {
  const rows = args.notices.map((r, i) => ({ party_key: r.partyKey, kind: r.kind, payload: r.payload, ord: i }));
  return query<NoticeRow>(
    em,
    sql`with k as (select k.party_key, k.ord from unnest(${textArray(args.countFor)}) with ordinality as k(party_key, ord)),
      folded as (delete from unread_delta d where d.party_key = any(${textArray(args.countFor)}) returning d.party_key, d.delta),
      counted as (
        insert into unread_count (party_key, unread)
        select k.party_key, coalesce((select sum(f.delta) from folded f where f.party_key = k.party_key), 0)::int
          from k order by k.party_key
        on conflict (party_key) do update set unread = unread_count.unread + excluded.unread
        returning party_key, unread),
      x as (
        select r.party_key, r.kind, r.payload, r.ord from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as r(party_key text, kind text, payload jsonb, ord int)
        union all
        select k.party_key, ${NoticeKind.UNREAD_COUNT}::text,
               jsonb_build_object('unreadCount', (select c.unread from counted c where c.party_key = k.party_key),
                                  'at', ${args.at.toISOString()}::text),
               ${rows.length}::int + k.ord::int
          from k)
      insert into notice (party_key, kind, payload, created_at)
      select x.party_key, x.kind::notice_kind, x.payload, now() from x order by x.ord
      returning seq::text as seq, party_key, kind, payload`,
  );
}

/** One viewer in {@link latestNoticeSeqs}: their own party key and, for staff acting through shared mailboxes, their id. */
export interface NoticeStartRead {
  /** Null for a citizen. */
  staffId: string | null;
  ownKey: string;
  mailboxes: boolean;
}

/**
 * The highest seq of each viewer's notices ('0' when none), for several
 * viewers in one statement, in the order given. `keys` gives a viewer's party
 * keys (a text[] of the row `q`: staff_id, own_key, mailboxes), as the
 * viewers' rules say.
 */
export async function latestNoticeSeqs(
  em: EntityManager,
  args: { reads: NoticeStartRead[]; keys: Sql },
): Promise<string[]> {
  const staffIds = typedArray(
    args.reads.map((r) => r.staffId),
    'uuid[]',
  );
  const ownKeys = textArray(args.reads.map((r) => r.ownKey));
  const mailboxes = typedArray(
    args.reads.map((r) => r.mailboxes),
    'boolean[]',
  );
  const rows = await query<{ seq: string }>(
    em,
    sql`with q as (
        select r.i, r.staff_id, r.own_key, r.mailboxes
          from unnest(${staffIds}, ${ownKeys}, ${mailboxes}) with ordinality as r(staff_id, own_key, mailboxes, i))
      select coalesce((select max(l.seq) from unnest(${args.keys}) as k(party_key)
               cross join lateral (select max(n.seq) as seq from notice n where n.party_key = k.party_key) l), 0)::text as seq
        from q order by q.i`,
  );
  return rows.map((r) => r.seq);
}

/** The notice (alias `n`) is about no conversation, or about one that `readable` (a condition on conversation `c`) admits now. */
const aboutReadable = (readable: Sql): Sql =>
  sql`(n.payload->>'conversationId' is null
       or exists (select 1 from conversation c where c.id = (n.payload->>'conversationId')::uuid and ${readable}))`;

/**
 * The parties' notices after a seq, oldest first, at most `limit`; a notice
 * about a conversation only when `readable` (a condition on conversation `c`)
 * holds for it now.
 */
export function noticesAfter(
  em: EntityManager,
  args: { partyKeys: string[]; after: string; limit: number; readable: Sql },
): Promise<NoticeRow[]> {
  // Order by the bigint column itself: the text alias would sort "10" before "9".
  return query<NoticeRow>(
    em,
    sql`select n.seq::text as seq, n.party_key, n.kind, n.payload from notice n
      where n.seq > ${args.after}::bigint and n.party_key = any(${textArray(args.partyKeys)})
        and ${aboutReadable(args.readable)}
      order by n.seq limit ${args.limit}`,
  );
}

/** One staff viewer's read in {@link staffNoticesAfter}: their own party key, whether they act through their shared mailboxes, the seq to read after. */
export interface StaffNoticeRead {
  staffId: string;
  ownKey: string;
  mailboxes: boolean;
  after: string;
}

/**
 * {@link noticesAfter} for several staff viewers in one statement: each read's
 * notices after its seq, oldest first, at most `limit` each, tagged with the
 * read's index. `keys` gives a read's party keys (a text[] of the row `q`:
 * staff_id, own_key, mailboxes) and `readable` the conversations (alias `c`)
 * those keys may read, as the viewers' rules say.
 */
export function staffNoticesAfter(
  em: EntityManager,
  args: { reads: StaffNoticeRead[]; limit: number; keys: Sql; readable: (keys: Sql) => Sql },
): Promise<(NoticeRow & { i: number })[]> {
  const staffIds = uuidArray(args.reads.map((r) => r.staffId));
  const ownKeys = textArray(args.reads.map((r) => r.ownKey));
  const mailboxes = typedArray(
    args.reads.map((r) => r.mailboxes),
    'boolean[]',
  );
  const afters = typedArray(
    args.reads.map((r) => r.after),
    'bigint[]',
  );
  return query<NoticeRow & { i: number }>(
    em,
    sql`with q as (
        select r.i::int - 1 as i, r.staff_id, r.own_key, r.mailboxes, r.after
          from unnest(${staffIds}, ${ownKeys}, ${mailboxes}, ${afters}) with ordinality as r(staff_id, own_key, mailboxes, after, i)),
      k as (select q.i, q.after, ${args.keys} as keys from q)
      select k.i, n.seq::text as seq, n.party_key, n.kind, n.payload from k cross join lateral (
        select n.seq, n.party_key, n.kind, n.payload from notice n
         where n.seq > k.after and n.party_key = any(k.keys)
           and ${aboutReadable(args.readable(sql`select unnest(k.keys)`))}
         order by n.seq limit ${args.limit}) n
      order by k.i, n.seq`,
  );
}

/** What a websocket's staff caller was checked on: active, role and unit. */
export interface StaffAccountState {
  id: string;
  active: boolean;
  role: StaffRole;
  unit_id: string;
}

/** The current state of the staff accounts behind open websockets, in one statement. */
export function staffAccountStates(em: EntityManager, args: { ids: string[] }): Promise<StaffAccountState[]> {
  return query<StaffAccountState>(
    em,
    sql`select id, active, role, unit_id from staff where id = any(${uuidArray(args.ids)})`,
  );
}
