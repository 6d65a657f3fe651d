import { useState, type FormEvent } from 'react';
import {
  Button,
  CheckboxGroup,
  FieldError,
  Form,
  Input,
  Label,
  Radio,
  RadioGroup,
  Text,
  TextField,
} from 'react-aria-components';
import { Checkbox } from 'react-aria-components';
import { useClient, useMutation } from 'urql';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { useErrorText } from '../../../../shared/ui/QueryState';
import { fmt } from '../../../../shared/ui/strings';
import {
  CaseViewActivateRelationDocument,
  CaseViewDeactivateRelationDocument,
  CaseViewRegisterRelationDocument,
  RelationCandidatesDocument,
  type CaseViewRelationFragment,
  type RelationCandidatesQuery,
  type RelationMessagingRights,
  type RelationType,
} from '../../../src/generated/graphql';
import { addressLine, phone, pnr, today } from '../persons/format';
import { Check, ModalDialog, Problem, TextInput } from '../persons/widgets';
import { sv } from '../strings.sv';

type Candidate = RelationCandidatesQuery['persons']['nodes'][number];
/** Who the relation is for: someone the caseworker found, or a new person by personnummer and name. */
type Chosen =
  { kind: 'known'; person: Candidate } | { kind: 'new'; personnummer: string; givenName: string; familyName: string };

const TYPES: RelationType[] = ['APPROVED_FOR_MESSAGES', 'GUARDIAN', 'CUSTODIAN', 'CONTACT_PERSON', 'RELATIVE'];

/** Ten or twelve digits, with or without the dash or plus (the API checks the check digit). */
function looksLikePnr(s: string): boolean {
  return /^(\d{6}|\d{8})[-+]?\d{4}$/.test(s.replace(/\s/g, ''));
}

/**
 * "Lägg till relation", the seed's three steps: Sök person (or register a
 * new one), then the person's address and contact with the Verksamhetsregister
 * (Relation, Från, Till), Spara.
 */
export function RelationDialog({ caseId, onClose }: { caseId: string; onClose: (done?: string) => void }) {
  const [chosen, setChosen] = useState<Chosen>();
  const [creating, setCreating] = useState<string | null>(null);
  return (
    <ModalDialog title={sv.cases.addRelation} onClose={() => onClose()} testId="relation-dialog" wide>
      {!chosen && creating === null && (
        <SearchStep
          onChoose={(person) => setChosen({ kind: 'known', person })}
          onNew={(pnrGuess) => setCreating(pnrGuess)}
          onCancel={() => onClose()}
        />
      )}
      {!chosen && creating !== null && (
        <NewPersonStep
          initial={creating}
          onBack={() => setCreating(null)}
          onDone={(p) => setChosen({ kind: 'new', ...p })}
        />
      )}
      {chosen && (
        <RelationStep
          caseId={caseId}
          chosen={chosen}
          onBack={() => (setChosen(undefined), setCreating(null))}
          onClose={onClose}
        />
      )}
    </ModalDialog>
  );
}

function SearchStep({
  onChoose,
  onNew,
  onCancel,
}: {
  onChoose: (p: Candidate) => void;
  onNew: (pnr: string) => void;
  onCancel: () => void;
}) {
  const [term, setTerm] = useState('');
  const [hits, setHits] = useState<Candidate[] | null>(null);
  const [problem, setProblem] = useState<string>();
  const [searching, setSearching] = useState(false);
  const client = useClient();
  const errorText = useErrorText();
  const search = async (e: FormEvent) => {
    e.preventDefault();
    if (!term.trim()) return;
    setSearching(true);
    setProblem(undefined);
    const result = await client
      .query(RelationCandidatesDocument, { search: term.trim() }, { requestPolicy: 'network-only' })
      .toPromise();
    setSearching(false);
    if (result.error) {
      // A personnummer nobody here knows is simply no hit: the person can be registered.
      if (errorCode(result.error) === 'BAD_USER_INPUT') setHits([]);
      else setProblem(errorText(result.error));
      return;
    }
    setHits(result.data?.persons.nodes ?? []);
  };
  return (
    <>
      <Form className="search-form" onSubmit={search} role="search" aria-label={sv.cases.searchPerson}>
        <TextField className="field search-form__field" value={term} onChange={setTerm} type="search" autoFocus>
          <Label>{sv.cases.searchPerson}</Label>
          <Text slot="description" className="field-description">
            {sv.cases.searchHint}
          </Text>
          <Input autoComplete="off" />
        </TextField>
        <Button type="submit" className="button button--primary search-form__button" isDisabled={searching}>
          {sv.cases.searchButton}
        </Button>
      </Form>
      <Problem text={problem} />
      {hits && hits.length === 0 && (
        <p role="status" className="muted">
          {sv.cases.noHits}
        </p>
      )}
      {hits && hits.length > 0 && (
        <ul className="candidate-list" aria-label={sv.cases.hitsLabel}>
          {hits.map((p) => (
            <li key={p.id}>
              <Button className="candidate" onPress={() => onChoose(p)}>
                <span className="candidate__pnr">{pnr(p.personnummer)}</span>
                <span className="candidate__name">{p.name}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <Button className="button" onPress={onCancel}>
          {sv.cases.cancel}
        </Button>
        <Button className="button" onPress={() => onNew(looksLikePnr(term) ? term.trim() : '')}>
          <span aria-hidden="true">+ </span>
          {sv.cases.newPerson}
        </Button>
      </div>
    </>
  );
}

function NewPersonStep({
  initial,
  onBack,
  onDone,
}: {
  initial: string;
  onBack: () => void;
  onDone: (p: { personnummer: string; givenName: string; familyName: string }) => void;
}) {
  const [personnummer, setPersonnummer] = useState(initial);
  const [givenName, setGivenName] = useState('');
  const [familyName, setFamilyName] = useState('');
  const [invalid, setInvalid] = useState<{ pnr?: boolean; name?: boolean }>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { pnr: !looksLikePnr(personnummer), name: !givenName.trim() || !familyName.trim() };
    setInvalid(next);
    if (next.pnr || next.name) return;
    onDone({
      personnummer: personnummer.replace(/\s/g, ''),
      givenName: givenName.trim(),
      familyName: familyName.trim(),
    });
  };
  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria" aria-label={sv.cases.newPersonTitle}>
      <h3>{sv.cases.newPersonTitle}</h3>
      <TextField
        className="field"
        value={personnummer}
        onChange={(v) => (setPersonnummer(v), setInvalid({}))}
        isRequired
        isInvalid={invalid.pnr}
        autoFocus
      >
        <Label>{sv.cases.personnummer}</Label>
        <Text slot="description" className="field-description">
          {sv.cases.personnummerHint}
        </Text>
        <Input inputMode="numeric" autoComplete="off" />
        <FieldError className="field-error">{sv.cases.pnrRequired}</FieldError>
      </TextField>
      <TextField
        className="field"
        value={givenName}
        onChange={(v) => (setGivenName(v), setInvalid({}))}
        isRequired
        isInvalid={invalid.name && !givenName.trim()}
      >
        <Label>{sv.cases.givenName}</Label>
        <Input autoComplete="off" />
        <FieldError className="field-error">{sv.cases.nameRequired}</FieldError>
      </TextField>
      <TextField
        className="field"
        value={familyName}
        onChange={(v) => (setFamilyName(v), setInvalid({}))}
        isRequired
        isInvalid={invalid.name && !familyName.trim()}
      >
        <Label>{sv.cases.familyName}</Label>
        <Input autoComplete="off" />
        <FieldError className="field-error">{sv.cases.nameRequired}</FieldError>
      </TextField>
      <div className="button-row">
        <Button className="button" onPress={onBack}>
          {sv.cases.backStep}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.cases.addRelation}
        </Button>
      </div>
    </Form>
  );
}

function RelationStep({
  caseId,
  chosen,
  onBack,
  onClose,
}: {
  caseId: string;
  chosen: Chosen;
  onBack: () => void;
  onClose: (done?: string) => void;
}) {
  const [types, setTypes] = useState<string[]>(['APPROVED_FOR_MESSAGES']);
  const [validFrom, setValidFrom] = useState(today());
  const [validTo, setValidTo] = useState('');
  const [rights, setRights] = useState<RelationMessagingRights>('READ_AND_WRITE');
  const [invalid, setInvalid] = useState<{ types?: boolean; from?: boolean; to?: boolean }>({});
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, register] = useMutation(CaseViewRegisterRelationDocument);
  const errorText = useErrorText();
  const name = chosen.kind === 'known' ? chosen.person.name : `${chosen.givenName} ${chosen.familyName}`;
  const personnummer = chosen.kind === 'known' ? chosen.person.personnummer : chosen.personnummer;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const next = { types: types.length === 0, from: !validFrom, to: !!validTo && !!validFrom && validTo < validFrom };
    setInvalid(next);
    if (next.types || next.from || next.to) return;
    const names = chosen.kind === 'new' ? { givenName: chosen.givenName, familyName: chosen.familyName } : {};
    const result = await register({
      caseId,
      input: {
        personnummer,
        types: types as RelationType[],
        validFrom,
        validTo: validTo || null,
        messagingRights: types.includes('APPROVED_FOR_MESSAGES') ? rights : null,
        ...names,
      },
    });
    if (result.error) {
      const field = errorField(result.error);
      if (field === 'validTo') return setInvalid({ to: true });
      setProblem(errorText(result.error));
      return;
    }
    onClose(fmt(sv.cases.registered, { name }));
  };

  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria">
      <section aria-labelledby="vald-person" className="chosen-person">
        <h3 id="vald-person">
          <span className="visually-hidden">{sv.cases.chosen}: </span>
          {pnr(personnummer)} {name}
        </h3>
        {chosen.kind === 'known' && (
          <dl className="facts facts--compact">
            <dt>{sv.cases.address}</dt>
            <dd>
              {chosen.person.contactDetailsHidden ? sv.cases.hidden : (addressLine(chosen.person.address) ?? '–')}
            </dd>
            <dt>{sv.cases.contact}</dt>
            <dd>
              {chosen.person.contactDetailsHidden
                ? sv.cases.hidden
                : [
                    phone(chosen.person.mobile) && `${phone(chosen.person.mobile)} (${sv.persons.mobileShort})`,
                    chosen.person.email,
                  ]
                    .filter(Boolean)
                    .join(', ') || '–'}
            </dd>
          </dl>
        )}
      </section>
      <fieldset className="register">
        <legend>{sv.cases.register}</legend>
        <CheckboxGroup
          className="field checkbox-group"
          value={types}
          onChange={(v) => (setTypes(v), setInvalid({}))}
          isInvalid={invalid.types}
        >
          <Label>{sv.cases.relation}</Label>
          {TYPES.map((t) => (
            <Checkbox key={t} value={t} className="checkbox">
              <span className="checkbox__box" aria-hidden="true" />
              {sv.cases.relationTypes[t]}
            </Checkbox>
          ))}
          <FieldError className="field-error">{sv.cases.typesRequired}</FieldError>
        </CheckboxGroup>
        {types.includes('APPROVED_FOR_MESSAGES') && (
          <RadioGroup
            className="field radio-group"
            value={rights}
            onChange={(v) => setRights(v as RelationMessagingRights)}
          >
            <Label>{sv.cases.rights}</Label>
            {(['READ_AND_WRITE', 'READ_ONLY'] as const).map((r) => (
              <Radio key={r} value={r} className="radio">
                <span className="radio__dot" aria-hidden="true" />
                <span>
                  {sv.cases.rightsNames[r]}
                  <span className="checkbox__hint">{sv.cases.rightsHints[r]}</span>
                </span>
              </Radio>
            ))}
          </RadioGroup>
        )}
        <div className="field-row">
          <TextField
            className="field"
            type="date"
            value={validFrom}
            onChange={(v) => (setValidFrom(v), setInvalid({}))}
            isRequired
            isInvalid={invalid.from}
          >
            <Label>{sv.cases.validFrom}</Label>
            <Input />
            <FieldError className="field-error">{sv.cases.fromRequired}</FieldError>
          </TextField>
          <TextField
            className="field"
            type="date"
            value={validTo}
            onChange={(v) => (setValidTo(v), setInvalid({}))}
            isInvalid={invalid.to}
          >
            <Label>{sv.cases.validTo}</Label>
            <Text slot="description" className="field-description">
              {sv.cases.validToHint}
            </Text>
            <Input min={validFrom || undefined} />
            <FieldError className="field-error">{sv.cases.toBeforeFrom}</FieldError>
          </TextField>
        </div>
      </fieldset>
      <Problem text={problem} />
      <div className="button-row">
        <Button className="button" onPress={onBack}>
          {sv.cases.backStep}
        </Button>
        <Button className="button" onPress={() => onClose()}>
          {sv.cases.cancel}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.cases.save}
        </Button>
      </div>
    </Form>
  );
}

/**
 * The relation's e-service, as the seed's step 3–4: e-mail and mobile
 * number, Meddelande, Notifiering via SMS and Notifiering via E-post.
 * Meddelande on activates the relation (from today), off deactivates it.
 */
export function ActivateRelationDialog({
  relation,
  onClose,
}: {
  relation: CaseViewRelationFragment;
  onClose: (done?: string) => void;
}) {
  const p = relation.person;
  const hidden = p.contactDetailsHidden;
  const [messaging, setMessaging] = useState(true);
  const [sms, setSms] = useState(relation.activatedAt ? p.eService.notifyBySms : !!p.mobile);
  const [mail, setMail] = useState(relation.activatedAt ? p.eService.notifyByEmail : !!p.email);
  const [mobile, setMobile] = useState(phone(p.mobile) ?? '');
  const [email, setEmail] = useState(p.email ?? '');
  const [problem, setProblem] = useState<{ field?: string; text?: string }>({});
  const [{ fetching: a }, activate] = useMutation(CaseViewActivateRelationDocument);
  const [{ fetching: d }, deactivate] = useMutation(CaseViewDeactivateRelationDocument);
  const errorText = useErrorText();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (a || d) return;
    if (!messaging) {
      const result = relation.activatedAt ? await deactivate({ relationId: relation.id }) : undefined;
      if (result?.error) return setProblem({ text: errorText(result.error) });
      return onClose(relation.activatedAt ? fmt(sv.cases.deactivated, { name: p.name }) : undefined);
    }
    if (sms && !hidden && !mobile.trim()) return setProblem({ field: 'mobile', text: sv.persons.needsMobile });
    if (mail && !hidden && !email.trim()) return setProblem({ field: 'email', text: sv.persons.needsEmail });
    const contact = hidden ? {} : { mobile: mobile.trim() || null, email: email.trim() || null };
    const result = await activate({
      relationId: relation.id,
      input: { notifyBySms: sms, notifyByEmail: mail, ...contact },
    });
    if (result.error) {
      const field = errorField(result.error);
      if (errorCode(result.error) === 'BAD_USER_INPUT' && (field === 'mobile' || field === 'email')) {
        return setProblem({
          field,
          text:
            field === 'mobile'
              ? sms && !mobile.trim()
                ? sv.persons.needsMobile
                : sv.persons.invalidMobile
              : mail && !email.trim()
                ? sv.persons.needsEmail
                : sv.persons.invalidEmail,
        });
      }
      return setProblem({ text: errorText(result.error) });
    }
    onClose(fmt(sv.cases.activated, { name: p.name }));
  };

  return (
    <ModalDialog
      title={fmt(sv.cases.activateTitle, { name: p.name })}
      onClose={() => onClose()}
      testId="activate-dialog"
    >
      <p className="field-description">{sv.cases.activateLead}</p>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        {!hidden && (
          <>
            <TextInput
              label={sv.persons.email}
              value={email}
              onChange={(v) => (setEmail(v), setProblem({}))}
              type="email"
              error={problem.field === 'email' ? problem.text : undefined}
            />
            <TextInput
              label={sv.persons.mobile}
              value={mobile}
              onChange={(v) => (setMobile(v), setProblem({}))}
              type="tel"
              error={problem.field === 'mobile' ? problem.text : undefined}
            />
          </>
        )}
        <fieldset className="switches">
          <legend className="visually-hidden">{sv.cases.eService}</legend>
          <Check
            label={sv.persons.messaging}
            value={messaging}
            onChange={(v) => (setMessaging(v), !v && (setSms(false), setMail(false)), setProblem({}))}
          />
          <Check
            label={sv.persons.notifyBySms}
            value={sms}
            onChange={(v) => (setSms(v), v && setMessaging(true), setProblem({}))}
          />
          <Check
            label={sv.persons.notifyByEmail}
            value={mail}
            onChange={(v) => (setMail(v), v && setMessaging(true), setProblem({}))}
          />
        </fieldset>
        <Problem text={problem.field ? undefined : problem.text} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.cases.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.cases.save}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
