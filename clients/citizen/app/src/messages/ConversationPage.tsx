import { useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation } from 'urql';
import { MessageView } from '../../../../shared/ui/MessageView';
import { QueryState } from '../../../../shared/ui/QueryState';
import { ConversationDocument, MarkMessageReadDocument } from '../../../src/generated/graphql';
import { useLive } from '../live';
import { NotActivated } from '../NotActivated';
import { sv } from '../strings.sv';
import { ReplyForm } from './ReplyForm';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../../shared/ui/usePageTitle';

/** One conversation: its messages oldest first; opening it marks them read; reply below. */
export function ConversationPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useKeptQuery({ query: ConversationDocument, variables: { id } });
  usePageTitle(data?.conversation.subject, sv.appName);
  const [, markRead] = useMutation(MarkMessageReadDocument);
  const { version, last } = useLive();
  const marking = useRef(new Set<string>());

  useEffect(() => {
    if (version && last?.conversationId === id) reexecute({ requestPolicy: 'network-only' });
  }, [version, last, id, reexecute]);

  // Opening is reading: every message not yet read by me is marked read (once each), while the page is in view
  // (one that arrives live while the tab is in the background waits until the person comes back to it).
  const messages = data?.conversation.messages;
  const visible = usePageVisible();
  useEffect(() => {
    if (!visible) return;
    for (const m of messages ?? []) {
      if (m.readByMe || marking.current.has(m.id)) continue;
      marking.current.add(m.id);
      void markRead({ messageId: m.id });
    }
  }, [messages, markRead, visible]);

  const conversation = data?.conversation;
  return (
    <>
      <p>
        <Link to="/meddelanden">← {sv.conversation.back}</Link>
      </p>
      {!conversation && (
        <QueryState
          fetching={fetching}
          error={error}
          retry={() => reexecute({ requestPolicy: 'network-only' })}
          special={(code) => (code === 'E_SERVICE_NOT_ACTIVATED' ? <NotActivated /> : undefined)}
        />
      )}
      {conversation && (
        <>
          <h1>{conversation.subject}</h1>
          <section aria-label={sv.conversation.messages}>
            {conversation.messages.map((m) => (
              <MessageView key={m.id} message={m} own={m.sender.kind === 'PERSON'} />
            ))}
          </section>
          {conversation.messages.length > 0 && (
            <ReplyForm
              conversationId={conversation.id}
              replyTo={conversation.messages[conversation.messages.length - 1].id}
            />
          )}
        </>
      )}
    </>
  );
}

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}
