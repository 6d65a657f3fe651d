import { Button, Disclosure, DisclosurePanel, Heading } from 'react-aria-components';
// The shared operations are generated identically into both clients; the citizen's copy names the types.
import type { MessageFieldsFragment } from '../../citizen/src/generated/graphql';
import { formatDateTime, formatSize, useCommonStrings } from './strings';

function partyLabel(p: { name: string; title: string | null }): string {
  return p.title ? `${p.name}, ${p.title}` : p.name;
}

/**
 * One message: who wrote it and when, its body (HTML the server sanitized
 * against an allowlist when it was written), its PDFs as downloads, and what
 * happened to it (Händelser) behind a disclosure.
 */
export function MessageView({
  message,
  headingLevel = 2,
  own,
}: {
  message: MessageFieldsFragment;
  headingLevel?: 2 | 3;
  own?: boolean;
}) {
  const s = useCommonStrings();
  const H = `h${headingLevel}` as const;
  const headingId = `meddelande-${message.id}`;
  return (
    <article
      className={`message${own ? ' message--own' : ''}${message.readByMe ? '' : ' message--unread'}`}
      aria-labelledby={headingId}
      data-testid="message"
    >
      <header className="message__header">
        <H id={headingId} className="message__from">
          <span className="visually-hidden">{s.message.from} </span>
          {partyLabel(message.sender)}
        </H>
        <p className="message__meta">
          <span className="visually-hidden">{s.message.sent} </span>
          <time dateTime={message.sentAt}>{formatDateTime(message.sentAt)}</time>
          {message.recipients.length > 0 && (
            <>
              {' · '}
              {s.message.to} {message.recipients.map(partyLabel).join(', ')}
            </>
          )}
        </p>
        {message.isAutoReply && <p className="message__tag">{s.message.autoReply}</p>}
        {message.readReceiptRequested && <p className="message__tag">{s.message.readReceiptRequested}</p>}
      </header>
      <div className="message__body" dangerouslySetInnerHTML={{ __html: message.bodyHtml }} />
      {message.attachments.length > 0 && (
        <div className="message__attachments">
          <p className="message__attachments-title">{s.message.attachments}</p>
          <ul>
            {message.attachments.map((a) => (
              <li key={a.id}>
                <a
                  href={a.downloadUrl}
                  download={a.filename}
                  className="attachment-link"
                  aria-label={`${s.message.download} ${a.filename}`}
                >
                  {a.filename}
                </a>{' '}
                <span className="muted">(PDF, {formatSize(a.size)})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {message.history.length > 0 && (
        <Disclosure className="history">
          <Heading level={headingLevel + 1} className="history__heading">
            <Button slot="trigger" className="button button--link history__trigger">
              {s.message.history}
            </Button>
          </Heading>
          <DisclosurePanel className="history__panel">
            <ol className="history__list">
              {message.history.map((e, i) => (
                <li key={i}>
                  <time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time> –{' '}
                  {s.message.events[e.kind] ?? e.kind}
                  {e.actorName ? `, ${e.actorName}` : ''}
                  {e.detail ? ` (${e.detail})` : ''}
                </li>
              ))}
            </ol>
          </DisclosurePanel>
        </Disclosure>
      )}
    </article>
  );
}
