import '../persons/person-case.css';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt, plural } from '../../../../shared/ui/strings';
import { UppdragIfoDocument } from '../../../src/generated/graphql';
import { pnr } from '../persons/format';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

/** Uppdrag IFO: the executor's ongoing assignments, each leading to its documents. */
export function AssignmentsPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UppdragIfoDocument, variables: {} });
  usePageTitle(sv.assignments.title);
  const list = data?.myAssignments ?? [];
  return (
    <>
      <h1>{sv.assignments.title}</h1>
      {!data && <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data && list.length === 0 && <p className="card">{sv.assignments.empty}</p>}
      {list.length > 0 && (
        <ul className="assignment-list" data-testid="assignments">
          {list.map((a) => (
            <li key={a.id} className="card assignment">
              <h2 className="assignment__title">
                <Link to={`/uppdrag/${a.id}`} aria-label={fmt(sv.assignments.openNamed, { name: a.description, person: a.case.holder.name })}>
                  {a.description}
                </Link>
              </h2>
              <p>
                <strong>{a.case.holder.name}</strong> {pnr(a.case.holder.personnummer)}
              </p>
              <p className="small">
                {a.case.title} · {plural(a.documents.length, sv.assignments.documentCountOne, sv.assignments.documentCount)}
              </p>
              <p className="muted small">
                {fmt(sv.assignments.ordered, { date: a.startDate })} ·{' '}
                <span className={a.endDate ? 'status' : 'status status--open'}>{a.endDate ? fmt(sv.assignments.ended, { date: a.endDate }) : sv.assignments.ongoing}</span>
                {a.intervention && ` · ${a.intervention.label}`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
