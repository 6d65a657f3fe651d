import '../persons/person-case.css';
import { useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { QueryState } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { UppdragIfoDocument } from '../../../src/generated/graphql';
import { DocumentList, NewDocumentDialog } from '../cases/DocumentsSection';
import { Journal } from '../cases/JournalSection';
import { InsertDocumentDialog } from '../cases/InsertDocumentDialog';
import { pnr } from '../persons/format';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

/**
 * One assignment of Uppdrag IFO (the seed's section 3): who and what it is
 * for, and its documents (Dokument): Nytt dokument is linked to the
 * assignment ("Koppla till Uppdrag IFO"); each document leads to its PDF tab
 * with Skapa PDF and the letter icon that sends it. Anteckningar: his journal
 * entries in the assignment, and new notes (e.g. a copied message's text).
 */
export function AssignmentPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: UppdragIfoDocument,
    variables: {},
    requestPolicy: 'cache-and-network',
  });
  const [creating, setCreating] = useState(false);
  const [inserting, setInserting] = useState(false);
  const trigger = useRef<HTMLElement | null>(null);
  const navigate = useNavigate();
  const a = data?.myAssignments.find((x) => x.id === id);
  usePageTitle(a?.description);
  return (
    <>
      <p className="back-link">
        <Link to="/uppdrag">{sv.assignments.back}</Link>
      </p>
      {!data && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {data && !a && (
        <div className="alert alert--error" role="alert">
          <p>{sv.errors.notFound}</p>
        </div>
      )}
      {a && (
        <>
          <h1>
            {a.description} <span className="muted h1-sub">{a.case.holder.name}</span>
          </h1>
          <section className="card" aria-label={sv.assignments.details}>
            <dl className="facts facts--inline">
              <div>
                <dt>{sv.assignments.person}</dt>
                <dd>
                  <Link to={`/personer/${a.case.holder.id}`}>{a.case.holder.name}</Link>{' '}
                  {pnr(a.case.holder.personnummer)}
                </dd>
              </div>
              <div>
                <dt>{sv.assignments.case}</dt>
                <dd>{a.case.title}</dd>
              </div>
              {a.intervention && (
                <div>
                  <dt>{sv.assignments.intervention}</dt>
                  <dd>{a.intervention.label}</dd>
                </div>
              )}
              <div>
                <dt>{sv.cases.status}</dt>
                <dd>
                  {fmt(sv.assignments.ordered, { date: a.startDate })} ·{' '}
                  {a.endDate ? fmt(sv.assignments.ended, { date: a.endDate }) : sv.assignments.ongoing}
                </dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="uppdrag-dokument">
            <div className="section-head section-head--actions">
              <h2 id="uppdrag-dokument">{sv.assignments.documents}</h2>
              {a.case.status === 'OPEN' && (
                <Button
                  className="button button--small"
                  onPress={(e) => {
                    trigger.current = e.target as HTMLElement;
                    setCreating(true);
                  }}
                >
                  <span aria-hidden="true">+ </span>
                  {sv.documents.newDocument}
                </Button>
              )}
              {a.case.status === 'OPEN' && (
                <Button
                  className="button button--small"
                  onPress={(e) => {
                    trigger.current = e.target as HTMLElement;
                    setInserting(true);
                  }}
                >
                  {sv.documents.insertDocument}
                </Button>
              )}
            </div>
            <DocumentList docs={a.documents} linkTo={(d) => `/uppdrag/${a.id}/dokument/${d.id}`} />
          </section>
          <Journal
            caseId={a.case.id}
            title={sv.assignments.notes}
            canWrite={a.case.status === 'OPEN'}
            targets={[{ id: a.id, label: a.description, input: { caseId: a.case.id, assignmentId: a.id } }]}
            only={(e) => e.assignment?.id === a.id}
          />
          {inserting && (
            <InsertDocumentDialog
              caseId={a.case.id}
              assignmentId={a.id}
              onClose={(docId) => {
                setInserting(false);
                if (docId) navigate(`/uppdrag/${a.id}/dokument/${docId}`);
                else setTimeout(() => trigger.current?.focus(), 0);
              }}
            />
          )}
          {creating && (
            <NewDocumentDialog
              create={(input) => ({ caseId: a.case.id, input: { ...input, assignmentId: a.id } })}
              onClose={(docId) => {
                setCreating(false);
                if (docId) navigate(`/uppdrag/${a.id}/dokument/${docId}`);
                else setTimeout(() => trigger.current?.focus(), 0);
              }}
            />
          )}
        </>
      )}
    </>
  );
}
