import { useState, type FormEvent } from 'react';
import {
  Button,
  Checkbox,
  FieldError,
  Form,
  Label,
  Radio,
  RadioGroup,
  Text,
  TextArea,
  TextField,
} from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { useServerForm } from '../../../../shared/ui/server-form';
import {
  MailboxSettingsDocument,
  SharedMailboxesDocument,
  UpdateMailboxSettingsDocument,
  type MailboxSettingsQuery,
} from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import { usePageTitle } from '../title';

const NONE = 'ingen';

/** Inställningar (the seed's section 4): signature, out-of-office with its automatic reply and forwarding to a shared mailbox, and the shared mailboxes the user may use. */
export function SettingsPage() {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: MailboxSettingsDocument });
  const [{ data: shared }] = useQuery({ query: SharedMailboxesDocument });
  const settings = data?.mailboxSettings;
  usePageTitle(sv.settings.title);
  return (
    <>
      <h1>{sv.settings.title}</h1>
      {!settings && (
        <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
      )}
      {settings && <SettingsForm settings={settings} mailboxes={shared?.sharedMailboxes ?? []} />}
      <section className="card settings-section" aria-labelledby="gemensamma">
        <h2 id="gemensamma">{sv.settings.sharedTitle}</h2>
        <p>{sv.settings.sharedLead}</p>
        {shared && shared.sharedMailboxes.length === 0 && <p>{sv.settings.sharedNone}</p>}
        {shared && shared.sharedMailboxes.length > 0 && (
          <ul>
            {shared.sharedMailboxes.map((m) => (
              <li key={m.id}>
                {m.name} <span className="muted">({m.unit.name})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

type Settings = MailboxSettingsQuery['mailboxSettings'];

function SettingsForm({ settings, mailboxes }: { settings: Settings; mailboxes: { id: string; name: string }[] }) {
  const [signature, setSignature] = useState(settings.signature);
  const [absence, setAbsence] = useState(settings.absenceEnabled);
  const [reply, setReply] = useState(settings.absenceReply);
  const [forward, setForward] = useState(settings.absenceForwardTo?.id ?? NONE);
  const [replyMissing, setReplyMissing] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(UpdateMailboxSettingsDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const form = useServerForm(JSON.stringify(settings), () => {
    setSignature(settings.signature);
    setAbsence(settings.absenceEnabled);
    setReply(settings.absenceReply);
    setForward(settings.absenceForwardTo?.id ?? NONE);
  });
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => (form.edit(set)(v), setSaved(false));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    setProblem(undefined);
    if (absence && !reply.trim()) {
      setReplyMissing(true);
      return;
    }
    const stored = form.saving();
    const result = await update({
      input: {
        signature,
        absenceEnabled: absence,
        absenceReply: reply,
        absenceForwardToId: forward === NONE ? null : forward,
      },
    });
    if (result.error) {
      setProblem(errorText(result.error));
      return;
    }
    stored();
    setSaved(true);
    announce(sv.settings.saved);
  };
  const options = [{ id: NONE, name: sv.settings.noForward }, ...mailboxes.map((m) => ({ id: m.id, name: m.name }))];

  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria">
      <section className="card settings-section" aria-labelledby="signatur">
        <h2 id="signatur">{sv.settings.signature}</h2>
        <TextField className="field" value={signature} onChange={edit(setSignature)}>
          <Label>{sv.settings.signature}</Label>
          <Text slot="description" className="field-description">
            {sv.settings.signatureHint}
          </Text>
          <TextArea rows={3} />
        </TextField>
      </section>
      <section className="card settings-section" aria-labelledby="franvaro">
        <h2 id="franvaro">{sv.settings.absence}</h2>
        <Checkbox className="checkbox" isSelected={absence} onChange={edit(setAbsence)}>
          <span className="checkbox__box" aria-hidden="true" />
          {sv.settings.absenceEnabled}
        </Checkbox>
        <TextField
          className="field"
          value={reply}
          onChange={(v) => (edit(setReply)(v), setReplyMissing(false))}
          isInvalid={replyMissing}
          isRequired={absence}
        >
          <Label>{sv.settings.absenceReply}</Label>
          <Text slot="description" className="field-description">
            {sv.settings.absenceReplyHint}
          </Text>
          <TextArea rows={4} />
          <FieldError className="field-error">{sv.settings.replyRequired}</FieldError>
        </TextField>
        <RadioGroup className="field radio-group" value={forward} onChange={edit(setForward)}>
          <Label>{sv.settings.forwardTo}</Label>
          {options.map((o) => (
            <Radio key={o.id} value={o.id} className="radio">
              <span className="radio__dot" aria-hidden="true" />
              {o.name}
            </Radio>
          ))}
        </RadioGroup>
      </section>
      {problem && (
        <div className="alert alert--error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <div className="button-row">
        <Button type="submit" className="button button--primary">
          {sv.settings.save}
        </Button>
        {saved && <p className="saved-at">{sv.settings.saved}</p>}
      </div>
    </Form>
  );
}
