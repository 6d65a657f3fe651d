import { useRef, useState, type FormEvent } from 'react';
import {
  Button,
  FieldError,
  Form,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
  TextArea,
  TextField,
} from 'react-aria-components';
import { useNavigate, useSearchParams } from 'react-router';
import { useMutation } from 'urql';
import { errorCode } from '../../../../shared/ui/api';
import { AttachmentPicker, useAttachments } from '../../../../shared/ui/Attachments';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { useSession } from '../../../../shared/ui/session';
import { drafts, newIdempotencyKey, textToHtml } from '../../../../shared/ui/text';
import { MessageTargetsDocument, SendMessageDocument, type PartyFieldsFragment } from '../../../src/generated/graphql';
import { NotActivated } from '../NotActivated';
import { sv } from '../strings.sv';
import { useKeptQuery } from '../../../../shared/ui/useKeptQuery';
import { usePageTitle } from '../../../../shared/ui/usePageTitle';

const SUBJECT_MAX = 200;

function targetLabel(p: PartyFieldsFragment): string {
  if (p.kind === 'SHARED_MAILBOX') return `${p.name} (${sv.compose.mailbox})`;
  return p.title ? `${p.name}, ${p.title}` : p.name;
}

/** "Skriv nytt meddelande" to one of the citizen's contacts (messageTargets). */
export function NewMessagePage() {
  const [params] = useSearchParams();
  const [{ data, fetching, error }, reexecute] = useKeptQuery({ query: MessageTargetsDocument });
  usePageTitle(sv.compose.title, sv.appName);
  const [to, setTo] = useState<string | null>(params.get('till'));
  const [subject, setSubject] = useState(() => drafts.load('nytt:amne'));
  const [body, setBody] = useState(() => drafts.load('nytt:text'));
  const [errors, setErrors] = useState<{ to?: string; subject?: string; body?: string }>({});
  const [problem, setProblem] = useState<string>();
  const session = useSession();
  const attachments = useAttachments(session.expired);
  const [{ fetching: sending }, send] = useMutation(SendMessageDocument);
  const navigate = useNavigate();
  const announce = useAnnounce();
  const errorText = useErrorText();
  const attempt = useRef<{ content: string; key: string }>(undefined);

  const targets = data?.messageTargets;
  if (!targets) {
    return (
      <>
        <h1>{sv.compose.title}</h1>
        <QueryState
          fetching={fetching}
          error={error}
          retry={() => reexecute({ requestPolicy: 'network-only' })}
          special={(code) => (code === 'E_SERVICE_NOT_ACTIVATED' ? <NotActivated /> : undefined)}
        />
      </>
    );
  }
  if (targets.length === 0) {
    return (
      <>
        <h1>{sv.compose.title}</h1>
        <div className="card">
          <p>{sv.compose.noTargets}</p>
        </div>
      </>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (sending) return;
    setProblem(undefined);
    const found = {
      to: to && targets.some((t) => t.id === to) ? undefined : sv.compose.toMissing,
      subject: !subject.trim()
        ? sv.compose.subjectMissing
        : subject.length > SUBJECT_MAX
          ? sv.compose.subjectTooLong
          : undefined,
      body: body.trim() ? undefined : sv.compose.bodyMissing,
    };
    setErrors(found);
    if (found.to || found.subject || found.body) return;
    if (attachments.busy) {
      setProblem(sv.conversation.waitUploads);
      return;
    }
    const target = targets.find((t) => t.id === to)!;
    const input = {
      to: target.kind === 'SHARED_MAILBOX' ? { sharedMailboxIds: [target.id] } : { staffIds: [target.id] },
      subject: subject.trim(),
      body: textToHtml(body),
      attachmentIds: attachments.ids,
    };
    const content = JSON.stringify(input);
    if (attempt.current?.content !== content) attempt.current = { content, key: newIdempotencyKey() };
    const result = await send({ input: { ...input, idempotencyKey: attempt.current.key } });
    if (result.error || !result.data) {
      if (errorCode(result.error) !== 'UNAUTHENTICATED') setProblem(errorText(result.error));
      return;
    }
    drafts.save('nytt:amne', '');
    drafts.save('nytt:text', '');
    announce(sv.compose.sent);
    navigate(`/meddelanden/${result.data.sendMessage[0].conversationId}`);
  };

  return (
    <>
      <h1>{sv.compose.title}</h1>
      <Form className="form card" onSubmit={submit} validationBehavior="aria">
        <Select
          className="field"
          selectedKey={to}
          onSelectionChange={(k) => {
            setTo(k === null ? null : String(k));
            setErrors((e) => ({ ...e, to: undefined }));
          }}
          isInvalid={!!errors.to}
          placeholder={sv.compose.toPlaceholder}
        >
          <Label className="label">{sv.compose.to}</Label>
          <Button className="select-button">
            <SelectValue />
            <span aria-hidden="true">▾</span>
          </Button>
          <FieldError className="field-error">{errors.to}</FieldError>
          <Popover className="popover">
            <ListBox className="listbox" items={targets}>
              {(t) => (
                <ListBoxItem id={t.id} className="listbox-item" textValue={targetLabel(t)}>
                  {targetLabel(t)}
                </ListBoxItem>
              )}
            </ListBox>
          </Popover>
        </Select>
        <TextField
          className="field"
          value={subject}
          onChange={(v) => {
            setSubject(v);
            drafts.save('nytt:amne', v);
            setErrors((e) => ({ ...e, subject: undefined }));
          }}
          isInvalid={!!errors.subject}
          maxLength={SUBJECT_MAX}
        >
          <Label>{sv.compose.subject}</Label>
          <Input />
          <FieldError className="field-error">{errors.subject}</FieldError>
        </TextField>
        <TextField
          className="field"
          value={body}
          onChange={(v) => {
            setBody(v);
            drafts.save('nytt:text', v);
            setErrors((e) => ({ ...e, body: undefined }));
          }}
          isInvalid={!!errors.body}
        >
          <Label>{sv.compose.body}</Label>
          <TextArea rows={8} />
          <FieldError className="field-error">{errors.body}</FieldError>
        </TextField>
        <AttachmentPicker state={attachments} label={sv.compose.attachments} />
        {problem && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {sv.compose.send}
          </Button>
          <Button className="button" onPress={() => navigate('/meddelanden')}>
            {sv.compose.cancel}
          </Button>
        </div>
      </Form>
    </>
  );
}
