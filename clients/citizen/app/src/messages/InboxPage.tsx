import { useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { useClient } from 'urql';
import { Link } from 'react-router';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime, plural } from '../../../../shared/ui/strings';
import { ConversationsDocument, MyContactsDocument, type ConversationsQuery } from '../../../src/generated/graphql';
import { useErrorText } from '../../../../shared/ui/QueryState';
import { useLive } from '../live';
import { NotActivated } from '../NotActivated';
import { sv } from '../strings.sv';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../../shared/ui/usePageTitle';

const PAGE = 25;
type Row = ConversationsQuery['conversations']['nodes'][number];

/** Meddelanden – Inkorg: the citizen's conversations, latest activity first, unread ones marked with a count; older ones a page at a time. */
export function InboxPage() {
  const [{ data, fetching, error }, reexecute] = useKeptQuery({
    query: ConversationsDocument,
    variables: { first: PAGE },
  });
  const older = useOlderPages(data?.conversations.pageInfo);
  // A relation approved for messages on someone's case is told what that gives them.
  const [{ data: contacts }] = useKeptQuery({ query: MyContactsDocument });
  const relationCases = [...new Set(contacts?.myContacts.filter((c) => c.asRelation).map((c) => c.caseTitle))];
  usePageTitle(sv.inbox.title, sv.appName);
  const { version } = useLive();
  useEffect(() => {
    if (version) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  // The first page is live; older pages are kept as loaded, minus what has since moved up into the first.
  const first = data?.conversations.nodes;
  const conversations = first && [...first, ...older.rows.filter((r) => !first.some((f) => f.id === r.id))];
  return (
    <>
      <div className="page-head">
        <h1>{sv.inbox.title}</h1>
        <Link className="button button--primary" to="/meddelanden/nytt">
          {sv.inbox.newMessage}
        </Link>
      </div>
      {relationCases.length > 0 && (
        <p className="muted">{fmt(sv.inbox.asRelation, { cases: relationCases.join(', ') })}</p>
      )}
      <h2 className="visually-hidden">{sv.inbox.inbox}</h2>
      {!conversations && (
        <QueryState
          fetching={fetching}
          error={error}
          retry={() => reexecute({ requestPolicy: 'network-only' })}
          special={(code) => (code === 'E_SERVICE_NOT_ACTIVATED' ? <NotActivated /> : undefined)}
        />
      )}
      {conversations && conversations.length === 0 && (
        <div className="card">
          <p>
            <strong>{sv.inbox.empty}</strong>
          </p>
          <p className="muted">{sv.inbox.emptyHint}</p>
        </div>
      )}
      {conversations && conversations.length > 0 && (
        <ul className="conversation-list" aria-label={sv.inbox.inbox}>
          {conversations.map((c, i) => {
            const unread = c.unreadCount > 0;
            const from = c.lastMessage?.sender;
            return (
              <li key={c.id} className={unread ? 'conversation--unread' : undefined}>
                <Link
                  className="conversation-link"
                  to={`/meddelanden/${c.id}`}
                  ref={i === older.focusIndex ? older.focusRef : undefined}
                >
                  <span className="conversation-link__subject">{c.subject}</span>
                  <span className="conversation-link__date">
                    <time dateTime={c.lastMessageAt}>{formatDateTime(c.lastMessageAt)}</time>
                  </span>
                  {from && (
                    <span className="conversation-link__meta">
                      {fmt(sv.inbox.lastFrom, { name: from.title ? `${from.name}, ${from.title}` : from.name })}
                    </span>
                  )}
                  {unread && (
                    <span className="conversation-link__badge badge badge--dark" data-testid="unread-count">
                      <span aria-hidden="true">{c.unreadCount}</span>
                      <span className="visually-hidden">
                        {plural(c.unreadCount, sv.inbox.unreadOne, sv.inbox.unreadOther)}
                      </span>
                    </span>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      {conversations && older.problem && (
        <div className="alert alert--error" role="alert">
          <p>{older.problem}</p>
        </div>
      )}
      {conversations && older.hasMore && (
        <div className="button-row">
          <Button className="button" onPress={() => void older.load(conversations.length)}>
            {sv.inbox.loadMore}
          </Button>
        </div>
      )}
    </>
  );
}

/**
 * "Visa fler": the next page after the last one loaded (cursor pages of the API).
 * Focus moves to the first conversation that came in, so a keyboard user goes on from there.
 */
function useOlderPages(firstPage: { hasNextPage: boolean; endCursor: string | null } | undefined) {
  const client = useClient();
  const errorText = useErrorText();
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [focusIndex, setFocusIndex] = useState(-1);
  const focusRef = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (focusIndex >= 0) focusRef.current?.focus();
  }, [focusIndex]);

  const next = cursor === undefined ? (firstPage?.hasNextPage ? firstPage.endCursor : null) : cursor;
  const load = async (shown: number) => {
    if (!next || loading) return;
    setLoading(true);
    setProblem(undefined);
    const res = await client
      .query(ConversationsDocument, { first: PAGE, after: next }, { requestPolicy: 'network-only' })
      .toPromise();
    setLoading(false);
    if (!res.data) {
      setProblem(errorText(res.error));
      return;
    }
    const page = res.data.conversations;
    setRows((r) => [...r, ...page.nodes]);
    setCursor(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    setFocusIndex(shown);
  };
  return { rows, hasMore: !!next, load, loading, problem, focusIndex, focusRef };
}
