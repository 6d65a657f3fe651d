import { Button } from 'react-aria-components';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { DeleteDraftDocument, StaffDraftsDocument } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { timeOfDay } from '../time';

/** Utkast: the drafts saved while writing, newest first; open one to go on writing, or remove it. */
export function DraftsPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: StaffDraftsDocument, variables: { first: 50 } });
  const [, remove] = useMutation(DeleteDraftDocument);
  const announce = useAnnounce();
  const drafts = data?.drafts.nodes;
  usePageTitle(sv.mailboxes.drafts);
  return (
    <>
      <h1>{sv.mailboxes.drafts}</h1>
      {!drafts && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {drafts && drafts.length === 0 && <p>{sv.drafts.empty}</p>}
      {drafts && drafts.length > 0 && (
        <ul className="conversation-list" aria-label={sv.mailboxes.drafts}>
          {drafts.map((d) => (
            <li key={d.id} data-testid="draft">
              <div className="conversation-link">
                <Link className="conversation-link__subject" to={`/skriv/${d.id}`}>
                  {d.subject || sv.drafts.noSubject}
                </Link>
                <span className="conversation-link__date">{fmt(sv.drafts.saved, { time: timeOfDay(d.savedAt) })}</span>
                <span className="conversation-link__meta">
                  {d.to.parties.length
                    ? fmt(sv.drafts.to, { names: d.to.parties.map((p) => p.name).join(', ') })
                    : sv.drafts.nobody}
                </span>
                <Button
                  className="button button--small"
                  aria-label={fmt(sv.drafts.removeNamed, { subject: d.subject || sv.drafts.noSubject })}
                  onPress={async () => {
                    await remove({ draftId: d.id });
                    announce(sv.drafts.removed);
                    reexecute({ requestPolicy: 'network-only' });
                  }}
                >
                  {sv.drafts.remove}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
