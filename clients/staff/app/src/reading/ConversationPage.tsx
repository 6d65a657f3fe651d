import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useParams, useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, formatDateTime, formatSize } from '../../../../shared/ui/strings';
import {
  MarkMessageReadDocument,
  StaffConversationDocument,
  StaffMeDocument,
  type StaffConversationQuery,
} from '../../../src/generated/graphql';
import { useLive } from '../live';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { StaffReplyForm } from './StaffReplyForm';

const JournalDialog = lazy(() => import('../journal/JournalDialog').then((m) => ({ default: m.JournalDialog })));

export type StaffMessage = StaffConversationQuery['conversation']['messages'][number];
export type StaffConversation = StaffConversationQuery['conversation'];

function party(p: { name: string; title?: string | null }): string {
  return p.title ? `${p.name}, ${p.title}` : p.name;
}

/** What the journal dialog is opened for: the message, or one of its PDFs (Infoga filer). */
export type JournalSubject = { message: StaffMessage; attachment?: StaffMessage['attachments'][number] };

/**
 * One conversation: each message with who it went to, its PDFs, the read
 * receipts (for the sender), where it is journaled, its history; Journalför
 * and Infoga filer; reply. Opening it marks its unread messages read.
 */
export function ConversationPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const sharedMailboxId = params.get('brevlada') ?? undefined;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: StaffConversationDocument, variables: { id } });
  const [{ data: me }] = useQuery({ query: StaffMeDocument });
  const [, markRead] = useMutation(MarkMessageReadDocument);
  const { version, mailboxes } = useLive();
  const [journal, setJournal] = useState<JournalSubject>();
  const returnFocus = useRef<HTMLElement | null>(null);
  const announce = useAnnounce();

  useEffect(() => {
    if (version) reexecute({ requestPolicy: 'network-only' });
  }, [version, reexecute]);

  // Mark read on open: each unread message once.
  const marked = useRef(new Set<string>());
  useEffect(() => {
    for (const m of data?.conversation.messages ?? []) {
      if (m.readByMe || marked.current.has(m.id)) continue;
      marked.current.add(m.id);
      void markRead({ messageId: m.id, sharedMailboxId });
    }
  }, [data, markRead, sharedMailboxId]);

  const conversation = data?.conversation;
  const backTo = sharedMailboxId ? `/brevlada/${sharedMailboxId}` : '/inkorg';
  const backName = sharedMailboxId
    ? (mailboxes?.find((m) => m.mailbox.id === sharedMailboxId)?.mailbox.name ?? sv.mailboxes.shared)
    : sv.mailboxes.inbox;
  const myIds = new Set([me?.staffMe.id, ...(mailboxes ?? []).map((m) => m.mailbox.id)].filter(Boolean));
  const last = conversation?.messages[conversation.messages.length - 1];
  usePageTitle(conversation?.subject);

  return (
    <>
      <p className="back-link">
        <Link to={backTo}>{fmt(sv.reading.back, { mailbox: backName })}</Link>
      </p>
      {!conversation && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {conversation && (
        <>
          <h1>{conversation.subject}</h1>
          <ol className="thread">
            {conversation.messages.map((m) => (
              <li key={m.id}>
                <MessageCard
                  message={m}
                  own={myIds.has(m.sender.id)}
                  canJournal={!!conversation.citizen}
                  onJournal={(subject, trigger) => {
                    returnFocus.current = trigger;
                    setJournal(subject);
                  }}
                />
              </li>
            ))}
          </ol>
          {last && (
            <StaffReplyForm
              conversation={conversation}
              replyTo={last}
              sharedMailboxId={sharedMailboxId}
              onSent={() => reexecute({ requestPolicy: 'network-only' })}
            />
          )}
          {journal && (
            <Suspense fallback={null}>
              <JournalDialog
                conversation={conversation}
                subject={journal}
                onClose={(done) => {
                  setJournal(undefined);
                  if (done) {
                    announce(done);
                    reexecute({ requestPolicy: 'network-only' });
                  }
                  returnFocus.current?.focus();
                }}
              />
            </Suspense>
          )}
        </>
      )}
    </>
  );
}

function MessageCard({
  message: m,
  own,
  canJournal,
  onJournal,
}: {
  message: StaffMessage;
  own: boolean;
  canJournal: boolean;
  onJournal: (s: JournalSubject, trigger: HTMLElement) => void;
}) {
  const headingId = `meddelande-${m.id}`;
  const journaled = m.journalEntries ?? [];
  return (
    <article className={`message${own ? ' message--own' : ''}`} aria-labelledby={headingId} data-testid="message">
      <header className="message__header">
        <h2 id={headingId} className="message__from">
          <span className="visually-hidden">{sv.message.from} </span>
          {party(m.sender)}
        </h2>
        <p className="message__meta">
          <time dateTime={m.sentAt}>{formatDateTime(m.sentAt)}</time>
          {' · '}
          {sv.message.to} {m.recipients.map(party).join('; ')}
        </p>
        {m.writtenBy && <p className="message__meta">{fmt(sv.reading.writtenBy, { name: m.writtenBy.name })}</p>}
        {m.isAutoReply && <p className="message__tag">{sv.message.autoReply}</p>}
        {m.readReceiptRequested && <p className="message__tag">{sv.message.readReceiptRequested}</p>}
      </header>
      <div className="message__body" dangerouslySetInnerHTML={{ __html: m.bodyHtml }} />
      {m.attachments.length > 0 && (
        <div className="message__attachments">
          <h3 className="message__attachments-title">{sv.message.attachments}</h3>
          <ul>
            {m.attachments.map((a) => (
              <li key={a.id}>
                <a
                  href={a.downloadUrl}
                  download={a.filename}
                  className="attachment-link"
                  aria-label={`${sv.message.download} ${a.filename}`}
                >
                  {a.filename}
                </a>{' '}
                <span className="muted">(PDF, {formatSize(a.size)})</span>
                {canJournal && (
                  <Button
                    className="button button--small"
                    aria-label={fmt(sv.reading.journalFileNamed, { name: a.filename })}
                    onPress={(e) => onJournal({ message: m, attachment: a }, e.target as HTMLElement)}
                  >
                    {sv.reading.journalFile}
                  </Button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {m.readReceipts && m.readReceipts.length > 0 && (
        <div className="receipts">
          <h3>{sv.reading.receipts}</h3>
          <ul>
            {m.readReceipts.map((r) => (
              <li key={r.recipient.id} data-testid="read-receipt">
                {r.recipient.name}:{' '}
                {r.readAt ? (
                  <>
                    {fmt(sv.reading.readAt, { time: formatDateTime(r.readAt) })}
                    {r.readBy ? ` ${fmt(sv.reading.readBy, { name: r.readBy })}` : ''}
                  </>
                ) : (
                  sv.reading.notRead
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {journaled.length > 0 && (
        <div className="journaled">
          <h3>{sv.reading.journaled}</h3>
          <ul>
            {journaled.map((j) => (
              <li key={j.id} data-testid="journaled">
                {j.attachment
                  ? fmt(sv.reading.journaledFile, {
                      file: j.attachment.filename,
                      target: j.targetLabel,
                      time: formatDateTime(j.journaledAt),
                      name: j.author.name,
                    })
                  : fmt(sv.reading.journaledWhere, {
                      target: j.targetLabel,
                      time: formatDateTime(j.journaledAt),
                      name: j.author.name,
                    })}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="message__actions">
        {canJournal && (
          <Button
            className="button"
            aria-label={fmt(sv.reading.journalMessageNamed, { name: m.sender.name })}
            onPress={(e) => onJournal({ message: m }, e.target as HTMLElement)}
          >
            {sv.reading.journal}
          </Button>
        )}
      </div>
      {m.history.length > 0 && (
        <details className="history">
          <summary>{sv.message.history}</summary>
          <ol className="history__list">
            {m.history.map((e, i) => (
              <li key={i}>
                <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time> –{' '}
                {sv.message.events[e.kind as keyof typeof sv.message.events] ?? e.kind}
                {e.actorName ? `, ${e.actorName}` : ''}
                {e.detail ? ` (${e.detail})` : ''}
              </li>
            ))}
          </ol>
        </details>
      )}
    </article>
  );
}
