import { useState, type FormEvent } from 'react';
import {
  Button,
  Dialog,
  FieldError,
  Form,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Modal,
  ModalOverlay,
  Popover,
  Radio,
  RadioGroup,
  Select,
  SelectValue,
  TextArea,
  TextField,
} from 'react-aria-components';
import { useMutation, useQuery } from 'urql';
import { errorCode } from '../../../../shared/ui/api';
import { QueryState, useErrorText } from '../../../../shared/ui/QueryState';
import { fmt, formatSize } from '../../../../shared/ui/strings';
import {
  JournalAttachmentDocument,
  JournalMessageDocument,
  JournalTargetsDocument,
  WriteJournalNoteDocument,
  type JournalDocumentType,
  type JournalSenderKind,
  type JournalTargetsQuery,
} from '../../../src/generated/graphql';
import type { JournalSubject, StaffConversation } from '../reading/ConversationPage';
import { sv } from '../strings.sv';

type Target = JournalTargetsQuery['journalTargets'][number];

const DOCUMENT_TYPES: JournalDocumentType[] = ['INCOMING_DOCUMENT', 'OUTGOING_DOCUMENT', 'NOTE'];
const SENDER_KINDS: JournalSenderKind[] = ['INDIVIDUAL', 'RELATION', 'OTHER_AUTHORITY', 'STAFF'];

const swedishDate = new Intl.DateTimeFormat('sv-SE', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  timeZone: 'Europe/Stockholm',
});
/** "2024-08-16", the day in Sweden. */
function isoDay(iso: string | Date): string {
  return swedishDate.format(new Date(iso));
}

function targetKey(t: Target): string {
  return t.assignmentId ?? t.interventionId ?? t.caseId;
}

function targetInput(t: Target) {
  return {
    caseId: t.caseId,
    interventionId: t.kind === 'INTERVENTION' ? t.interventionId : null,
    assignmentId: t.kind === 'ASSIGNMENT' ? t.assignmentId : null,
  };
}

/**
 * Journalför (a message) and Infoga filer (one of its PDFs), as the seed's
 * dialogs: the targets the server offers (open cases and interventions not
 * ended, or the executor's assignment); for a file also Typ, Avsändare,
 * Rubrik, Benämning avsändare and Datum. For a relation of the case holder
 * the server refuses: the dialog shows the seed's OBSERVERA text and offers
 * the journal-note route with the message text copied in.
 */
export function JournalDialog({
  conversation,
  subject,
  onClose,
}: {
  conversation: StaffConversation;
  subject: JournalSubject;
  onClose: (done?: string) => void;
}) {
  const { message, attachment } = subject;
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: JournalTargetsDocument,
    variables: { messageId: message.id },
    requestPolicy: 'network-only',
  });
  const [note, setNote] = useState(false);
  const relation = errorCode(error) === 'JOURNALING_FORBIDDEN_FOR_RELATION';
  const title = note ? sv.journal.noteTitle : attachment ? sv.journal.fileTitle : sv.journal.title;
  return (
    <ModalOverlay className="modal-overlay" isOpen isDismissable onOpenChange={(open) => !open && onClose()}>
      <Modal className="modal">
        <Dialog className="dialog" data-testid="journal-dialog">
          <Heading slot="title">{title}</Heading>
          {relation && !note && (
            <>
              <div className="observera" data-testid="observera">
                <p>
                  <strong>{sv.journal.relationText}</strong>
                </p>
                <p>{sv.journal.relationHint}</p>
              </div>
              <div className="button-row">
                <Button className="button" onPress={() => onClose()}>
                  {sv.journal.cancel}
                </Button>
                {conversation.caseId && (
                  <Button className="button button--primary" onPress={() => setNote(true)}>
                    {sv.journal.writeNote}
                  </Button>
                )}
              </div>
            </>
          )}
          {relation && note && conversation.caseId && (
            <NoteForm caseId={conversation.caseId} subject={subject} onClose={onClose} />
          )}
          {!relation && !data && (
            <QueryState fetching={fetching} error={error} retry={() => reexecute({ requestPolicy: 'network-only' })} />
          )}
          {!relation && error && (
            <div className="button-row">
              <Button className="button" onPress={() => onClose()}>
                {sv.journal.cancel}
              </Button>
            </div>
          )}
          {data && data.journalTargets.length === 0 && (
            <>
              <p>{sv.journal.noTargets}</p>
              <Button className="button" onPress={() => onClose()}>
                {sv.journal.cancel}
              </Button>
            </>
          )}
          {data && data.journalTargets.length > 0 && (
            <JournalForm targets={data.journalTargets} subject={subject} onClose={onClose} />
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

function JournalForm({
  targets,
  subject,
  onClose,
}: {
  targets: Target[];
  subject: JournalSubject;
  onClose: (done?: string) => void;
}) {
  const { message, attachment } = subject;
  const fromCitizen = message.sender.kind === 'PERSON';
  const [target, setTarget] = useState(targetKey(targets[0]));
  const [documentType, setDocumentType] = useState<JournalDocumentType>(
    fromCitizen ? 'INCOMING_DOCUMENT' : 'OUTGOING_DOCUMENT',
  );
  const [senderKind, setSenderKind] = useState<JournalSenderKind>(fromCitizen ? 'INDIVIDUAL' : 'STAFF');
  const [heading, setHeading] = useState(attachment ? '' : message.subject);
  const [designation, setDesignation] = useState(message.sender.name);
  const [date, setDate] = useState(isoDay(message.sentAt));
  const [problem, setProblem] = useState<string>();
  const [headingMissing, setHeadingMissing] = useState(false);
  const [{ fetching: m1 }, journalMessage] = useMutation(JournalMessageDocument);
  const [{ fetching: m2 }, journalAttachment] = useMutation(JournalAttachmentDocument);
  const errorText = useErrorText();
  const chosen = targets.find((t) => targetKey(t) === target)!;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (m1 || m2) return;
    if (!heading.trim()) {
      setHeadingMissing(true);
      return;
    }
    const input = {
      target: targetInput(chosen),
      documentType,
      senderKind,
      heading: heading.trim(),
      senderDesignation: designation.trim() || null,
      date,
    };
    const result = attachment
      ? await journalAttachment({ attachmentId: attachment.id, input })
      : await journalMessage({ messageId: message.id, input });
    if (result.error) {
      setProblem(errorText(result.error));
      return;
    }
    onClose(fmt(sv.journal.done, { target: chosen.label }));
  };

  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria">
      {attachment && (
        <div>
          <p className="label">{sv.message.attachments}</p>
          <p>
            {attachment.filename} <span className="muted">({formatSize(attachment.size)})</span>
          </p>
        </div>
      )}
      <RadioGroup className="field radio-group" value={target} onChange={setTarget}>
        <Label>{attachment ? sv.journal.attachTo : sv.journal.choose}</Label>
        {targets.map((t) => (
          <Radio key={targetKey(t)} value={targetKey(t)} className="radio">
            <span className="radio__dot" aria-hidden="true" />
            {t.label}
          </Radio>
        ))}
      </RadioGroup>
      {attachment && (
        <>
          <Choice
            label={sv.journal.type}
            value={documentType}
            onChange={(v) => setDocumentType(v as JournalDocumentType)}
            options={DOCUMENT_TYPES.map((k) => ({ id: k, name: sv.journal.documentTypes[k] }))}
          />
          <Choice
            label={sv.journal.sender}
            value={senderKind}
            onChange={(v) => setSenderKind(v as JournalSenderKind)}
            options={SENDER_KINDS.map((k) => ({ id: k, name: sv.journal.senderKinds[k] }))}
          />
          <TextField
            className="field"
            value={heading}
            onChange={(v) => (setHeading(v), setHeadingMissing(false))}
            isRequired
            isInvalid={headingMissing}
            maxLength={200}
          >
            <Label>{sv.journal.heading}</Label>
            <Input />
            <FieldError className="field-error">{sv.journal.headingRequired}</FieldError>
          </TextField>
          <TextField className="field" value={designation} onChange={setDesignation}>
            <Label>{sv.journal.senderDesignation}</Label>
            <Input />
          </TextField>
          <TextField className="field" value={date} onChange={setDate} type="date">
            <Label>{sv.journal.date}</Label>
            <Input max={isoDay(new Date())} />
          </TextField>
        </>
      )}
      {problem && (
        <div className="alert alert--error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <div className="button-row">
        <Button className="button" onPress={() => onClose()}>
          {sv.journal.cancel}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.journal.ok}
        </Button>
      </div>
    </Form>
  );
}

/** The journal-note route for a relation's message: the text copied in, to be checked and saved as a note in the case. */
function NoteForm({
  caseId,
  subject,
  onClose,
}: {
  caseId: string;
  subject: JournalSubject;
  onClose: (done?: string) => void;
}) {
  const { message } = subject;
  const [heading, setHeading] = useState(message.subject);
  const [text, setText] = useState(`${message.sender.name}, ${isoDay(message.sentAt)}:\n\n${message.bodyText}`);
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, write] = useMutation(WriteJournalNoteDocument);
  const errorText = useErrorText();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching) return;
    const result = await write({
      input: {
        target: { caseId },
        heading: heading.trim(),
        text,
        documentType: 'NOTE',
        senderKind: 'RELATION',
        senderDesignation: message.sender.name,
        date: isoDay(message.sentAt),
      },
    });
    if (result.error) {
      setProblem(errorText(result.error));
      return;
    }
    onClose(sv.journal.noteDone);
  };
  return (
    <Form className="form" onSubmit={submit} validationBehavior="aria">
      <TextField className="field" value={heading} onChange={setHeading} isRequired maxLength={200}>
        <Label>{sv.journal.heading}</Label>
        <Input />
      </TextField>
      <TextField className="field" value={text} onChange={setText} isRequired>
        <Label>{sv.journal.noteText}</Label>
        <TextArea rows={8} />
      </TextField>
      {problem && (
        <div className="alert alert--error" role="alert">
          <p>{problem}</p>
        </div>
      )}
      <div className="button-row">
        <Button className="button" onPress={() => onClose()}>
          {sv.journal.cancel}
        </Button>
        <Button type="submit" className="button button--primary">
          {sv.journal.save}
        </Button>
      </div>
    </Form>
  );
}

function Choice({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: { id: string; name: string }[];
}) {
  return (
    <Select className="field" selectedKey={value} onSelectionChange={(k) => onChange(String(k))}>
      <Label>{label}</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(o) => (
            <ListBoxItem id={o.id} className="listbox-item">
              {o.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
