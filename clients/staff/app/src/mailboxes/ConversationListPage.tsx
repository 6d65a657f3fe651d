import { useEffect, useRef, useState } from 'react';
import { Button, Checkbox } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime, plural } from '../../../../shared/ui/strings';
import { ConversationsDocument, type MailboxFolder } from '../../../src/generated/graphql';
import { useLive } from '../live';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

/** One screenful; "Visa fler" asks for the next page by cursor, so thousands of conversations are never loaded at once. */
export const PAGE_SIZE = 25;

interface ListProps {
  folder: MailboxFolder;
  sharedMailboxId?: string;
  unreadOnly: boolean;
  after: string | null;
  isLast: boolean;
  onMore: (cursor: string) => void;
  version: number;
}

/** One page of a mailbox's conversations; the last page offers the next. */
function ConversationPage({ folder, sharedMailboxId, unreadOnly, after, isLast, onMore, version }: ListProps) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ConversationsDocument,
    variables: { folder, sharedMailboxId, unreadOnly, first: PAGE_SIZE, after },
  });
  // A new message or a read changes the first page only; later pages keep their place.
  useEffect(() => {
    if (version && after === null) reexecute({ requestPolicy: 'network-only' });
  }, [version, after, reexecute]);
  const { mailboxes } = useLive();
  const mine = new Set((mailboxes ?? []).map((m) => m.mailbox.id));
  const page = data?.conversations;
  // "Visa fler": keyboard and screen-reader users continue at the first conversation that came in.
  const first = useRef<HTMLAnchorElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (after !== null && page && !focused.current) {
      focused.current = true;
      first.current?.focus();
    }
  }, [after, page]);
  if (!page)
    return <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />;
  const query = sharedMailboxId ? `?brevlada=${sharedMailboxId}` : '';
  return (
    <>
      {page.nodes.map((c, i) => {
        const unread = c.unreadCount > 0;
        const others = c.participants.filter((p) => !mine.has(p.id));
        const who =
          folder === 'SENT'
            ? fmt(sv.list.to, { names: others.map((p) => p.name).join(', ') })
            : fmt(sv.list.from, { name: c.lastMessage?.sender.name ?? '' });
        return (
          <li key={c.id} className={unread ? 'conversation--unread' : undefined} data-testid="conversation">
            <Link className="conversation-link" to={`/konversation/${c.id}${query}`} ref={i === 0 ? first : undefined}>
              <span className="conversation-link__subject">{c.subject}</span>
              <span className="conversation-link__date">
                <time dateTime={c.lastMessageAt}>{formatDateTime(c.lastMessageAt)}</time>
              </span>
              <span className="conversation-link__meta">{who}</span>
              {unread && (
                <span className="conversation-link__badge badge badge--dark" data-testid="unread-count">
                  <span aria-hidden="true">{c.unreadCount}</span>
                  <span className="visually-hidden">
                    {plural(c.unreadCount, sv.list.unreadOne, sv.list.unreadOther)}
                  </span>
                </span>
              )}
            </Link>
          </li>
        );
      })}
      {isLast && page.pageInfo.hasNextPage && page.pageInfo.endCursor && (
        <li className="conversation-list__more">
          <Button className="button" onPress={() => onMore(page.pageInfo.endCursor!)}>
            {sv.list.more}
          </Button>
        </li>
      )}
      {isLast && after === null && page.nodes.length === 0 && (
        <li className="conversation-list__empty">
          <p>{unreadOnly ? sv.list.emptyUnread : sv.list.empty}</p>
        </li>
      )}
    </>
  );
}

/** Inkorg, Skickat or a shared mailbox's inbox: latest activity first, unread ones marked, an unread filter, paged by cursor. */
export function ConversationListPage({ folder, shared }: { folder: MailboxFolder; shared?: boolean }) {
  const { mailboxId } = useParams();
  const { mailboxes, version } = useLive();
  const sharedMailboxId = shared ? mailboxId : undefined;
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // Another mailbox or filter starts again from the first page.
  useEffect(() => setCursors([null]), [folder, sharedMailboxId, unreadOnly]);
  const title = shared
    ? (mailboxes?.find((m) => m.mailbox.id === mailboxId)?.mailbox.name ?? sv.mailboxes.shared)
    : folder === 'SENT'
      ? sv.mailboxes.sent
      : sv.mailboxes.inbox;
  usePageTitle(title);
  return (
    <>
      <div className="page-head">
        <h1>{title}</h1>
        {folder !== 'SENT' && (
          <Checkbox className="checkbox" isSelected={unreadOnly} onChange={setUnreadOnly}>
            <span className="checkbox__box" aria-hidden="true" />
            {sv.list.unreadOnly}
          </Checkbox>
        )}
      </div>
      <ul className="conversation-list" aria-label={title}>
        {cursors.map((after, i) => (
          <ConversationPage
            key={`${folder}:${sharedMailboxId}:${unreadOnly}:${after}`}
            folder={folder}
            sharedMailboxId={sharedMailboxId}
            unreadOnly={unreadOnly}
            after={after}
            isLast={i === cursors.length - 1}
            onMore={(cursor) => setCursors((list) => [...list, cursor])}
            version={version}
          />
        ))}
      </ul>
    </>
  );
}
