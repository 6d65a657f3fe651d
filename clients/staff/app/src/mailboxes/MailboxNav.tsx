import { useEffect } from 'react';
import { Link, NavLink, useLocation } from 'react-router';
import { useQuery } from 'urql';
import { fmt } from '../../../../shared/ui/strings';
import { DraftIdsDocument } from '../../../src/generated/graphql';
import { useLive } from '../live';
import { sv } from '../strings.sv';

function Count({ value, label }: { value: number; label: string }) {
  if (value <= 0) return null;
  return (
    <span className="badge" data-testid="mailbox-count">
      <span aria-hidden="true">{value}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/**
 * The seed's left list: Skriv nytt, Min brevlåda (Inkorg with its unread
 * count, Utkast with its count, Skickat), each shared mailbox the user
 * belongs to with its unread count, Kontaktlistor and Inställningar.
 */
export function MailboxNav() {
  const { mailboxes } = useLive();
  const { pathname } = useLocation();
  const [{ data: drafts }, refetchDrafts] = useQuery({ query: DraftIdsDocument });
  // Drafts come and go on the compose page: count again whenever the page changes.
  useEffect(() => refetchDrafts({ requestPolicy: 'network-only' }), [pathname, refetchDrafts]);
  const own = mailboxes?.[0];
  const shared = mailboxes?.slice(1) ?? [];
  const draftCount = drafts ? drafts.drafts.nodes.length : 0;
  return (
    <nav className="mailbox-nav" aria-label={sv.mailboxes.title}>
      <Link className="button button--primary mailbox-nav__new" to="/skriv">
        {sv.mailboxes.newMessage}
      </Link>
      <h2 className="mailbox-nav__heading">{sv.mailboxes.mine}</h2>
      <ul>
        <li>
          <NavLink to="/inkorg">
            {sv.mailboxes.inbox}{' '}
            <Count value={own?.unread ?? 0} label={fmt(sv.mailboxes.unread, { count: own?.unread ?? 0 })} />
          </NavLink>
        </li>
        <li>
          <NavLink to="/utkast">
            {sv.mailboxes.drafts}{' '}
            <Count value={draftCount} label={fmt(sv.mailboxes.draftCount, { count: draftCount })} />
          </NavLink>
        </li>
        <li>
          <NavLink to="/skickat">{sv.mailboxes.sent}</NavLink>
        </li>
        <li>
          <NavLink to="/kontaktlistor">{sv.mailboxes.contactLists}</NavLink>
        </li>
      </ul>
      {shared.length > 0 && (
        <>
          <h2 className="mailbox-nav__heading">{sv.mailboxes.shared}</h2>
          <ul>
            {shared.map((m) => (
              <li key={m.mailbox.id}>
                <NavLink to={`/brevlada/${m.mailbox.id}`}>
                  {m.mailbox.name} <Count value={m.unread} label={fmt(sv.mailboxes.unread, { count: m.unread })} />
                </NavLink>
              </li>
            ))}
          </ul>
        </>
      )}
    </nav>
  );
}
