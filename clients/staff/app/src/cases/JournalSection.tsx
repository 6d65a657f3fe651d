import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, Radio, RadioGroup, TextArea, TextField } from 'react-aria-components';
import { useClient, useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import {
  CaseViewJournalDocument,
  CaseViewWriteNoteDocument,
  type CaseViewJournalEntryFragment,
} from '../../../src/generated/graphql';
import { dayTime } from '../persons/format';
import { useRole } from '../persons/useRole';
import { ModalDialog, Problem } from '../persons/widgets';
import { sv } from '../strings.sv';
import type { ViewedCase } from './CasePage';

const PAGE = 20;
type Entry = CaseViewJournalEntryFragment;

/**
 * The case's journal, newest first, 20 at a time (Visa fler): each entry
 * with where it is filed, who journaled it and when, its text and PDF;
 * corrections point at what they correct and a corrected entry says so.
 * Caseworkers write notes and correct them (a correction is a new entry).
 */
export function JournalSection({ c }: { c: ViewedCase }) {
  const role = useRole();
  const targets: NoteTarget[] = [
    { id: CASE, label: fmt(sv.journalView.wholeCase, { title: c.title }), input: { caseId: c.id } },
    ...c.interventions
      .filter((i) => !i.endDate)
      .map((i) => ({ id: i.id, label: i.label, input: { caseId: c.id, interventionId: i.id } })),
  ];
  return (
    <Journal
      caseId={c.id}
      title={sv.journalView.title}
      canWrite={role === 'CASEWORKER' && c.status === 'OPEN'}
      targets={targets}
    />
  );
}

/** Where a new note can go (Knyt till): the case, an intervention, or the executor's assignment. */
export interface NoteTarget {
  id: string;
  label: string;
  input: { caseId: string; interventionId?: string; assignmentId?: string };
}

/**
 * A journal list with paging and the note dialog; the case's journal for its
 * caseworkers, an executor's own entries (Anteckningar) for an assignment.
 */
export function Journal({
  caseId,
  title,
  canWrite,
  targets,
  only,
}: {
  caseId: string;
  title: string;
  canWrite: boolean;
  targets: NoteTarget[];
  only?: (e: Entry) => boolean;
}) {
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: CaseViewJournalDocument,
    variables: { caseId, first: PAGE },
    requestPolicy: 'cache-and-network',
  });
  const [extra, setExtra] = useState<{ nodes: Entry[]; cursor: string | null; hasNext: boolean } | null>(null);
  const [moreProblem, setMoreProblem] = useState<string>();
  const [writing, setWriting] = useState<{ corrects?: Entry } | null>(null);
  const client = useClient();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const trigger = useRef<HTMLElement | null>(null);
  const first = data?.caseJournal;
  const nodes = [...(first?.nodes ?? []), ...(extra?.nodes ?? [])].filter((e) => !only || only(e));
  const hasNext = extra ? extra.hasNext : !!first?.pageInfo.hasNextPage;
  const cursor = extra ? extra.cursor : (first?.pageInfo.endCursor ?? null);
  const byId = new Map(nodes.map((n) => [n.id, n]));

  // The older entries "Visa fler" brought go (to be asked for again) when the first page itself has changed, e.g. a
  // note written: not on every answer to it. Each answer is a new object (the page's own request after a cached
  // first answer, a refetch that changes nothing), and resetting on each took the older entries away again.
  const firstPage =
    first && JSON.stringify([first.nodes.map((e) => [e.id, e.correctedById]), first.pageInfo.endCursor]);
  useEffect(() => setExtra(null), [firstPage]);

  const more = async () => {
    setMoreProblem(undefined);
    const result = await client
      .query(CaseViewJournalDocument, { caseId, first: PAGE, after: cursor }, { requestPolicy: 'network-only' })
      .toPromise();
    if (result.error || !result.data) return setMoreProblem(errorText(result.error));
    const page = result.data.caseJournal;
    setExtra((x) => ({
      nodes: [...(x?.nodes ?? []), ...page.nodes],
      cursor: page.pageInfo.endCursor ?? null,
      hasNext: page.pageInfo.hasNextPage,
    }));
    announce(fmt(sv.journalView.count, { count: nodes.length + page.nodes.length }));
  };

  return (
    <section aria-labelledby="journal-rubrik">
      <div className="section-head">
        <h2 id="journal-rubrik">{title}</h2>
        {canWrite && (
          <Button
            className="button button--small"
            onPress={(e) => {
              trigger.current = e.target as HTMLElement;
              setWriting({});
            }}
          >
            <span aria-hidden="true">+ </span>
            {sv.journalView.newNote}
          </Button>
        )}
      </div>
      {!data && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {first && nodes.length === 0 && <p className="card">{sv.journalView.empty}</p>}
      {nodes.length > 0 && (
        <ol className="journal-list" data-testid="journal">
          {nodes.map((e) => (
            <li key={e.id}>
              <article
                className={e.correctedById ? 'journal-entry journal-entry--superseded' : 'journal-entry'}
                aria-labelledby={`j-${e.id}`}
                data-testid="journal-entry"
              >
                <header>
                  <h3 id={`j-${e.id}`} className="journal-entry__heading">
                    {e.heading}
                  </h3>
                  <p className="journal-entry__meta">
                    <span>{e.date}</span> · <span>{sv.journal.documentTypes[e.documentType]}</span> ·{' '}
                    <span>{fmt(sv.journalView.under, { target: e.targetLabel })}</span>
                  </p>
                  <p className="journal-entry__meta">
                    {fmt(sv.journalView.writtenBy, { time: dayTime(e.journaledAt), name: e.author.name })}
                  </p>
                  {(e.correctsId || e.correctedById) && (
                    <p className="journal-entry__tags">
                      {e.correctsId && (
                        <span className="tag-label">
                          {sv.journalView.correction}
                          {byId.get(e.correctsId) && `: ${byId.get(e.correctsId)!.heading}`}
                        </span>
                      )}
                      {e.correctedById && (
                        <span className="tag-label tag-label--warning">{sv.journalView.corrected}</span>
                      )}
                    </p>
                  )}
                </header>
                {e.text && <p className="journal-entry__text">{e.text}</p>}
                {e.attachment && (
                  <p>
                    <a href={e.attachment.downloadUrl} className="attachment-link">
                      {fmt(sv.journalView.attachment, { name: e.attachment.filename })}
                    </a>
                  </p>
                )}
                {canWrite && e.documentType === 'NOTE' && !e.messageId && !e.correctedById && (
                  <Button
                    className="button button--small"
                    aria-label={fmt(sv.journalView.correctNamed, { heading: e.heading })}
                    onPress={(ev) => {
                      trigger.current = ev.target as HTMLElement;
                      setWriting({ corrects: e });
                    }}
                  >
                    {sv.journalView.correct}
                  </Button>
                )}
              </article>
            </li>
          ))}
        </ol>
      )}
      {hasNext && (
        <div className="button-row">
          <Button className="button" onPress={() => void more()}>
            {sv.journalView.more}
          </Button>
        </div>
      )}
      <Problem text={moreProblem} />
      {writing && (
        <NoteDialog
          caseId={caseId}
          targets={targets}
          corrects={writing.corrects}
          onClose={(done) => {
            setWriting(null);
            if (done) {
              announce(done);
              reexecute({ requestPolicy: 'network-only' });
            }
            setTimeout(() => trigger.current?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

const CASE = 'arende';

function NoteDialog({
  caseId,
  targets,
  corrects,
  onClose,
}: {
  caseId: string;
  targets: NoteTarget[];
  corrects?: Entry;
  onClose: (done?: string) => void;
}) {
  const [target, setTarget] = useState(targets[0].id);
  const [heading, setHeading] = useState(corrects?.heading ?? '');
  const [text, setText] = useState(corrects?.text ?? '');
  const [invalid, setInvalid] = useState<{ heading?: boolean; text?: boolean }>({});
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, write] = useMutation(CaseViewWriteNoteDocument);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const next = { heading: !heading.trim(), text: !text.trim() };
    setInvalid(next);
    if (next.heading || next.text) return;
    const result = await write({
      input: {
        target: corrects
          ? { caseId, interventionId: corrects.intervention?.id ?? null, assignmentId: corrects.assignment?.id ?? null }
          : targets.find((t) => t.id === target)!.input,
        heading: heading.trim(),
        text,
        correctsId: corrects?.id ?? null,
      },
    });
    if (result.error) return setProblem(errorText(result.error));
    onClose(sv.journalView.saved);
  };
  return (
    <ModalDialog
      title={corrects ? fmt(sv.journalView.correctionTitle, { heading: corrects.heading }) : sv.journalView.noteTitle}
      onClose={() => onClose()}
      testId="note-dialog"
    >
      {corrects && <p className="field-description">{sv.journalView.correctionLead}</p>}
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        {!corrects && targets.length > 1 && (
          <RadioGroup className="field radio-group" value={target} onChange={setTarget}>
            <Label>{sv.journalView.target}</Label>
            {targets.map((t) => (
              <Radio key={t.id} value={t.id} className="radio">
                <span className="radio__dot" aria-hidden="true" />
                {t.label}
              </Radio>
            ))}
          </RadioGroup>
        )}
        <TextField
          className="field"
          value={heading}
          onChange={(v) => (setHeading(v), setInvalid({}))}
          isRequired
          isInvalid={invalid.heading}
          maxLength={200}
        >
          <Label>{sv.journalView.heading}</Label>
          <Input />
          <FieldError className="field-error">{sv.journalView.headingRequired}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={text}
          onChange={(v) => (setText(v), setInvalid({}))}
          isRequired
          isInvalid={invalid.text}
        >
          <Label>{sv.journalView.text}</Label>
          <TextArea rows={8} />
          <FieldError className="field-error">{sv.journalView.textRequired}</FieldError>
        </TextField>
        <Problem text={problem} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.journalView.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.journalView.save}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
