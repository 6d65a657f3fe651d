import '../persons/person-case.css';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { UppdragIfoDocument } from '../../../src/generated/graphql';
import { pnr } from '../persons/format';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

/** One assignment of Uppdrag IFO: who and what it is for, and its documents with the send flow. */
export function AssignmentPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: UppdragIfoDocument, variables: {} });
  const a = data?.myAssignments.find((x) => x.id === id);
  usePageTitle(a?.description);
  return (
    <>
      <p className="back-link">
        <Link to="/uppdrag">{sv.assignments.back}</Link>
      </p>
      {!data && <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />}
      {data && !a && (
        <div className="alert alert--error" role="alert">
          <p>{sv.errors.notFound}</p>
        </div>
      )}
      {a && (
        <>
          <h1>{a.description}</h1>
          <dl className="facts card">
            <dt>{sv.assignments.person}</dt>
            <dd>
              <Link to={`/personer/${a.case.holder.id}`}>{a.case.holder.name}</Link> {pnr(a.case.holder.personnummer)}
            </dd>
            <dt>{sv.assignments.case}</dt>
            <dd>{a.case.title}</dd>
            {a.intervention && (
              <>
                <dt>{sv.assignments.intervention}</dt>
                <dd>{a.intervention.label}</dd>
              </>
            )}
            <dt>{sv.cases.status}</dt>
            <dd>
              {fmt(sv.assignments.ordered, { date: a.startDate })} · {a.endDate ? fmt(sv.assignments.ended, { date: a.endDate }) : sv.assignments.ongoing}
            </dd>
          </dl>
        </>
      )}
    </>
  );
}
