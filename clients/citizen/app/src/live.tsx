import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery } from 'urql';
import { startNoticeFeed, type FeedStatus, type WebApi } from '../../../shared/ui/api';
import { useAnnounce } from '../../../shared/ui/Layout';
import { fmt } from '../../../shared/ui/strings';
import {
  MailboxesDocument,
  NoticesDocument,
  NoticesSinceDocument,
  type NoticeFieldsFragment,
} from '../../src/generated/graphql';
import { sv } from './strings.sv';

interface Live {
  /** Unread messages in the citizen's mailbox; null until known. */
  unread: number | null;
  status: FeedStatus;
  /** Grows with every new message or read change: pages refetch when it moves. */
  version: number;
  /** The latest notice, for pages that care which conversation changed. */
  last?: NoticeFieldsFragment;
}

const LiveContext = createContext<Live>({ unread: null, status: 'connecting', version: 0 });

export function useLive(): Live {
  return useContext(LiveContext);
}

/**
 * The citizen's live feed: new messages appear and the unread badge changes
 * without a reload; after a network drop the feed catches up by cursor.
 */
export function LiveProvider({ api, children }: { api: WebApi; children: ReactNode }) {
  const announce = useAnnounce();
  const [{ data }] = useQuery({ query: MailboxesDocument });
  const [unread, setUnread] = useState<number | null>(null);
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const [version, setVersion] = useState(0);
  const [last, setLast] = useState<NoticeFieldsFragment>();

  const initialUnread = data?.mailboxes[0]?.unreadCount;
  useEffect(() => {
    if (initialUnread !== undefined) setUnread((u) => u ?? initialUnread);
  }, [initialUnread]);

  useEffect(
    () =>
      startNoticeFeed(
        api,
        { subscription: NoticesDocument, since: NoticesSinceDocument },
        (n) => {
          setLast(n);
          if (n.kind === 'UNREAD_COUNT' && n.unreadCount !== null) setUnread(n.unreadCount);
          if (n.kind === 'NEW_MESSAGE') {
            setVersion((v) => v + 1);
            announce(fmt(sv.conversation.newFrom, { name: n.senderName ?? '', subject: n.subject ?? '' }));
          }
          if (n.kind === 'READ_RECEIPT') setVersion((v) => v + 1);
        },
        setStatus,
      ),
    [api, announce],
  );

  const value = useMemo(() => ({ unread, status, version, last }), [unread, status, version, last]);
  return <LiveContext value={value}>{children}</LiveContext>;
}
