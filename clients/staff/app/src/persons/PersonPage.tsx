import './person-case.css';
import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import type { CombinedError } from '@urql/core';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { useServerForm } from '../../../../shared/ui/server-form';
import { fmt } from '../../../../shared/ui/strings';
import {
  PersonViewDocument,
  PersonViewSetEServiceDocument,
  PersonViewSetFlagsDocument,
  PersonViewUpdateContactDocument,
  type PersonViewQuery,
} from '../../../src/generated/graphql';
import { useRole } from './useRole';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';
import { addressLine, dayTime, phone, pnr } from './format';
import { Check, Problem, TextInput } from './widgets';

export type ViewedPerson = PersonViewQuery['person'];

/**
 * Personbilden: the person's details, flags (Skyddad folkbokföring clearly
 * marked; the API has already withheld what this user may not see), the
 * blue "e-tjänsten är påkopplad" box when the e-service is on, the e-service
 * switches (the seed's Meddelande, Notifiering via SMS, Notifiering via
 * E-post), the person's cases and relations.
 */
export function PersonPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: PersonViewDocument, variables: { id } });
  const person = data?.person;
  usePageTitle(person?.name);
  return (
    <>
      <p className="back-link">
        <Link to="/personer">{sv.persons.back}</Link>
      </p>
      {!person && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {person && <PersonDetails person={person} />}
    </>
  );
}

function PersonDetails({ person }: { person: ViewedPerson }) {
  const caseworker = useRole() === 'CASEWORKER';
  return (
    <div className="person-view">
      <header className="person-view__head">
        <h1>{person.name}</h1>
        <p className="person-view__pnr">
          <span className="visually-hidden">{sv.persons.personnummer} </span>
          {pnr(person.personnummer)}
        </p>
      </header>
      {person.eService.messagingEnabled && <EServiceBox person={person} />}
      <Flags person={person} canEdit={caseworker} />
      <div className="person-view__grid">
        <ContactSection person={person} canEdit={caseworker} />
        {caseworker && person.cases.some((c) => c.status === 'OPEN') && (
          <EServiceSection key={person.id} person={person} />
        )}
        {caseworker && !person.cases.some((c) => c.status === 'OPEN') && (
          <section className="card" aria-labelledby="etjanst">
            <h2 id="etjanst">{sv.persons.eService}</h2>
            <p>{sv.persons.eServiceRelationOnly}</p>
          </section>
        )}
      </div>
      <CasesSection person={person} />
      <RelationsSection person={person} />
    </div>
  );
}

/** The seed's blue box, shown at the top of the person view while the e-service is on. */
export function EServiceBox({
  person,
}: {
  person: Pick<ViewedPerson, 'name' | 'personnummer' | 'mobile' | 'email' | 'eService' | 'contactDetailsHidden'>;
}) {
  const e = person.eService;
  return (
    <section className="eservice-box" aria-labelledby="etjanst-pa" data-testid="eservice-box">
      <h2 id="etjanst-pa" className="eservice-box__title">
        <span className="eservice-box__icon" aria-hidden="true">
          i
        </span>
        {sv.persons.eServiceOn}
      </h2>
      <ul className="eservice-box__list">
        {e.notifyBySms && <li>{sv.persons.notifyBySms}</li>}
        {e.notifyByEmail && <li>{sv.persons.notifyByEmail}</li>}
        <li>{sv.persons.messaging}</li>
      </ul>
      {!person.contactDetailsHidden && (
        <p className="eservice-box__contact">
          {person.mobile && (
            <span>
              {phone(person.mobile)} ({sv.persons.mobileShort})
            </span>
          )}
          {person.email && <span>{person.email}</span>}
        </p>
      )}
    </section>
  );
}

function Flags({ person, canEdit }: { person: ViewedPerson; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const set = (
    ['protectedIdentity', 'confidentialityMarking', 'secretPhoneNumber', 'needsInterpreter'] as const
  ).filter((f) => person[f]);
  const label = (f: (typeof set)[number]) =>
    f === 'needsInterpreter' && person.interpreterLanguage
      ? fmt(sv.persons.interpreterLanguage, { language: person.interpreterLanguage })
      : sv.persons.flagNames[f];
  return (
    <section className="person-flags" aria-labelledby="upplysningar">
      <div className="section-head">
        <h2 id="upplysningar" className="person-flags__title">
          {sv.persons.flags}
        </h2>
        {canEdit && !editing && (
          <Button className="button button--small" onPress={() => setEditing(true)} aria-label={sv.persons.flagsEdit}>
            <span aria-hidden="true">✎ </span>
            {sv.persons.edit}
          </Button>
        )}
      </div>
      {person.protectedIdentity && (
        <div className="alert alert--protected" data-testid="protected-notice">
          <p>
            <strong>{person.contactDetailsHidden ? sv.persons.protectedNotice : sv.persons.protectedNoticeOwn}</strong>
          </p>
        </div>
      )}
      {!editing && set.length > 0 && (
        <ul className="flag-list" aria-label={sv.persons.flags}>
          {set.map((f) => (
            <li key={f} className={f === 'protectedIdentity' ? 'flag flag--protected' : 'flag'}>
              {label(f)}
            </li>
          ))}
        </ul>
      )}
      {!editing && set.length === 0 && <p className="muted">{sv.persons.noFlags}</p>}
      {editing && <FlagsForm person={person} onDone={() => setEditing(false)} />}
    </section>
  );
}

/** Sekretessmarkering, Hemligt telefonnummer and Tolkbehov with its language; Skyddad folkbokföring is shown, not set, here. */
function FlagsForm({ person, onDone }: { person: ViewedPerson; onDone: () => void }) {
  const [confidential, setConfidential] = useState(person.confidentialityMarking);
  const [secret, setSecret] = useState(person.secretPhoneNumber);
  const [interpreter, setInterpreter] = useState(person.needsInterpreter);
  const [language, setLanguage] = useState(person.interpreterLanguage ?? '');
  const [languageMissing, setLanguageMissing] = useState(false);
  const [problem, setProblem] = useState<string>();
  // Opened before the refetch after a save has come, the form starts from the page's older copy: it takes the
  // server's when it comes, unless something has been changed here.
  const { edit } = useServerForm(
    JSON.stringify([
      person.confidentialityMarking,
      person.secretPhoneNumber,
      person.needsInterpreter,
      person.interpreterLanguage,
    ]),
    () => {
      setConfidential(person.confidentialityMarking);
      setSecret(person.secretPhoneNumber);
      setInterpreter(person.needsInterpreter);
      setLanguage(person.interpreterLanguage ?? '');
    },
  );
  const [{ fetching }, save] = useMutation(PersonViewSetFlagsDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (interpreter && !language.trim()) return setLanguageMissing(true);
    const result = await save({
      personId: person.id,
      input: {
        confidentialityMarking: confidential,
        secretPhoneNumber: secret,
        needsInterpreter: interpreter,
        interpreterLanguage: interpreter ? language.trim() : null,
      },
    });
    if (result.error) {
      if (errorField(result.error) === 'interpreterLanguage') return setLanguageMissing(true);
      return setProblem(errorText(result.error));
    }
    announce(sv.persons.flagsSaved);
    onDone();
  };
  return (
    <Form className="form card" onSubmit={submit} validationBehavior="aria" data-testid="flags-form">
      <p className="field-description">{sv.persons.flagsLead}</p>
      <fieldset className="switches">
        <legend className="visually-hidden">{sv.persons.flags}</legend>
        <Check
          label={sv.persons.flagNames.protectedIdentity}
          value={person.protectedIdentity}
          onChange={() => undefined}
          isDisabled
        />
        <Check
          label={sv.persons.flagNames.confidentialityMarking}
          value={confidential}
          onChange={edit(setConfidential)}
        />
        <Check label={sv.persons.flagNames.secretPhoneNumber} value={secret} onChange={edit(setSecret)} />
        <Check
          label={sv.persons.flagNames.needsInterpreter}
          value={interpreter}
          onChange={(v) => (edit(setInterpreter)(v), setLanguageMissing(false))}
        />
      </fieldset>
      {interpreter && (
        <TextField
          className="field"
          value={language}
          onChange={(v) => (edit(setLanguage)(v), setLanguageMissing(false))}
          isRequired
          isInvalid={languageMissing}
        >
          <Label>{sv.persons.language}</Label>
          <Input />
          <FieldError className="field-error">{sv.persons.languageRequired}</FieldError>
        </TextField>
      )}
      <Problem text={problem} />
      <div className="button-row">
        <Button className="button" onPress={onDone}>
          {sv.persons.cancel}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.persons.save}
        </Button>
      </div>
    </Form>
  );
}

function Value({ value, hidden }: { value: string | null | undefined; hidden: boolean }) {
  if (hidden) return <span className="muted">{sv.persons.hidden}</span>;
  return value ? <>{value}</> : <span className="muted">{sv.persons.missing}</span>;
}

function ContactSection({ person, canEdit }: { person: ViewedPerson; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const hidden = person.contactDetailsHidden;
  const phonesHidden = person.phoneNumbersHidden;
  return (
    <section className="card" aria-labelledby="kontakt">
      <div className="section-head">
        <h2 id="kontakt">{sv.persons.contact}</h2>
        {canEdit && !hidden && !editing && (
          <Button className="button button--small" onPress={() => setEditing(true)} aria-label={sv.persons.editContact}>
            <span aria-hidden="true">✎ </span>
            {sv.persons.edit}
          </Button>
        )}
      </div>
      {!editing && (
        <dl className="facts">
          <dt>{sv.persons.address}</dt>
          <dd>
            <Value value={addressLine(person.address)} hidden={hidden} />
          </dd>
          <dt>{sv.persons.homePhone}</dt>
          <dd>
            <Value value={phone(person.homePhone)} hidden={hidden || phonesHidden} />
          </dd>
          <dt>{sv.persons.workPhone}</dt>
          <dd>
            <Value value={phone(person.workPhone)} hidden={hidden || phonesHidden} />
          </dd>
          <dt>{sv.persons.mobile}</dt>
          <dd>
            <Value value={phone(person.mobile)} hidden={hidden || phonesHidden} />
          </dd>
          <dt>{sv.persons.email}</dt>
          <dd>
            <Value value={person.email} hidden={hidden} />
          </dd>
        </dl>
      )}
      {editing && <ContactForm person={person} onDone={() => setEditing(false)} />}
    </section>
  );
}

/** Swedish text for a refused contact detail, by the field the API names. */
function fieldProblem(
  error: CombinedError | undefined,
  wants: { sms?: boolean; email?: boolean; mobile?: string; emailValue?: string },
): { field?: string; text?: string } {
  if (errorCode(error) !== 'BAD_USER_INPUT') return {};
  const field = errorField(error);
  if (field === 'mobile')
    return { field, text: wants.sms && !wants.mobile?.trim() ? sv.persons.needsMobile : sv.persons.invalidMobile };
  if (field === 'email')
    return { field, text: wants.email && !wants.emailValue?.trim() ? sv.persons.needsEmail : sv.persons.invalidEmail };
  return {};
}

function ContactForm({ person, onDone }: { person: ViewedPerson; onDone: () => void }) {
  const [street, setStreet] = useState(person.address?.street ?? '');
  const [postalCode, setPostalCode] = useState(person.address?.postalCode ?? '');
  const [city, setCity] = useState(person.address?.city ?? '');
  const [mobile, setMobile] = useState(phone(person.mobile) ?? '');
  const [homePhone, setHomePhone] = useState(phone(person.homePhone) ?? '');
  const [workPhone, setWorkPhone] = useState(phone(person.workPhone) ?? '');
  const [email, setEmail] = useState(person.email ?? '');
  const [problem, setProblem] = useState<{ field?: string; text?: string }>({});
  // As in FlagsForm: the server's copy when it comes, unless something has been changed here.
  const { edit } = useServerForm(
    JSON.stringify([person.address, person.mobile, person.homePhone, person.workPhone, person.email]),
    () => {
      setStreet(person.address?.street ?? '');
      setPostalCode(person.address?.postalCode ?? '');
      setCity(person.address?.city ?? '');
      setMobile(phone(person.mobile) ?? '');
      setHomePhone(phone(person.homePhone) ?? '');
      setWorkPhone(phone(person.workPhone) ?? '');
      setEmail(person.email ?? '');
    },
  );
  const [{ fetching }, update] = useMutation(PersonViewUpdateContactDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const result = await update({
      personId: person.id,
      input: {
        street,
        postalCode,
        city,
        email,
        ...(person.phoneNumbersHidden ? {} : { mobile, homePhone, workPhone }),
      },
    });
    if (result.error) {
      const field = errorField(result.error);
      if (errorCode(result.error) === 'BAD_USER_INPUT' && (field === 'homePhone' || field === 'workPhone'))
        return setProblem({ field, text: sv.persons.invalidPhone });
      const p = fieldProblem(result.error, { mobile, emailValue: email });
      setProblem(p.field ? p : { text: errorText(result.error) });
      return;
    }
    announce(sv.persons.saved);
    onDone();
  };
  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria">
      <TextField className="field" value={street} onChange={edit(setStreet)} autoComplete="off">
        <Label>{sv.persons.street}</Label>
        <Input />
      </TextField>
      <div className="field-row">
        <TextField className="field field--short" value={postalCode} onChange={edit(setPostalCode)}>
          <Label>{sv.persons.postalCode}</Label>
          <Input />
        </TextField>
        <TextField className="field" value={city} onChange={edit(setCity)}>
          <Label>{sv.persons.city}</Label>
          <Input />
        </TextField>
      </div>
      {!person.phoneNumbersHidden && (
        <>
          <TextInput
            label={sv.persons.homePhone}
            value={homePhone}
            onChange={(v) => (edit(setHomePhone)(v), setProblem({}))}
            type="tel"
            error={problem.field === 'homePhone' ? problem.text : undefined}
          />
          <TextInput
            label={sv.persons.workPhone}
            value={workPhone}
            onChange={(v) => (edit(setWorkPhone)(v), setProblem({}))}
            type="tel"
            error={problem.field === 'workPhone' ? problem.text : undefined}
          />
          <TextInput
            label={sv.persons.mobile}
            value={mobile}
            onChange={(v) => (edit(setMobile)(v), setProblem({}))}
            type="tel"
            error={problem.field === 'mobile' ? problem.text : undefined}
          />
        </>
      )}
      <TextInput
        label={sv.persons.email}
        value={email}
        onChange={(v) => (edit(setEmail)(v), setProblem({}))}
        type="email"
        error={problem.field === 'email' ? problem.text : undefined}
      />
      <Problem text={problem.field ? undefined : problem.text} />
      <div className="button-row">
        <Button className="button" onPress={onDone}>
          {sv.persons.cancel}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.persons.save}
        </Button>
      </div>
    </Form>
  );
}

/**
 * The seed's step 2–3: fill in mobile number and e-mail, tick Meddelande,
 * Notifiering via SMS and Notifiering via E-post, Spara. A notification needs
 * Meddelande: ticking one ticks it, unticking Meddelande unticks them.
 */
function EServiceSection({ person }: { person: ViewedPerson }) {
  const hidden = person.contactDetailsHidden;
  const [messaging, setMessaging] = useState(person.eService.messagingEnabled);
  const [sms, setSms] = useState(person.eService.notifyBySms);
  const [mail, setMail] = useState(person.eService.notifyByEmail);
  const [mobile, setMobile] = useState(phone(person.mobile) ?? '');
  const [email, setEmail] = useState(person.email ?? '');
  const [problem, setProblem] = useState<{ field?: string; text?: string }>({});
  const [saved, setSaved] = useState<string>();
  const [{ fetching }, save] = useMutation(PersonViewSetEServiceDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const form = useServerForm(JSON.stringify([person.eService, person.mobile, person.email]), () => {
    setMessaging(person.eService.messagingEnabled);
    setSms(person.eService.notifyBySms);
    setMail(person.eService.notifyByEmail);
    setMobile(phone(person.mobile) ?? '');
    setEmail(person.email ?? '');
  });
  const changed = () => (form.edited(), setProblem({}), setSaved(undefined));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    if (sms && !hidden && !mobile.trim()) return setProblem({ field: 'mobile', text: sv.persons.needsMobile });
    if (mail && !hidden && !email.trim()) return setProblem({ field: 'email', text: sv.persons.needsEmail });
    const contact = hidden ? {} : { mobile: mobile.trim() || null, email: email.trim() || null };
    const stored = form.saving();
    const result = await save({
      personId: person.id,
      input: { messagingEnabled: messaging, notifyBySms: sms, notifyByEmail: mail, ...contact },
    });
    if (result.error) {
      const p = fieldProblem(result.error, { sms, email: mail, mobile, emailValue: email });
      setProblem(p.field ? p : { text: errorText(result.error) });
      return;
    }
    const text = messaging ? sv.persons.eServiceSaved : sv.persons.eServiceOffSaved;
    stored();
    setSaved(text);
    announce(text);
  };

  return (
    <section className="card" aria-labelledby="etjanst">
      <h2 id="etjanst">{sv.persons.eService}</h2>
      <p className="field-description">{sv.persons.eServiceLead}</p>
      <Form className="form" onSubmit={submit} validationBehavior="aria" data-testid="eservice-form">
        {!hidden && (
          <>
            <TextInput
              label={sv.persons.mobile}
              value={mobile}
              onChange={(v) => (setMobile(v), changed())}
              type="tel"
              error={problem.field === 'mobile' ? problem.text : undefined}
            />
            <TextInput
              label={sv.persons.email}
              value={email}
              onChange={(v) => (setEmail(v), changed())}
              type="email"
              error={problem.field === 'email' ? problem.text : undefined}
            />
          </>
        )}
        <fieldset className="switches">
          <legend className="visually-hidden">{sv.persons.eService}</legend>
          <Check
            label={sv.persons.messaging}
            value={messaging}
            onChange={(v) => {
              setMessaging(v);
              if (!v) (setSms(false), setMail(false));
              changed();
            }}
          />
          <Check
            label={sv.persons.notifyBySms}
            value={sms}
            onChange={(v) => (setSms(v), v && setMessaging(true), changed())}
          />
          <Check
            label={sv.persons.notifyByEmail}
            value={mail}
            onChange={(v) => (setMail(v), v && setMessaging(true), changed())}
          />
        </fieldset>
        <Problem text={problem.field ? undefined : problem.text} />
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {sv.persons.save}
          </Button>
          {saved && <p className="saved-at">{saved}</p>}
        </div>
        {person.eService.changedAt && (
          <p className="muted small">{fmt(sv.persons.changedAt, { time: dayTime(person.eService.changedAt) })}</p>
        )}
      </Form>
    </section>
  );
}

function CasesSection({ person }: { person: ViewedPerson }) {
  return (
    <section className="card" aria-labelledby="arenden">
      <h2 id="arenden">{sv.persons.cases}</h2>
      {person.cases.length === 0 && <p>{sv.persons.noCases}</p>}
      {person.cases.length > 0 && (
        <ul className="plain-list">
          {person.cases.map((c) => (
            <li key={c.id}>
              <Link to={`/arende/${c.id}`} className="strong-link">
                {c.title}
              </Link>{' '}
              <span className={c.status === 'OPEN' ? 'status status--open' : 'status'}>
                {sv.cases.statusNames[c.status]}
              </span>
              <p className="muted small">
                {fmt(sv.persons.caseOpened, { date: c.openedOn })}
                {c.closedOn && ` · ${fmt(sv.persons.caseClosed, { date: c.closedOn })}`} · {c.unit.name} ·{' '}
                {fmt(sv.persons.caseworker, { name: c.caseworker.name })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RelationsSection({ person }: { person: ViewedPerson }) {
  return (
    <section className="card" aria-labelledby="relationer">
      <h2 id="relationer">{sv.persons.relations}</h2>
      {person.relations.length === 0 && <p>{sv.persons.noRelations}</p>}
      {person.relations.length > 0 && (
        <ul className="plain-list">
          {person.relations.map((r) => (
            <li key={r.id}>
              <Link to={`/personer/${r.person.id}`} className="strong-link">
                {r.person.name}
              </Link>{' '}
              <span className="muted">{pnr(r.person.personnummer)}</span>
              <p className="small">
                {r.types.map((t) => sv.cases.relationTypes[t]).join(', ')} · {fmt(sv.cases.from, { date: r.validFrom })}
                {r.validTo && ` ${fmt(sv.cases.until, { date: r.validTo })}`} ·{' '}
                {r.messagingActive ? sv.cases.active : sv.cases.notActive} ·{' '}
                <Link to={`/arende/${r.case.id}`}>{fmt(sv.persons.inCase, { title: r.case.title })}</Link>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
