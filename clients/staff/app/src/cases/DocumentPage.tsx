import '../persons/person-case.css';
import { useRef, useState, type FormEvent } from 'react';
import {
  Button,
  FieldError,
  Form,
  Input,
  Label,
  Tab,
  TabList,
  TabPanel,
  Tabs,
  Text,
  TextArea,
  TextField,
} from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { errorCode } from '../../../../shared/ui/api';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import { newIdempotencyKey, textToHtml } from '../../../../shared/ui/text';
import {
  CaseViewCreatePdfDocument,
  CaseViewDocumentOneDocument,
  CaseViewLockDocumentDocument,
  CaseViewSendDocumentDocument,
  CaseViewUpdateDocumentDocument,
  type CaseDocumentTemplate,
  type CaseViewDocumentOneQuery,
} from '../../../src/generated/graphql';
import { dayTime } from '../persons/format';
import { Check, Choice, ModalDialog, Problem } from '../persons/widgets';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { DocumentFields, useDocumentFields } from './DocumentFields';

type Doc = CaseViewDocumentOneQuery['caseDocument'];

type DocPdf = Doc['pdfs'][number];

const TEMPLATES: CaseDocumentTemplate[] = ['BREV', 'KALLELSE', 'BESLUT', 'UTREDNING', 'GENOMFORANDEPLAN'];

/**
 * One document of a case's Dokumentation (or of an executor's assignment):
 * the seed's tabs DOKUMENT (edit until Skrivskydda) and PDF (the document's
 * PDFs: Visa opens one in the browser's PDF viewer in a new tab, the letter
 * icon sends it to the case holder through the e-service).
 */
export function DocumentPage() {
  const { caseId, assignmentId, documentId = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: CaseViewDocumentOneDocument,
    variables: { id: documentId },
  });
  const doc = data?.caseDocument;
  usePageTitle(doc?.title);
  const back = assignmentId
    ? { to: `/uppdrag/${assignmentId}`, label: sv.documents.backAssignment }
    : { to: `/arende/${caseId}/dokumentation`, label: sv.documents.back };
  return (
    <>
      <p className="back-link">
        <Link to={back.to}>{back.label}</Link>
      </p>
      {!doc && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {doc && <DocumentView key={doc.id} doc={doc} refresh={() => reexecute({ requestPolicy: 'network-only' })} />}
    </>
  );
}

function DocumentView({ doc, refresh }: { doc: Doc; refresh: () => void }) {
  const [tab, setTab] = useState<string>('dokument');
  const open = doc.case.status === 'OPEN';
  return (
    <>
      <h1>{doc.title}</h1>
      <p className="muted">
        {sv.documents.typeNames[doc.type] ?? doc.type} · {doc.date} ·{' '}
        {fmt(sv.documents.author, { name: doc.author.name })} · {doc.case.title}, {doc.case.holder.name}
      </p>
      <Tabs selectedKey={tab} onSelectionChange={(k) => setTab(String(k))} className="tabs">
        <TabList aria-label={doc.title} className="tabs__list">
          <Tab id="dokument" className="tabs__tab">
            {sv.documents.document}
          </Tab>
          <Tab id="pdf" className="tabs__tab">
            {sv.documents.pdf}
          </Tab>
        </TabList>
        <TabPanel id="dokument" className="tabs__panel">
          {doc.locked || !open ? (
            <LockedText doc={doc} />
          ) : (
            <EditForm doc={doc} refresh={refresh} onLocked={() => (refresh(), setTab('pdf'))} />
          )}
        </TabPanel>
        <TabPanel id="pdf" className="tabs__panel">
          <PdfTab doc={doc} open={open} refresh={refresh} />
        </TabPanel>
      </Tabs>
    </>
  );
}

function LockedText({ doc }: { doc: Doc }) {
  return (
    <>
      {doc.lockedAt && (
        <p className="status-line">
          <span className="status">{sv.documents.locked}</span>{' '}
          {fmt(sv.documents.lockedBy, { time: dayTime(doc.lockedAt), name: doc.lockedBy?.name ?? '' })}
        </p>
      )}
      {doc.origin === 'INSERTED' ? (
        <p className="card">{sv.documents.insertedText}</p>
      ) : (
        <div className="document-text">{doc.text}</div>
      )}
      <p className="muted small">{fmt(sv.documents.updatedAt, { time: dayTime(doc.updatedAt) })}</p>
    </>
  );
}

function EditForm({ doc, refresh, onLocked }: { doc: Doc; refresh: () => void; onLocked: () => void }) {
  const fields = useDocumentFields({ type: doc.type, title: doc.title, date: doc.date, text: doc.text });
  const { type, title, date, text } = fields.values;
  const [problem, setProblem] = useState<string>();
  const [confirmLock, setConfirmLock] = useState(false);
  const [{ fetching }, update] = useMutation(CaseViewUpdateDocumentDocument);
  const [{ fetching: locking }, lock] = useMutation(CaseViewLockDocumentDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const dirty = type !== doc.type || title !== doc.title || date !== doc.date || text !== doc.text;

  const save = async (): Promise<boolean> => {
    const input = fields.validated();
    if (!input) return false;
    if (!dirty) return true;
    const result = await update({ id: doc.id, input });
    if (result.error) {
      setProblem(errorText(result.error));
      return false;
    }
    announce(sv.documents.updated);
    return true;
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (await save()) refresh();
  };
  const doLock = async () => {
    if (locking) return;
    if (!(await save())) return setConfirmLock(false);
    const result = await lock({ id: doc.id });
    setConfirmLock(false);
    if (result.error) return setProblem(errorText(result.error));
    announce(sv.documents.lockedDone);
    onLocked();
  };

  return (
    <Form className="form form--wide" onSubmit={submit} validationBehavior="aria">
      <DocumentFields fields={fields} rows={12} />
      <Problem text={problem} />
      <div className="button-row">
        <Button type="submit" className="button button--primary">
          {sv.documents.save}
        </Button>
        <Button className="button" onPress={() => setConfirmLock(true)}>
          {sv.documents.lock}
        </Button>
      </div>
      <p className="muted small">{fmt(sv.documents.updatedAt, { time: dayTime(doc.updatedAt) })}</p>
      {confirmLock && (
        <ModalDialog title={sv.documents.lockTitle} onClose={() => setConfirmLock(false)} testId="lock-dialog">
          <p>{sv.documents.lockText}</p>
          <div className="button-row">
            <Button className="button" onPress={() => setConfirmLock(false)}>
              {sv.documents.cancel}
            </Button>
            <Button className="button button--primary" onPress={() => void doLock()}>
              {sv.documents.lock}
            </Button>
          </div>
        </ModalDialog>
      )}
    </Form>
  );
}

function PdfTab({ doc, open, refresh }: { doc: Doc; open: boolean; refresh: () => void }) {
  const [creating, setCreating] = useState(false);
  const [sending, setSending] = useState<DocPdf>();
  const [sent, setSent] = useState<{ text: string; conversationId: string }>();
  const trigger = useRef<HTMLElement | null>(null);
  const announce = useAnnounce();
  if (!doc.locked) return <p className="card">{sv.documents.lockFirst}</p>;
  const canCreate = open && doc.origin === 'WRITTEN';
  return (
    <>
      {canCreate && (
        <div className="button-row button-row--top">
          <Button
            className="button button--primary"
            onPress={(e) => {
              trigger.current = e.target as HTMLElement;
              setCreating(true);
            }}
          >
            {sv.documents.createPdf}
          </Button>
        </div>
      )}
      {sent && (
        <div className="alert alert--ok" data-testid="sent">
          <p>{sent.text}</p>
          <p>
            <Link to={`/konversation/${sent.conversationId}`}>{sv.documents.sentLink}</Link>
          </p>
        </div>
      )}
      {doc.pdfs.length === 0 && <p>{sv.documents.noPdfs}</p>}
      {doc.pdfs.length > 0 && (
        <PdfTable pdfs={doc.pdfs} canSend={open} onSend={(p, el) => ((trigger.current = el), setSending(p))} />
      )}
      {creating && (
        <CreatePdfDialog
          doc={doc}
          onClose={(done) => {
            setCreating(false);
            if (done) {
              announce(done);
              refresh();
            }
            setTimeout(() => trigger.current?.focus(), 0);
          }}
        />
      )}
      {sending && (
        <SendDialog
          doc={doc}
          pdf={sending}
          onClose={(done) => {
            setSending(undefined);
            if (done) {
              setSent(done);
              announce(done.text);
            }
            setTimeout(() => trigger.current?.focus(), 0);
          }}
        />
      )}
    </>
  );
}

/** Skapa PDF: Mall (print template) and Benämning (the name, which becomes the file name); Spara. */
function CreatePdfDialog({ doc, onClose }: { doc: Doc; onClose: (done?: string) => void }) {
  const [template, setTemplate] = useState<CaseDocumentTemplate>('BREV');
  const [name, setName] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, create] = useMutation(CaseViewCreatePdfDocument);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (!name.trim()) return setInvalid(true);
    const result = await create({ documentId: doc.id, input: { template, name: name.trim() } });
    if (result.error || !result.data) return setProblem(errorText(result.error));
    onClose(fmt(sv.documents.pdfCreated, { name: result.data.createCaseDocumentPdf.name }));
  };
  return (
    <ModalDialog title={sv.documents.createPdf} onClose={() => onClose()} testId="create-pdf">
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <Choice
          label={sv.documents.template}
          value={template}
          onChange={(v) => setTemplate(v as CaseDocumentTemplate)}
          options={TEMPLATES.map((t) => ({ id: t, name: sv.documents.templates[t] }))}
        />
        <TextField
          className="field"
          value={name}
          onChange={(v) => (setName(v), setInvalid(false))}
          isRequired
          isInvalid={invalid}
          maxLength={120}
          autoFocus
        >
          <Label>{sv.documents.name}</Label>
          <Text slot="description" className="field-description">
            {sv.documents.nameHint}
          </Text>
          <Input />
          <FieldError className="field-error">{sv.documents.nameRequired}</FieldError>
        </TextField>
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

/** The PDF list: Skapat, Benämning, Signatur, and Visa (new tab) and Skicka (the seed's letter icon). */
export function PdfTable({
  pdfs,
  canSend,
  onSend,
}: {
  pdfs: DocPdf[];
  canSend: boolean;
  onSend: (p: DocPdf, trigger: HTMLElement) => void;
}) {
  return (
    <table className="doc-table pdf-table" data-testid="pdfs">
      <thead>
        <tr>
          <th scope="col">{sv.documents.pdfColumns.created}</th>
          <th scope="col">{sv.documents.pdfColumns.name}</th>
          <th scope="col">{sv.documents.pdfColumns.signature}</th>
          <th scope="col">{sv.documents.pdfColumns.options}</th>
        </tr>
      </thead>
      <tbody>
        {pdfs.map((p) => (
          <tr key={p.id}>
            <td data-label={sv.documents.pdfColumns.created}>{dayTime(p.createdAt)}</td>
            <td data-label={sv.documents.pdfColumns.name}>
              {p.name}
              {p.template && <span className="muted small"> ({sv.documents.templates[p.template]})</span>}
            </td>
            <td data-label={sv.documents.pdfColumns.signature}>{p.signature}</td>
            <td data-label={sv.documents.pdfColumns.options}>
              <span className="pdf-actions">
                <a
                  className="button button--small"
                  href={`${p.url}?visa=1`}
                  target="_blank"
                  rel="noopener"
                  aria-label={fmt(sv.documents.viewNamed, { name: p.name })}
                >
                  {sv.documents.view}
                </a>
                {canSend && (
                  <Button
                    className="button button--small"
                    onPress={(e) => onSend(p, e.target as HTMLElement)}
                    aria-label={fmt(sv.documents.sendNamed, { name: p.name })}
                  >
                    <span aria-hidden="true">✉ </span>
                    {sv.documents.send}
                  </Button>
                )}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The seed's send form around a PDF: Till klient (the case holder), Ämne, the text, Läskvitto; the PDF is the attachment. */
function SendDialog({
  doc,
  pdf,
  onClose,
}: {
  doc: Doc;
  pdf: DocPdf;
  onClose: (done?: { text: string; conversationId: string }) => void;
}) {
  const [subject, setSubject] = useState(pdf.name);
  const [body, setBody] = useState('');
  const [receipt, setReceipt] = useState(true);
  const [signature, setSignature] = useState(true);
  const [invalid, setInvalid] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [key] = useState(newIdempotencyKey);
  const [{ fetching }, send] = useMutation(CaseViewSendDocumentDocument);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (!subject.trim()) return setInvalid(true);
    const result = await send({
      id: doc.id,
      input: {
        idempotencyKey: key,
        pdfId: pdf.id,
        subject: subject.trim(),
        body: body.trim() ? textToHtml(body) : null,
        readReceiptRequested: receipt,
        addSignature: signature,
      },
    });
    if (result.error || !result.data) {
      setProblem(
        errorCode(result.error) === 'RECIPIENT_NOT_ACTIVATED'
          ? fmt(sv.documents.notActivated, { name: doc.case.holder.name })
          : errorText(result.error),
      );
      return;
    }
    onClose({
      text: fmt(sv.documents.sent, { name: pdf.filename }),
      conversationId: result.data.sendCaseDocument.conversationId,
    });
  };
  return (
    <ModalDialog title={sv.documents.sendTitle} onClose={() => onClose()} testId="send-dialog" wide>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <div className="field">
          <span className="label" id="till-klient">
            {sv.documents.toClient}
          </span>
          <p aria-labelledby="till-klient" className="readonly-value">
            {doc.case.holder.name}
          </p>
        </div>
        <TextField
          className="field"
          value={subject}
          onChange={(v) => (setSubject(v), setInvalid(false))}
          isRequired
          isInvalid={invalid}
          maxLength={200}
        >
          <Label>{sv.documents.subject}</Label>
          <Input />
          <FieldError className="field-error">{sv.documents.subjectRequired}</FieldError>
        </TextField>
        <Check label={sv.documents.readReceipt} value={receipt} onChange={setReceipt} />
        <div className="field">
          <span className="label">{sv.documents.attachments}</span>
          <p className="attachment-chip">{pdf.filename}</p>
        </div>
        <TextField className="field" value={body} onChange={setBody}>
          <Label>{sv.documents.body}</Label>
          <TextArea rows={6} />
        </TextField>
        <Check label={sv.documents.signature} value={signature} onChange={setSignature} />
        <Problem text={problem} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.documents.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.documents.send}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
