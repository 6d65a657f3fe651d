import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, Radio, RadioGroup, Text, TextField } from 'react-aria-components';
import { useMutation } from 'urql';
import { errorField } from '../../../../shared/ui/api';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { fmt } from '../../../../shared/ui/strings';
import { SetProtectedIdentityDocument } from '../../../src/generated/graphql';
import { usePageTitle } from '../title';
import { Done, doneNote, type DoneNote } from './Done';
import { adminErrorText } from './errors';
import { adminSv as a } from './strings.sv';

/**
 * Skyddad folkbokföring comes from the population register: an administrator
 * records it by personnummer (administrators see no persons, so there is
 * nothing to look up first). The API logs the change in the access log.
 */
export function ProtectedIdentityPage() {
  const p = a.protectedIdentity;
  usePageTitle(p.title);
  const [pnr, setPnr] = useState('');
  const [choice, setChoice] = useState<string | null>(null);
  const [missing, setMissing] = useState<{ pnr?: boolean; choice?: boolean }>({});
  const [refused, setRefused] = useState<{ field?: string; text: string }>();
  const [done, setDone] = useState<DoneNote>();
  const [{ fetching }, save] = useMutation(SetProtectedIdentityDocument);
  const announce = useAnnounce();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const miss = { pnr: !pnr.trim(), choice: choice === null };
    setMissing(miss);
    setRefused(undefined);
    setDone(undefined);
    if (miss.pnr || miss.choice) return;
    const result = await save({ personnummer: pnr.trim(), protectedIdentity: choice === 'ja' });
    if (result.error) return setRefused({ field: errorField(result.error), text: adminErrorText(result.error) });
    const text = fmt(result.data!.setProtectedIdentity ? p.savedOn : p.savedOff, { pnr: pnr.trim() });
    setDone(doneNote(text));
    announce(text);
  };

  const pnrInvalid = !!missing.pnr || refused?.field === 'personnummer';
  return (
    <>
      <h1>{p.title}</h1>
      <p>{p.lead}</p>
      <Done note={done} />
      <Form className="form card" onSubmit={submit} validationBehavior="aria">
        <TextField
          className="field"
          value={pnr}
          onChange={(v) => (setPnr(v), setMissing((m) => ({ ...m, pnr: false })), setRefused(undefined))}
          isRequired
          isInvalid={pnrInvalid}
        >
          <Label>{p.personnummer}</Label>
          <Text slot="description" className="field-description">
            {p.personnummerHint}
          </Text>
          <Input inputMode="numeric" autoComplete="off" />
          <FieldError className="field-error">
            {refused?.field === 'personnummer' ? refused.text : p.pnrRequired}
          </FieldError>
        </TextField>
        <RadioGroup
          className="field radio-group"
          value={choice}
          onChange={(v) => (setChoice(v), setMissing((m) => ({ ...m, choice: false })))}
          isRequired
          isInvalid={!!missing.choice}
        >
          <Label>{p.choice}</Label>
          <Radio value="ja" className="radio">
            <span className="radio__dot" aria-hidden="true" />
            {p.yes}
          </Radio>
          <Radio value="nej" className="radio">
            <span className="radio__dot" aria-hidden="true" />
            {p.no}
          </Radio>
          <FieldError className="field-error">{p.chooseFirst}</FieldError>
        </RadioGroup>
        {refused && refused.field !== 'personnummer' && (
          <div className="alert alert--error" role="alert">
            <p>{refused.text}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary" isDisabled={fetching}>
            {p.save}
          </Button>
        </div>
      </Form>
    </>
  );
}
