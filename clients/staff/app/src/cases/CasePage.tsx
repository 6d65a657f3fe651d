import '../persons/person-case.css';
import { lazy, Suspense, useRef, useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import type { CombinedError } from '@urql/core';
import { Link, NavLink, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import {
  CaseViewCloseCaseDocument,
  CaseViewDeactivateRelationDocument,
  CaseViewDocument,
  CaseViewEndAssignmentDocument,
  type CaseViewQuery,
  type CaseViewRelationFragment,
} from '../../../src/generated/graphql';
import { addressLine, phone, pnr, today } from '../persons/format';
import { useRole } from '../persons/useRole';
import { ModalDialog, Problem } from '../persons/widgets';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { JournalSection } from './JournalSection';
import { DocumentsSection } from './DocumentsSection';

const RelationDialog = lazy(() => import('./RelationDialog').then((m) => ({ default: m.RelationDialog })));
const ActivateRelationDialog = lazy(() =>
  import('./RelationDialog').then((m) => ({ default: m.ActivateRelationDialog })),
);

export type ViewedCase = CaseViewQuery['case'];

/**
 * The case (ärendet): its facts, then Översikt (insatser, uppdrag,
 * relationer with Lägg till relation), Journal and Dokumentation as pages of
 * their own under the case's address.
 */
export function CasePage() {
  const { id = '', section } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CaseViewDocument, variables: { id } });
  const c = data?.case;
  const sectionName =
    section === 'journal' ? sv.cases.journal : section === 'dokumentation' ? sv.cases.documentation : undefined;
  usePageTitle(c ? (sectionName ? `${sectionName} – ${c.title}` : c.title) : undefined);
  const refresh = () => reexecute({ requestPolicy: 'network-only' });
  return (
    <>
      {c && (
        <p className="back-link">
          <Link to={`/personer/${c.holder.id}`}>{fmt(sv.cases.back, { name: c.holder.name })}</Link>
        </p>
      )}
      {!c && <QueryState fetching={fetching} error={error} retry={refresh} />}
      {c && (
        <>
          <h1>
            {c.title} <span className="muted h1-sub">{c.holder.name}</span>
          </h1>
          <CaseFacts c={c} />
          <nav aria-label={sv.cases.sections} className="subnav">
            <ul>
              <li>
                <NavLink to={`/arende/${c.id}`} end>
                  {sv.cases.overview}
                </NavLink>
              </li>
              <li>
                <NavLink to={`/arende/${c.id}/journal`}>{sv.cases.journal}</NavLink>
              </li>
              <li>
                <NavLink to={`/arende/${c.id}/dokumentation`}>{sv.cases.documentation}</NavLink>
              </li>
            </ul>
          </nav>
          {!section && <Overview c={c} refresh={refresh} />}
          {section === 'journal' && <JournalSection c={c} />}
          {section === 'dokumentation' && <DocumentsSection caseId={c.id} caseOpen={c.status === 'OPEN'} />}
        </>
      )}
    </>
  );
}

function CaseFacts({ c }: { c: ViewedCase }) {
  return (
    <section aria-label={sv.cases.facts} className="card case-facts">
      {c.status === 'CLOSED' && (
        <div className="alert alert--warning">
          <p>{fmt(sv.cases.closedNotice, { date: c.closedOn ?? '' })}</p>
        </div>
      )}
      <dl className="facts facts--inline">
        <div>
          <dt>{sv.cases.holder}</dt>
          <dd>
            <Link to={`/personer/${c.holder.id}`}>{c.holder.name}</Link> {pnr(c.holder.personnummer)}
            {c.holder.protectedIdentity && (
              <span className="flag flag--protected">{sv.persons.flagNames.protectedIdentity}</span>
            )}
          </dd>
        </div>
        <div>
          <dt>{sv.cases.status}</dt>
          <dd>{sv.cases.statusNames[c.status]}</dd>
        </div>
        <div>
          <dt>{sv.cases.opened}</dt>
          <dd>{c.openedOn}</dd>
        </div>
        {c.closedOn && (
          <div>
            <dt>{sv.cases.closed}</dt>
            <dd>{c.closedOn}</dd>
          </div>
        )}
        <div>
          <dt>{sv.cases.unit}</dt>
          <dd>{c.unit.name}</dd>
        </div>
        <div>
          <dt>{sv.cases.caseworker}</dt>
          <dd>{c.caseworker.name}</dd>
        </div>
      </dl>
    </section>
  );
}

function Overview({ c, refresh }: { c: ViewedCase; refresh: () => void }) {
  const role = useRole();
  const caseworker = role === 'CASEWORKER';
  const open = c.status === 'OPEN';
  const [adding, setAdding] = useState(false);
  const [activating, setActivating] = useState<CaseViewRelationFragment>();
  const [ending, setEnding] = useState<ViewedCase['assignments'][number]>();
  const [closing, setClosing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [, deactivate] = useMutation(CaseViewDeactivateRelationDocument);
  const [, endAssignment] = useMutation(CaseViewEndAssignmentDocument);
  const [, closeCase] = useMutation(CaseViewCloseCaseDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const trigger = useRef<HTMLElement | null>(null);
  const back = () => setTimeout(() => trigger.current?.focus(), 0);

  return (
    <>
      <section className="card" aria-labelledby="insatser">
        <h2 id="insatser">{sv.cases.interventions}</h2>
        {c.interventions.length === 0 && <p>{sv.cases.noInterventions}</p>}
        <ul className="plain-list">
          {c.interventions.map((i) => (
            <li key={i.id}>
              <strong>{i.label}</strong>
              <p className="muted small">
                {fmt(sv.cases.from, { date: i.startDate })}{' '}
                {i.endDate ? fmt(sv.cases.until, { date: i.endDate }) : `· ${sv.cases.ongoing}`}
              </p>
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="uppdrag">
        <h2 id="uppdrag">{sv.cases.assignments}</h2>
        {c.assignments.length === 0 && <p>{sv.cases.noAssignments}</p>}
        <ul className="plain-list">
          {c.assignments.map((a) => (
            <li key={a.id}>
              <strong>{a.description}</strong>
              <p className="muted small">
                {fmt(sv.cases.executor, {
                  name: a.executor.title ? `${a.executor.name}, ${a.executor.title}` : a.executor.name,
                })}{' '}
                · {fmt(sv.cases.from, { date: a.startDate })}{' '}
                {a.endDate ? fmt(sv.cases.until, { date: a.endDate }) : `· ${sv.cases.ongoing}`}
                {a.intervention && ` · ${a.intervention.label}`}
              </p>
              {caseworker && open && (!a.endDate || a.endDate >= today()) && (
                <Button
                  className="button button--small"
                  aria-label={fmt(sv.cases.endAssignmentNamed, { name: a.description })}
                  onPress={(e) => {
                    trigger.current = e.target as HTMLElement;
                    setEnding(a);
                  }}
                >
                  {sv.cases.endAssignment}
                </Button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="relationer">
        <div className="section-head">
          <h2 id="relationer">{sv.cases.relations}</h2>
          {caseworker && open && (
            <Button
              className="button button--small"
              onPress={(e) => {
                trigger.current = e.target as HTMLElement;
                setAdding(true);
              }}
            >
              <span aria-hidden="true">+ </span>
              {sv.cases.addRelation}
            </Button>
          )}
        </div>
        {c.relations.length === 0 && <p>{sv.cases.noRelations}</p>}
        <ul className="plain-list relation-list" data-testid="relations">
          {c.relations.map((r) => (
            <li key={r.id} data-testid="relation">
              <RelationRow
                r={r}
                canChange={caseworker && open}
                onActivate={(el) => {
                  trigger.current = el;
                  setActivating(r);
                }}
                onDeactivate={async () => {
                  setProblem(undefined);
                  const result = await deactivate({ relationId: r.id });
                  if (result.error) return setProblem(errorText(result.error));
                  announce(fmt(sv.cases.deactivated, { name: r.person.name }));
                  refresh();
                }}
              />
            </li>
          ))}
        </ul>
        <Problem text={problem} />
      </section>
      {caseworker && open && (
        <section className="card" aria-labelledby="avsluta">
          <h2 id="avsluta">{sv.cases.closeCaseTitle}</h2>
          <p className="field-description">{sv.cases.closeCaseText}</p>
          <Button
            className="button"
            onPress={(e) => {
              trigger.current = e.target as HTMLElement;
              setClosing(true);
            }}
          >
            {sv.cases.closeCase}
          </Button>
        </section>
      )}
      {ending && (
        <EndDialog
          title={sv.cases.endAssignmentTitle}
          text={sv.cases.endAssignmentText}
          label={sv.cases.endDate}
          min={ending.startDate}
          run={(date) => endAssignment({ assignmentId: ending.id, endDate: date })}
          done={sv.cases.assignmentEnded}
          onClose={(done) => {
            setEnding(undefined);
            if (done) (announce(done), refresh());
            back();
          }}
        />
      )}
      {closing && (
        <EndDialog
          title={sv.cases.closeCaseTitle}
          text={sv.cases.closeCaseText}
          label={sv.cases.closeDate}
          min={c.openedOn}
          run={(date) => closeCase({ caseId: c.id, closedOn: date })}
          done={sv.cases.caseClosed}
          onClose={(done) => {
            setClosing(false);
            if (done) (announce(done), refresh());
            back();
          }}
        />
      )}
      <Suspense fallback={null}>
        {adding && (
          <RelationDialog
            caseId={c.id}
            onClose={(done) => {
              setAdding(false);
              if (done) {
                announce(done);
                refresh();
              }
              back();
            }}
          />
        )}
        {activating && (
          <ActivateRelationDialog
            relation={activating}
            onClose={(done) => {
              setActivating(undefined);
              if (done) {
                announce(done);
                refresh();
              }
              back();
            }}
          />
        )}
      </Suspense>
    </>
  );
}

function RelationRow({
  r,
  canChange,
  onActivate,
  onDeactivate,
}: {
  r: CaseViewRelationFragment;
  canChange: boolean;
  onActivate: (el: HTMLElement) => void;
  onDeactivate: () => void;
}) {
  const p = r.person;
  const approved = r.types.includes('APPROVED_FOR_MESSAGES');
  return (
    <article aria-labelledby={`relation-${r.id}`} className="relation">
      <h3 id={`relation-${r.id}`} className="relation__name">
        <Link to={`/personer/${p.id}`}>{p.name}</Link> <span className="muted small">{pnr(p.personnummer)}</span>
      </h3>
      <p className="relation__types">
        {r.types.map((t) => sv.cases.relationTypes[t]).join(', ')}
        {approved && <span className="muted"> · {sv.cases.rightsNames[r.messagingRights]}</span>}
      </p>
      <dl className="facts facts--compact">
        <dt>{sv.cases.validFrom}</dt>
        <dd>{r.validFrom}</dd>
        <dt>{sv.cases.validTo}</dt>
        <dd>{r.validTo ?? '–'}</dd>
        <dt>{sv.cases.address}</dt>
        <dd>
          {p.contactDetailsHidden ? <span className="muted">{sv.cases.hidden}</span> : (addressLine(p.address) ?? '–')}
        </dd>
        <dt>{sv.cases.contact}</dt>
        <dd>
          {p.contactDetailsHidden ? (
            <span className="muted">{sv.cases.hidden}</span>
          ) : (
            [phone(p.mobile) && `${phone(p.mobile)} (${sv.persons.mobileShort})`, p.email].filter(Boolean).join(', ') ||
            '–'
          )}
        </dd>
      </dl>
      <p>
        <span className={r.messagingActive ? 'status status--open' : 'status'} data-testid="relation-status">
          {r.messagingActive ? sv.cases.active : sv.cases.notActive}
        </span>
      </p>
      {canChange && approved && (
        <div className="button-row button-row--tight">
          <Button
            className="button button--small"
            onPress={(e) => onActivate(e.target as HTMLElement)}
            aria-label={fmt(sv.cases.eServiceNamed, { name: p.name })}
          >
            <span aria-hidden="true">✎ </span>
            {sv.cases.eService}
          </Button>
          {r.activatedAt && (
            <Button
              className="button button--small"
              onPress={onDeactivate}
              aria-label={fmt(sv.cases.deactivateNamed, { name: p.name })}
            >
              {sv.cases.deactivate}
            </Button>
          )}
        </div>
      )}
    </article>
  );
}

/** Avsluta (a case or an assignment): the last day, today unless changed; not in the future, not before it began. */
function EndDialog({
  title,
  text,
  label,
  min,
  run,
  done,
  onClose,
}: {
  title: string;
  text: string;
  label: string;
  min: string;
  run: (date: string) => Promise<{ error?: CombinedError }>;
  done: string;
  onClose: (done?: string) => void;
}) {
  const [date, setDate] = useState(today());
  const [invalid, setInvalid] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!date || date < min || date > today()) return setInvalid(true);
    setBusy(true);
    const result = await run(date);
    setBusy(false);
    if (result.error) return setProblem(errorText(result.error));
    onClose(done);
  };
  return (
    <ModalDialog title={title} onClose={() => onClose()} testId="end-dialog">
      <p>{text}</p>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <TextField
          className="field"
          type="date"
          value={date}
          onChange={(v) => (setDate(v), setInvalid(false))}
          isRequired
          isInvalid={invalid}
        >
          <Label>{label}</Label>
          <Input min={min} max={today()} />
          <FieldError className="field-error">{fmt(sv.cases.endDateRange, { min, max: today() })}</FieldError>
        </TextField>
        <Problem text={problem} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.cases.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.cases.confirm}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
