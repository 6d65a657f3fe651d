import '../persons/person-case.css';
import { useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, plural } from '../../../../shared/ui/strings';
import { UppdragIfoListDocument } from '../../../src/generated/graphql';
import { pnr } from '../persons/format';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

/**
 * Uppdrag IFO: the executor's ongoing assignments, each leading to its
 * documents; "Visa avslutade uppdrag" also lists the ended ones (end date
 * passed or case closed), marked "Avslutat <datum>" and without a link: the
 * access they gave has ended, so only their own description and dates show.
 */
export function AssignmentsPage() {
  const [includeEnded, setIncludeEnded] = useState(false);
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: UppdragIfoListDocument,
    variables: { includeEnded },
    requestPolicy: 'cache-and-network',
  });
  usePageTitle(sv.assignments.title);
  const list = data?.myAssignments ?? [];
  return (
    <>
      <div className="page-head">
        <h1>{sv.assignments.title}</h1>
        <Checkbox className="checkbox" isSelected={includeEnded} onChange={setIncludeEnded}>
          <span className="checkbox__box" aria-hidden="true" />
          {sv.assignments.showEnded}
        </Checkbox>
      </div>
      {!data && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {data && list.length === 0 && (
        <p className="card">{includeEnded ? sv.assignments.emptyAll : sv.assignments.empty}</p>
      )}
      {list.length > 0 && (
        <ul className="assignment-list" data-testid="assignments" aria-label={sv.assignments.title}>
          {list.map((a) => {
            const c = a.ongoing ? a.accessibleCase : null;
            return c ? (
              <li key={a.id} className="card assignment">
                <h2 className="assignment__title">
                  <Link
                    to={`/uppdrag/${a.id}`}
                    aria-label={fmt(sv.assignments.openNamed, { name: a.description, person: c.holder.name })}
                  >
                    {a.description}
                  </Link>
                </h2>
                <p>
                  <strong>{c.holder.name}</strong> {pnr(c.holder.personnummer)}
                </p>
                <p className="small">
                  {c.title} ·{' '}
                  {plural(a.documents.length, sv.assignments.documentCountOne, sv.assignments.documentCount)}
                </p>
                <p className="muted small">
                  {fmt(sv.assignments.ordered, { date: a.startDate })} ·{' '}
                  <span className="status status--open">
                    {a.endDate ? fmt(sv.assignments.ongoingUntil, { date: a.endDate }) : sv.assignments.ongoing}
                  </span>
                  {a.intervention && ` · ${a.intervention.label}`}
                </p>
              </li>
            ) : (
              <li key={a.id} className="card assignment assignment--ended" data-testid="ended-assignment">
                <h2 className="assignment__title">{a.description}</h2>
                <p className="muted small">
                  {fmt(sv.assignments.ordered, { date: a.startDate })} ·{' '}
                  <span className="status">
                    {a.endDate ? fmt(sv.assignments.ended, { date: a.endDate }) : sv.assignments.endedNoDate}
                  </span>
                </p>
                <p className="muted small">{sv.assignments.endedNoAccess}</p>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
