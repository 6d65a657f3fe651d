import { useState } from 'react';
import { FieldError, Input, Label, TextArea, TextField } from 'react-aria-components';
import type { CaseDocumentType } from '../../../src/generated/graphql';
import { Choice } from '../persons/widgets';
import { sv } from '../strings.sv';

/** The four fields every written case document has, whether new (Nytt dokument) or being edited. */
export type DocumentValues = {
  type: CaseDocumentType;
  title: string;
  date: string;
  text: string;
};

export const DOCUMENT_TYPES: CaseDocumentType[] = ['DOCUMENT', 'LETTER', 'DECISION', 'INVESTIGATION'];

/** The fields' state, and a check that marks a missing heading or text before anything is sent. */
export function useDocumentFields(initial: DocumentValues) {
  const [values, setValues] = useState(initial);
  const [invalid, setInvalid] = useState<{ title?: boolean; text?: boolean }>({});
  const set = (patch: Partial<DocumentValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    setInvalid({});
  };
  /** The values to send (heading trimmed), or undefined when the heading or the text is missing. */
  const validated = (): DocumentValues | undefined => {
    const next = { title: !values.title.trim(), text: !values.text.trim() };
    setInvalid(next);
    return next.title || next.text ? undefined : { ...values, title: values.title.trim() };
  };
  return { values, invalid, set, validated };
}

/** Typ, Rubrik, Datum and the text, as one block of a react-aria Form. */
export function DocumentFields({ fields, rows }: { fields: ReturnType<typeof useDocumentFields>; rows: number }) {
  const { values, invalid, set } = fields;
  return (
    <>
      <Choice
        label={sv.documents.type}
        value={values.type}
        onChange={(v) => set({ type: v as CaseDocumentType })}
        options={DOCUMENT_TYPES.map((t) => ({ id: t, name: sv.documents.typeNames[t] }))}
      />
      <div className="field-row">
        <TextField
          className="field field--grow"
          value={values.title}
          onChange={(title) => set({ title })}
          isRequired
          isInvalid={invalid.title}
          maxLength={200}
        >
          <Label>{sv.documents.heading}</Label>
          <Input />
          <FieldError className="field-error">{sv.documents.headingRequired}</FieldError>
        </TextField>
        <TextField className="field" type="date" value={values.date} onChange={(date) => set({ date })}>
          <Label>{sv.documents.date}</Label>
          <Input />
        </TextField>
      </div>
      <TextField
        className="field"
        value={values.text}
        onChange={(text) => set({ text })}
        isRequired
        isInvalid={invalid.text}
      >
        <Label>{sv.documents.text}</Label>
        <TextArea rows={rows} />
        <FieldError className="field-error">{sv.documents.textRequired}</FieldError>
      </TextField>
    </>
  );
}
