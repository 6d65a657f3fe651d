import { Link } from 'react-router';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { MyContactsDocument } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../../shared/ui/usePageTitle';

/** "Kontakter": the caseworkers on the citizen's ongoing cases and interventions (also the cases they follow as a relation). */
export function ContactsPage() {
  const [{ data, fetching, error }, reexecute] = useKeptQuery({ query: MyContactsDocument });
  usePageTitle(sv.contacts.title, sv.appName);
  const contacts = data?.myContacts;
  return (
    <>
      <h1>{sv.contacts.title}</h1>
      <p>{sv.contacts.lead}</p>
      {!contacts && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {contacts && contacts.length === 0 && (
        <div className="card">
          <p>{sv.contacts.empty}</p>
        </div>
      )}
      {contacts && contacts.length > 0 && (
        <ul className="contact-list">
          {contacts.map((c) => (
            <li key={`${c.caseId}-${c.asRelation}`} className="card" data-testid="contact">
              <h2>{c.caseworkerName}</h2>
              {c.caseworkerTitle && <p className="muted">{c.caseworkerTitle}</p>}
              <dl className="facts">
                <dt>{sv.contacts.case}</dt>
                <dd>{c.caseTitle}</dd>
                <dt>{sv.contacts.unit}</dt>
                <dd>{c.unitName}</dd>
              </dl>
              {c.asRelation && <p>{sv.contacts.asRelation}</p>}
              <Link to="/meddelanden/nytt">{fmt(sv.contacts.write, { name: c.caseworkerName })}</Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
