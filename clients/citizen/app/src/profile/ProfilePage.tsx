import { useState, type FormEvent } from 'react';
import { Button, Checkbox, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { useMutation } from 'urql';
import { errorCode, errorField } from '../../../../shared/ui/api';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { useServerForm } from '../../../../shared/ui/server-form';
import { MeDocument, UpdateMyContactDetailsDocument } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../../shared/ui/usePageTitle';

/** A Swedish mobile number in any common format: 070-123 45 67, +46 70 123 45 67, 0046701234567. */
export function validMobile(value: string): boolean {
  // The server's rule (src/domain/contact-details.ts): a Swedish mobile series 070, 072, 073, 076, 079.
  const digits = value.replace(/[\s\-()]/g, '');
  return /^(\+46|0046|0)7[02369]\d{7}$/.test(digits);
}

export function validEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(value.trim());
}

/** "Min profil": name and address as registered; mobile, e-mail and the notification choices (SMS, e-post) to change. */
export function ProfilePage() {
  const [{ data, fetching, error }, reexecute] = useKeptQuery({ query: MeDocument });
  usePageTitle(sv.profile.title, sv.appName);
  const [{ fetching: saving }, save] = useMutation(UpdateMyContactDetailsDocument);
  const me = data?.me;
  const [mobile, setMobile] = useState('');
  const [email, setEmail] = useState('');
  const [bySms, setBySms] = useState(false);
  const [byEmail, setByEmail] = useState(false);
  const [errors, setErrors] = useState<{ mobile?: string; email?: string }>({});
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const announce = useAnnounce();
  const errorText = useErrorText();

  // The fields take the server's copy when its values change (the first answer, the refetch after a save), but
  // never over what the person has typed and not saved: every answer to Me is a new object (the page's own request
  // after a cached first answer, the refetch after each save), and taking each one over wiped what was typed.
  const form = useServerForm(
    me && JSON.stringify([me.mobile, me.email, me.eService.notifyBySms, me.eService.notifyByEmail]),
    () => {
      if (!me) return;
      setMobile(me.mobile ?? '');
      setEmail(me.email ?? '');
      setBySms(me.eService.notifyBySms);
      setByEmail(me.eService.notifyByEmail);
    },
  );

  if (!me) {
    return (
      <>
        <h1>{sv.profile.title}</h1>
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      </>
    );
  }

  const check = () => {
    const found: { mobile?: string; email?: string } = {};
    if (mobile.trim() && !validMobile(mobile)) found.mobile = sv.profile.mobileInvalid;
    if (!mobile.trim() && bySms) found.mobile = sv.profile.needsSms;
    if (email.trim() && !validEmail(email)) found.email = sv.profile.emailInvalid;
    if (!email.trim() && byEmail) found.email = sv.profile.needsEmail;
    return found;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    setSaved(false);
    setProblem(undefined);
    const found = check();
    setErrors(found);
    if (found.mobile || found.email) {
      document.getElementById(found.mobile ? 'profil-mobil' : 'profil-epost')?.focus();
      return;
    }
    const stored = form.saving();
    const result = await save({
      input: { mobile: mobile.trim(), email: email.trim(), notifyBySms: bySms, notifyByEmail: byEmail },
    });
    if (result.error) {
      if (errorCode(result.error) === 'UNAUTHENTICATED') return;
      const field = errorField(result.error);
      if (field === 'mobile') setErrors({ mobile: mobile.trim() ? sv.profile.mobileInvalid : sv.profile.needsSms });
      else if (field === 'email') setErrors({ email: email.trim() ? sv.profile.emailInvalid : sv.profile.needsEmail });
      else setProblem(errorText(result.error));
      return;
    }
    stored();
    setSaved(true);
    announce(sv.profile.saved);
  };

  return (
    <>
      <h1>{sv.profile.title}</h1>
      <p>{sv.profile.lead}</p>
      <section className="card" aria-labelledby="profil-uppgifter">
        <h2 id="profil-uppgifter" className="visually-hidden">
          {sv.profile.name}
        </h2>
        <dl className="facts">
          <dt>{sv.profile.name}</dt>
          <dd>{me.name}</dd>
          <dt>{sv.profile.personnummer}</dt>
          <dd>{me.personnummer.replace(/^(\d{8})(\d{4})$/, '$1-$2')}</dd>
          <dt>{sv.profile.address}</dt>
          <dd>
            {me.address ? `${me.address.street}, ${me.address.postalCode} ${me.address.city}` : sv.profile.noAddress}
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="profil-kontakt">
        <h2 id="profil-kontakt">{sv.profile.contact}</h2>
        {saved && (
          <div className="alert alert--ok" role="status">
            <p>{sv.profile.saved}</p>
          </div>
        )}
        {problem && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <Form className="form" onSubmit={submit} validationBehavior="aria">
          <TextField
            className="field"
            value={mobile}
            onChange={(v) => {
              setMobile(v);
              form.edited();
              setErrors((e) => ({ ...e, mobile: undefined }));
            }}
            isInvalid={!!errors.mobile}
            type="tel"
            autoComplete="tel"
            id="profil-mobil"
          >
            <Label>{sv.profile.mobile}</Label>
            <Text slot="description" className="field-description">
              {sv.profile.mobileHint}
            </Text>
            <Input />
            <FieldError className="field-error">{errors.mobile}</FieldError>
          </TextField>
          <TextField
            className="field"
            value={email}
            onChange={(v) => {
              setEmail(v);
              form.edited();
              setErrors((e) => ({ ...e, email: undefined }));
            }}
            isInvalid={!!errors.email}
            type="email"
            autoComplete="email"
            id="profil-epost"
          >
            <Label>{sv.profile.email}</Label>
            <Text slot="description" className="field-description">
              {sv.profile.emailHint}
            </Text>
            <Input />
            <FieldError className="field-error">{errors.email}</FieldError>
          </TextField>
          <fieldset className="field">
            <legend>{sv.profile.notifications}</legend>
            <p className="field-description">{sv.profile.notificationsLead}</p>
            <Checkbox
              className="checkbox"
              isSelected={bySms}
              onChange={(on) => {
                setBySms(on);
                form.edited();
                setErrors((e) => ({ ...e, mobile: undefined }));
              }}
            >
              {({ isSelected }) => (
                <>
                  <span className="checkbox__box" aria-hidden="true">
                    {isSelected ? '✓' : ''}
                  </span>
                  {sv.profile.bySms}
                </>
              )}
            </Checkbox>
            <Checkbox
              className="checkbox"
              isSelected={byEmail}
              onChange={(on) => {
                setByEmail(on);
                form.edited();
                setErrors((e) => ({ ...e, email: undefined }));
              }}
            >
              {({ isSelected }) => (
                <>
                  <span className="checkbox__box" aria-hidden="true">
                    {isSelected ? '✓' : ''}
                  </span>
                  {sv.profile.byEmail}
                </>
              )}
            </Checkbox>
          </fieldset>
          <div className="button-row">
            <Button type="submit" className="button button--primary">
              {saving ? sv.profile.saving : sv.profile.save}
            </Button>
          </div>
        </Form>
      </section>
    </>
  );
}
