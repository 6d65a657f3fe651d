import { useState, type FormEvent } from 'react';
import { Button, FieldError, FileTrigger, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { useMutation } from 'urql';
import { useErrorText } from '../../../../shared/ui/QueryState';
import { useSession } from '../../../../shared/ui/session';
import { fmt } from '../../../../shared/ui/strings';
import { UploadError, uploadPdf } from '../../../../shared/ui/upload';
import {
  CaseViewInsertDocumentDocument,
  type CaseDocumentType,
  type JournalSenderKind,
} from '../../../src/generated/graphql';
import { today } from '../persons/format';
import { Choice, ModalDialog, Problem } from '../persons/widgets';
import { sv } from '../strings.sv';
import { DOCUMENT_TYPES } from './DocumentFields';

const SENDER_KINDS: JournalSenderKind[] = ['INDIVIDUAL', 'RELATION', 'OTHER_AUTHORITY', 'STAFF'];

/**
 * Infoga dokument (the seed's executor picture): a PDF from disk into the
 * documentation, with Fil, Typ, Rubrik, Avsändare, Benämning avsändare and
 * Skapat. The file uploads when saved; the document is locked from the start.
 */
export function InsertDocumentDialog({
  caseId,
  assignmentId,
  onClose,
}: {
  caseId: string;
  assignmentId?: string;
  onClose: (id?: string) => void;
}) {
  const [file, setFile] = useState<File>();
  const [type, setType] = useState<CaseDocumentType>('DOCUMENT');
  const [title, setTitle] = useState('');
  const [senderKind, setSenderKind] = useState<JournalSenderKind>('INDIVIDUAL');
  const [designation, setDesignation] = useState('');
  const [date, setDate] = useState(today());
  const [fileMissing, setFileMissing] = useState(false);
  const [progress, setProgress] = useState<number>();
  const [problem, setProblem] = useState<string>();
  const [{ fetching }, insert] = useMutation(CaseViewInsertDocumentDocument);
  const errorText = useErrorText();
  const session = useSession();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (fetching || progress !== undefined) return;
    if (!file) return setFileMissing(true);
    setProblem(undefined);
    let uploadId: string;
    try {
      setProgress(0);
      uploadId = (await uploadPdf(file, setProgress)).id;
    } catch (err) {
      setProgress(undefined);
      const code = err instanceof UploadError ? err.code : 'UPLOAD_FAILED';
      if (code === 'UNAUTHENTICATED') session.expired();
      return setProblem(
        code === 'FILE_TOO_LARGE'
          ? sv.upload.tooLarge
          : code === 'UNSUPPORTED_FILE_TYPE'
            ? sv.upload.notPdf
            : (sv.errors.byCode[code] ?? sv.upload.failed),
      );
    }
    const result = await insert({
      caseId,
      input: {
        uploadId,
        type,
        title: title.trim() || null,
        senderKind,
        senderDesignation: designation.trim() || null,
        date,
        assignmentId: assignmentId ?? null,
      },
    });
    setProgress(undefined);
    if (result.error || !result.data) return setProblem(errorText(result.error));
    onClose(result.data.insertCaseDocument.id);
  };

  return (
    <ModalDialog title={sv.documents.insertDocument} onClose={() => onClose()} testId="insert-document" wide>
      <Form className="form" onSubmit={submit} validationBehavior="aria">
        <div className="field">
          <span className="label" id="infoga-fil">
            {sv.documents.file}
          </span>
          <div className="file-row">
            <FileTrigger
              acceptedFileTypes={['application/pdf']}
              onSelect={(files) => (setFile(files?.[0] ?? undefined), setFileMissing(false))}
            >
              <Button
                className="button"
                aria-describedby={fileMissing ? 'infoga-fil-fel' : undefined}
                aria-label={`${sv.documents.chooseFile}, ${sv.documents.file}`}
              >
                {sv.documents.chooseFile}
              </Button>
            </FileTrigger>
            <span className="file-row__name" aria-live="polite">
              {file ? file.name : sv.documents.noFile}
            </span>
          </div>
          {fileMissing && (
            <p className="field-error" id="infoga-fil-fel">
              {sv.documents.fileRequired}
            </p>
          )}
        </div>
        <Choice
          label={sv.documents.type}
          value={type}
          onChange={(v) => setType(v as CaseDocumentType)}
          options={DOCUMENT_TYPES.map((t) => ({ id: t, name: sv.documents.typeNames[t] }))}
        />
        <TextField className="field" value={title} onChange={setTitle} maxLength={200}>
          <Label>{sv.documents.heading}</Label>
          <Text slot="description" className="field-description">
            {sv.documents.insertTitleHint}
          </Text>
          <Input />
        </TextField>
        <Choice
          label={sv.documents.sender}
          value={senderKind}
          onChange={(v) => setSenderKind(v as JournalSenderKind)}
          options={SENDER_KINDS.map((k) => ({ id: k, name: sv.journal.senderKinds[k] }))}
        />
        <TextField className="field" value={designation} onChange={setDesignation}>
          <Label>{sv.documents.senderDesignation}</Label>
          <Input />
        </TextField>
        <TextField className="field" type="date" value={date} onChange={setDate} isRequired>
          <Label>{sv.documents.createdDate}</Label>
          <Input max={today()} />
          <FieldError className="field-error">{sv.documents.dateRequired}</FieldError>
        </TextField>
        {progress !== undefined && file && (
          <p className="muted" role="status">
            {fmt(sv.upload.progress, { name: file.name })} {Math.round(progress * 100)} %
          </p>
        )}
        <Problem text={problem} />
        <div className="button-row">
          <Button className="button" onPress={() => onClose()}>
            {sv.documents.cancel}
          </Button>
          <Button type="submit" className="button button--primary">
            {sv.documents.save}
          </Button>
        </div>
      </Form>
    </ModalDialog>
  );
}
