import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { startNoticeFeed, type FeedStatus, type WebApi } from '../../../shared/ui/api';
import { useAnnounce } from '../../../shared/ui/Layout';
import { fmt } from '../../../shared/ui/strings';
import {
  MailboxesDocument,
  NoticesDocument,
  NoticesSinceDocument,
  type NoticeFieldsFragment,
  type PartyFieldsFragment,
} from '../../src/generated/graphql';
import { sv } from './strings.sv';

export interface MailboxCount {
  mailbox: PartyFieldsFragment;
  unread: number;
}

interface Live {
  /** Own mailbox first, then the shared ones; null until known. */
  mailboxes: MailboxCount[] | null;
  /** Unread messages over all mailboxes: the badge at the message icon. */
  totalUnread: number;
  status: FeedStatus;
  /** Grows with every new message or read receipt: lists and open conversations refetch when it moves. */
  version: number;
  last?: NoticeFieldsFragment;
}

const LiveContext = createContext<Live>({ mailboxes: null, totalUnread: 0, status: 'connecting', version: 0 });

export function useLive(): Live {
  return useContext(LiveContext);
}

/**
 * The staff member's live notices: unread counts per mailbox (own and shared)
 * change as messages and read receipts arrive, a polite announcement says so,
 * and after a network drop the feed catches up by cursor (shared/ui/api.tsx).
 */
export function LiveProvider({ api, children }: { api: WebApi; children: ReactNode }) {
  const announce = useAnnounce();
  const [{ data, fetching }, refetch] = useQuery({ query: MailboxesDocument });
  const [counts, setCounts] = useState<Map<string, number>>(new Map());
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [version, setVersion] = useState(0);
  const [last, setLast] = useState<NoticeFieldsFragment>();
  // The counts notices brought since the query was last asked: its answer may have been read before them.
  const sinceAsked = useRef(new Map<string, number>());

  // The query is the truth when it answers; notices move the counts in between. A count a notice brought while
  // the query was on its way stays: an answer read before it must not put an older count back (every later
  // change of a count comes as a notice of its own).
  useEffect(() => {
    if (!data) return;
    const next = new Map(data.mailboxes.map((m) => [m.mailbox.id, m.unreadCount]));
    for (const [id, count] of sinceAsked.current) next.set(id, count);
    setCounts(next);
  }, [data]);
  useEffect(() => {
    if (fetching) sinceAsked.current = new Map();
  }, [fetching]);

  useEffect(
    () =>
      startNoticeFeed(
        api,
        { subscription: NoticesDocument, since: NoticesSinceDocument },
        (n) => {
          setLast(n);
          if (n.kind === 'UNREAD_COUNT' && n.unreadCount !== null && n.unreadCount !== undefined) {
            const count = n.unreadCount;
            sinceAsked.current.set(n.mailbox.id, count);
            setCounts((m) => new Map(m).set(n.mailbox.id, count));
          }
          if (n.kind === 'NEW_MESSAGE') {
            setVersion((v) => v + 1);
            announce(fmt(sv.live.newMessage, { name: n.senderName ?? '', subject: n.subject ?? '' }));
          }
          if (n.kind === 'READ_RECEIPT') {
            setVersion((v) => v + 1);
            announce(fmt(sv.live.readReceipt, { name: n.readerName ?? '' }));
          }
        },
        (s) => {
          setStatus(s);
          // Back after a drop: the counts may have moved more than the missed notices say (e.g. a membership change).
          if (s === 'live') refetch({ requestPolicy: 'network-only' });
        },
      ),
    [api, announce, refetch],
  );

  const value = useMemo(() => {
    const mailboxes = data
      ? data.mailboxes.map((m) => ({ mailbox: m.mailbox, unread: counts.get(m.mailbox.id) ?? m.unreadCount }))
      : null;
    const totalUnread = mailboxes?.reduce((sum, m) => sum + m.unread, 0) ?? 0;
    return { mailboxes, totalUnread, status, version, last };
  }, [data, counts, status, version, last]);
  return <LiveContext value={value}>{children}</LiveContext>;
}
