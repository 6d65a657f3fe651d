import { useRef, useState, type FormEvent } from 'react';
import { Button, Checkbox, FieldError, Form, Label, Text, TextArea, TextField } from 'react-aria-components';
import { useMutation } from 'urql';
import { errorCode } from '../../../../shared/ui/api';
import { AttachmentPicker, useAttachments } from '../../../../shared/ui/Attachments';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { useErrorText } from '../../../../shared/ui/QueryState';
import { useSession } from '../../../../shared/ui/session';
import { drafts, newIdempotencyKey, textToHtml } from '../../../../shared/ui/text';
import { ReplyToMessageDocument } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';
import type { StaffConversation, StaffMessage } from './ConversationPage';

/**
 * "Svara" ("SV: …" is the server's default subject): text, Läskvitto,
 * signature and up to 5 PDFs, from the shared mailbox the conversation was
 * opened in. A retry of the same content reuses its idempotency key.
 */
export function StaffReplyForm({
  conversation,
  replyTo,
  sharedMailboxId,
  onSent,
}: {
  conversation: StaffConversation;
  replyTo: StaffMessage;
  sharedMailboxId?: string;
  onSent: () => void;
}) {
  const draftKey = `personal-svar:${conversation.id}`;
  const [body, setBody] = useState(() => drafts.load(draftKey));
  const [readReceipt, setReadReceipt] = useState(false);
  const [signature, setSignature] = useState(true);
  const [problem, setProblem] = useState<string>();
  const session = useSession();
  const attachments = useAttachments(session.expired);
  const [{ fetching }, reply] = useMutation(ReplyToMessageDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const attempt = useRef<{ content: string; key: string }>(undefined);
  const busy = useRef(false);

  const change = (text: string) => {
    setBody(text);
    drafts.save(draftKey, text);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy.current) return;
    setProblem(undefined);
    if (!body.trim()) return setProblem(sv.reply.empty);
    if (attachments.busy) return setProblem(sv.reply.waitUploads);
    const input = {
      body: textToHtml(body),
      attachmentIds: attachments.ids,
      readReceiptRequested: readReceipt,
      addSignature: signature,
      fromSharedMailboxId: sharedMailboxId,
    };
    const content = JSON.stringify(input);
    if (attempt.current?.content !== content) attempt.current = { content, key: newIdempotencyKey() };
    busy.current = true;
    const result = await reply({ messageId: replyTo.id, input: { ...input, idempotencyKey: attempt.current.key } });
    busy.current = false;
    if (result.error) {
      if (errorCode(result.error) !== 'UNAUTHENTICATED') setProblem(errorText(result.error));
      return;
    }
    attempt.current = undefined;
    change('');
    attachments.clear();
    announce(sv.reply.sent);
    onSent();
  };

  return (
    <section className="card reply" aria-labelledby="svara-rubrik">
      <h2 id="svara-rubrik">{sv.reply.title}</h2>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <TextField className="field" value={body} onChange={change} isInvalid={problem === sv.reply.empty}>
          <Label>{sv.reply.label}</Label>
          <Text slot="description" className="field-description">
            {sv.reply.hint}
          </Text>
          <TextArea rows={5} />
          <FieldError className="field-error">{sv.reply.empty}</FieldError>
        </TextField>
        <div className="checkbox-row">
          <Checkbox className="checkbox" isSelected={readReceipt} onChange={setReadReceipt}>
            <span className="checkbox__box" aria-hidden="true" />
            {sv.reply.readReceipt}
          </Checkbox>
          <Checkbox className="checkbox" isSelected={signature} onChange={setSignature}>
            <span className="checkbox__box" aria-hidden="true" />
            {sv.reply.signature}
          </Checkbox>
        </div>
        <AttachmentPicker state={attachments} label={sv.compose.attachments} />
        {problem && problem !== sv.reply.empty && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {fetching ? sv.reply.sending : sv.reply.send}
          </Button>
        </div>
      </Form>
    </section>
  );
}
