import { useRef, useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Label, Text, TextArea, TextField } from 'react-aria-components';
import { useMutation } from 'urql';
import { errorCode } from '../../../../shared/ui/api';
import { AttachmentPicker, useAttachments } from '../../../../shared/ui/Attachments';
import { useAnnounce } from '../../../../shared/ui/Layout';
import { useErrorText } from '../../../../shared/ui/QueryState';
import { useSession } from '../../../../shared/ui/session';
import { drafts, newIdempotencyKey, textToHtml } from '../../../../shared/ui/text';
import { ReplyToMessageDocument } from '../../../src/generated/graphql';
import { sv } from '../strings.sv';

/**
 * "Svara": text and up to 5 PDFs. What is typed is kept in sessionStorage
 * until it is sent, so an expired session or a reload loses nothing. A retry
 * of the same content reuses its idempotency key, so it is never sent twice.
 */
export function ReplyForm({ conversationId, replyTo }: { conversationId: string; replyTo: string }) {
  const draftKey = `svar:${conversationId}`;
  const [body, setBody] = useState(() => drafts.load(draftKey));
  const [restored] = useState(() => body.length > 0);
  const [problem, setProblem] = useState<string>();
  const session = useSession();
  const attachments = useAttachments(session.expired);
  const [{ fetching }, reply] = useMutation(ReplyToMessageDocument);
  const announce = useAnnounce();
  const errorText = useErrorText();
  const attempt = useRef<{ content: string; key: string }>(undefined);
  const textArea = useRef<HTMLTextAreaElement>(null);

  const change = (text: string) => {
    setBody(text);
    drafts.save(draftKey, text);
    setProblem((p) => (p === sv.conversation.emptyBody ? undefined : p));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    setProblem(undefined);
    if (!body.trim()) {
      setProblem(sv.conversation.emptyBody);
      textArea.current?.focus();
      return;
    }
    if (attachments.busy) {
      setProblem(sv.conversation.waitUploads);
      return;
    }
    const input = { body: textToHtml(body), attachmentIds: attachments.ids };
    const content = JSON.stringify(input);
    if (attempt.current?.content !== content) attempt.current = { content, key: newIdempotencyKey() };
    const result = await reply({ messageId: replyTo, input: { ...input, idempotencyKey: attempt.current.key } });
    if (result.error) {
      if (errorCode(result.error) !== 'UNAUTHENTICATED') setProblem(errorText(result.error));
      return;
    }
    attempt.current = undefined;
    change('');
    attachments.clear();
    announce(sv.conversation.sent);
  };

  return (
    <section className="card" aria-labelledby="svara-rubrik">
      <h2 id="svara-rubrik">{sv.conversation.reply}</h2>
      {restored && body && <p className="muted">{sv.conversation.draftRestored}</p>}
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <TextField className="field" value={body} onChange={change} isInvalid={problem === sv.conversation.emptyBody}>
          <Label>{sv.conversation.replyLabel}</Label>
          <Text slot="description" className="field-description">
            {sv.conversation.replyHint}
          </Text>
          <TextArea ref={textArea} rows={6} />
          <FieldError className="field-error">{sv.conversation.emptyBody}</FieldError>
        </TextField>
        <AttachmentPicker state={attachments} label={sv.conversation.attachments} />
        {problem && problem !== sv.conversation.emptyBody && (
          <div className="alert alert--error" role="alert">
            <p>{problem}</p>
          </div>
        )}
        <div className="button-row">
          <Button type="submit" className="button button--primary">
            {fetching ? sv.conversation.sending : sv.conversation.send}
          </Button>
        </div>
      </Form>
    </section>
  );
}
