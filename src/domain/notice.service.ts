import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer';
import { NoticeKind, type NoticePayload } from '../entities/notice';
import { PartyKind, partyKey } from '../entities/party';
import { badInput } from '../errors';
import {
  insertNotices,
  latestNoticeSeqs,
  noticesAfter,
  staffNoticesAfter,
  takeViewerLocks,
  type NewNotice,
  type NoticeRow,
} from '../stores/notice.store';
import { sql, textArray, uuidArray, type Sql } from './sql';
import {
  actsThroughMailboxes,
  readableConversations,
  staffPartyKeysArray,
  takingPart,
  viewerParties,
} from './message-policy';
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

/** The notice rows a set of events makes, and the parties whose unread count changed (each gets an UNREAD_COUNT notice). */
function noticesOf(events: readonly DomainEvent[]): { notices: NewNotice[]; countFor: Set<string> } {
  const notices: NewNotice[] = [];
  const countFor = new Set<string>();
  for (const e of events) {
    if (e.type === 'message.sent') {
      const { conversationId, messageId, subject, senderName } = e;
      const payload = { conversationId, messageId, subject, senderName, at: e.sentAt.toISOString() };
      for (const r of e.recipients) {
        notices.push({ partyKey: partyKey(r), kind: NoticeKind.NEW_MESSAGE, payload });
        countFor.add(partyKey(r));
      }
    } else {
      if (e.receiptRequested) {
        const { conversationId, messageId, readerName } = e;
        const payload = { conversationId, messageId, readerName, at: e.readAt.toISOString() };
        notices.push({ partyKey: partyKey(e.sender), kind: NoticeKind.READ_RECEIPT, payload });
      }
      countFor.add(partyKey(e.reader));
    }
  }
  return { notices, countFor };
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
  const { notices, countFor } = noticesOf(events);
  if (!notices.length && !countFor.size) return { notices: [], members: [] };
  const members = locked?.members ?? (await takeViewerLocks(em, { locks: viewerLocks(noticeParties(events)) }));
  const inserted = await insertNotices(em, { notices, countFor: [...countFor], at: new Date() });
  return { notices: inserted.map(toRecord), members };
}

const toRecord = (r: NoticeRow): NoticeRecord => ({
  seq: r.seq,
  partyKey: r.party_key,
  kind: r.kind,
  payload: r.payload,
});

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
  // Without a cursor, the viewer's own latest notice: every writer of a notice of theirs that commits later got a
  // higher seq (it took the viewer's lock after this one committed; see viewerLocks).
  if (cursor === null) return { notices: [], cursor: (await noticeStarts(em, [viewer]))[0], hasMore: false };
  const keys = (await viewerParties(em, viewer)).map(partyKey);
  // A notice about a conversation goes only to who may read that conversation now (a relation that ended no longer does).
  const readable = readableConversations(viewer, keys, 'c');
  const rows = await noticesAfter(em, { partyKeys: keys, after: cursor, limit: MAX_NOTICES_PER_CALL + 1, readable });
  return noticesPage(rows, cursor);
}

/**
 * The cursor each viewer's live notices start from (what {@link noticesSince}
 * answers without a cursor), for several viewers in one statement: the
 * subscriptions opened together (a reconnect storm) read their start
 * together. In the order given.
 */
export function noticeStarts(em: EntityManager, viewers: readonly Viewer[]): Promise<string[]> {
  return latestNoticeSeqs(em, {
    reads: viewers.map((v) =>
      v.kind === 'citizen'
        ? { staffId: null, ownKey: partyKey({ kind: PartyKind.PERSON, id: v.person.id }), mailboxes: false }
        : {
            staffId: v.staff.id,
            ownKey: partyKey({ kind: PartyKind.STAFF, id: v.staff.id }),
            mailboxes: actsThroughMailboxes(v),
          },
    ),
    keys: staffPartyKeysArray('q'),
  });
}

/** The page of notices read after `cursor` (at most one more than a page: whether there are more). */
function noticesPage(rows: NoticeRow[], cursor: string): NoticesPage {
  const notices = rows.slice(0, MAX_NOTICES_PER_CALL).map(toRecord);
  return {
    notices,
    cursor: notices.length ? notices[notices.length - 1].seq : cursor,
    hasMore: rows.length > MAX_NOTICES_PER_CALL,
  };
}

/** What {@link noticesSince} answers for one viewer and cursor. */
export type NoticesPage = Awaited<ReturnType<typeof noticesSince>>;

/**
 * {@link noticesSince} for several viewers at once, each after their own
 * cursor, with the same answer each would get alone: every staff viewer's read
 * in one statement (the members of a shared mailbox woken by one of its
 * notices read together), a citizen's on its own. A read that fails answers
 * its error in its place (the staff statement's, every staff read's); the
 * others still answer.
 */
export async function noticesSinceMany(
  em: EntityManager,
  reads: readonly { viewer: Viewer; cursor: string }[],
): Promise<(NoticesPage | Error)[]> {
  const staff = reads.flatMap((r, i) => (r.viewer.kind === 'staff' ? [{ i, viewer: r.viewer, cursor: r.cursor }] : []));
  const pages = new Array<NoticesPage | Error>(reads.length);
  const failed = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));
  await Promise.all([
    ...reads.map(async (r, i) => {
      if (r.viewer.kind !== 'citizen') return;
      pages[i] = await noticesSince(em, r.viewer, r.cursor).catch(failed);
    }),
    (async () => {
      if (!staff.length) return;
      try {
        const rows = await staffNoticesAfter(em, {
          reads: staff.map((s) => ({
            staffId: s.viewer.staff.id,
            ownKey: partyKey({ kind: PartyKind.STAFF, id: s.viewer.staff.id }),
            mailboxes: actsThroughMailboxes(s.viewer),
            after: s.cursor,
          })),
          limit: MAX_NOTICES_PER_CALL + 1,
          keys: staffPartyKeysArray('q'),
          readable: (keys) => takingPart(keys, 'c'),
        });
        const byRead = staff.map(() => [] as NoticeRow[]);
        for (const row of rows) byRead[row.i].push(row);
        staff.forEach((s, j) => (pages[s.i] = noticesPage(byRead[j], s.cursor)));
      } catch (err) {
        for (const s of staff) pages[s.i] = failed(err);
      }
    })(),
  ]);
  return pages;
}
