import { useEffect } from 'react';
import { Link } from 'react-router';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime, plural } from '../../../../shared/ui/strings';
import { ConversationsDocument } from '../../../src/generated/graphql';
import { useLive } from '../live';
import { NotActivated } from '../NotActivated';
import { sv } from '../strings.sv';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';

/** Meddelanden – Inkorg: the citizen's conversations, latest activity first, unread ones marked with a count. */
export function InboxPage() {
  const [{ data, fetching, error }, reexecute] = useKeptQuery({ query: ConversationsDocument, variables: { first: 50 } });
  const { version } = useLive();
  useEffect(() => {
    if (version) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  const conversations = data?.conversations.nodes;
  return (
    <>
      <div className="page-head">
        <h1>{sv.inbox.title}</h1>
        <Link className="button button--primary" to="/meddelanden/nytt">
          {sv.inbox.newMessage}
        </Link>
      </div>
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
          {conversations.map((c) => {
            const unread = c.unreadCount > 0;
            const from = c.lastMessage?.sender;
            return (
              <li key={c.id} className={unread ? 'conversation--unread' : undefined}>
                <Link className="conversation-link" to={`/meddelanden/${c.id}`}>
                  <span className="conversation-link__subject">{c.subject}</span>
                  <span className="conversation-link__date">
                    <time dateTime={c.lastMessageAt}>{formatDateTime(c.lastMessageAt)}</time>
                  </span>
                  {from && <span className="conversation-link__meta">{fmt(sv.inbox.lastFrom, { name: from.title ? `${from.name}, ${from.title}` : from.name })}</span>}
                  {unread && (
                    <span className="conversation-link__badge badge badge--dark" data-testid="unread-count">
                      <span aria-hidden="true">{c.unreadCount}</span>
                      <span className="visually-hidden">{plural(c.unreadCount, sv.inbox.unreadOne, sv.inbox.unreadOther)}</span>
                    </span>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
