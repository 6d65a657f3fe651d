import { useRef, useState, type FormEvent } from 'react';
import { Button, Form } from 'react-aria-components';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { plural } from '../../../../shared/ui/strings';
import {
  CaseViewCreateDocumentDocument,
  CaseViewDocumentsDocument,
  type CaseViewDocumentFragment,
} from '../../../src/generated/graphql';
import { day, today } from '../persons/format';
import { useRole } from '../persons/useRole';
import { ModalDialog, Problem } from '../persons/widgets';
import { sv } from '../strings.sv';
import { DocumentFields, useDocumentFields, type DocumentValues } from './DocumentFields';
import { InsertDocumentDialog } from './InsertDocumentDialog';

/** Dokumentation: the case's documents, newest first (Datum, Typ, Rubrik, Ägare, Ändrat av), and Nytt dokument. */
export function DocumentsSection({ caseId, caseOpen }: { caseId: string; caseOpen: boolean }) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: CaseViewDocumentsDocument,
    variables: { caseId },
    requestPolicy: 'cache-and-network',
  });
  const [creating, setCreating] = useState(false);
  const [inserting, setInserting] = useState(false);
  const trigger = useRef<HTMLElement | null>(null);
  const role = useRole();
  const navigate = useNavigate();
  const docs = data?.caseDocuments;
  return (
    <section aria-labelledby="dokumentation">
      <div className="section-head section-head--actions">
        <h2 id="dokumentation">{sv.documents.title}</h2>
        {caseOpen && role === 'CASEWORKER' && (
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
        {caseOpen && role === 'CASEWORKER' && (
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
      {!docs && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {docs && <DocumentList docs={docs} linkTo={(d) => `/arende/${caseId}/dokumentation/${d.id}`} />}
      {inserting && (
        <InsertDocumentDialog
          caseId={caseId}
          onClose={(id) => {
            setInserting(false);
            if (id) navigate(`/arende/${caseId}/dokumentation/${id}`);
            else setTimeout(() => trigger.current?.focus(), 0);
          }}
        />
      )}
      {creating && (
        <NewDocumentDialog
          create={(input) => ({ caseId, input })}
          onClose={(id) => {
            setCreating(false);
            if (id) navigate(`/arende/${caseId}/dokumentation/${id}`);
            else setTimeout(() => trigger.current?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

/** The seed's table of documents; on a phone each row stacks into a card. */
export function DocumentList({
  docs,
  linkTo,
}: {
  docs: CaseViewDocumentFragment[];
  linkTo: (d: CaseViewDocumentFragment) => string;
}) {
  if (docs.length === 0) return <p className="card">{sv.documents.empty}</p>;
  return (
    <>
      <p className="muted">{plural(docs.length, sv.documents.countOne, sv.documents.count)}</p>
      <table className="doc-table" data-testid="documents">
        <thead>
          <tr>
            <th scope="col">{sv.documents.columns.date}</th>
            <th scope="col">{sv.documents.columns.type}</th>
            <th scope="col">{sv.documents.columns.heading}</th>
            <th scope="col">{sv.documents.columns.owner}</th>
            <th scope="col">{sv.documents.columns.changed}</th>
            <th scope="col">{sv.documents.columns.state}</th>
          </tr>
        </thead>
        <tbody>
          {docs.map((d) => (
            <tr key={d.id}>
              <td data-label={sv.documents.columns.date}>{d.date}</td>
              <td data-label={sv.documents.columns.type}>{sv.documents.typeNames[d.type] ?? d.type}</td>
              <td data-label={sv.documents.columns.heading}>
                <Link to={linkTo(d)}>{d.title}</Link>
              </td>
              <td data-label={sv.documents.columns.owner}>{d.author.name}</td>
              <td data-label={sv.documents.columns.changed}>
                {d.author.username} {day(d.updatedAt)}
              </td>
              <td data-label={sv.documents.columns.state}>
                {d.locked ? (
                  <span className="status">{sv.documents.locked}</span>
                ) : (
                  <span className="status status--open">{sv.documents.editable}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

type NewDocumentInput = DocumentValues;

/** Nytt dokument: Typ, Rubrik, Datum and the text; Spara opens the new document (to lock it, make PDFs, send). */
export function NewDocumentDialog({
  create,
  onClose,
}: {
  create: (input: NewDocumentInput) => { caseId: string; input: NewDocumentInput & Record<string, unknown> };
  onClose: (id?: string) => void;
}) {
  const fields = useDocumentFields({ type: 'DOCUMENT', title: '', date: today(), text: '' });
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, save] = useMutation(CaseViewCreateDocumentDocument);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const input = fields.validated();
    if (!input) return;
    const result = await save(create(input));
    if (result.error || !result.data) return setProblem(errorText(result.error));
    onClose(result.data.createCaseDocument.id);
  };
  return (
    <ModalDialog title={sv.documents.newDocument} onClose={() => onClose()} testId="new-document" wide>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <DocumentFields fields={fields} rows={10} />
        <Problem text={problem} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.documents.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.documents.save}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
