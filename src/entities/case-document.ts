import { Entity, Enum, Index, ManyToOne, OptionalProps, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity, LocalDate } from './base';
import { Assignment, Case } from './case';
import { JournalSenderKind } from './journal-entry';
import { Staff } from './staff';

export enum CaseDocumentType {
  DOCUMENT = 'DOCUMENT',
  LETTER = 'LETTER',
  DECISION = 'DECISION',
  INVESTIGATION = 'INVESTIGATION',
}
registerEnumType(CaseDocumentType, {
  name: 'CaseDocumentType',
  description: 'The kind of a case document (dokumentation).',
  valuesConfig: {
    DOCUMENT: { description: 'Dokument: a general document.' },
    LETTER: { description: 'Brev: a letter to the person, e.g. a summons (kallelse).' },
    DECISION: { description: 'Beslut: a decision.' },
    INVESTIGATION: { description: 'Utredning: an investigation.' },
  },
});

export enum CaseDocumentOrigin {
  WRITTEN = 'WRITTEN',
  INSERTED = 'INSERTED',
}
registerEnumType(CaseDocumentOrigin, {
  name: 'CaseDocumentOrigin',
  description: 'How a document came into the documentation.',
  valuesConfig: {
    WRITTEN: {
      description: 'Nytt dokument: written by staff; editable until locked, then made into PDFs with "Skapa PDF".',
    },
    INSERTED: {
      description:
        'Infoga dokument: a PDF from disk (e.g. a file a citizen sent); locked from the start, its file is its one PDF.',
    },
  },
});

/**
 * A document in a case's documentation, optionally linked to an assignment
 * (uppdrag) of the case ("Koppla till Uppdrag IFO"). Editable until locked
 * (skrivskyddat); a database trigger refuses any change to a locked row.
 * PDFs are made from a locked document explicitly (CaseDocumentPdf).
 */
@ObjectType({
  description:
    "A document in a case's documentation (dokumentation), possibly linked to an executor's assignment " +
    '(Uppdrag IFO). Editable until locked (write-protected); a locked document is made into PDFs with a ' +
    'print template and a name ("Skapa PDF"), and a PDF can be sent to the case holder.',
})
@Entity()
@Index({ properties: ['case', 'date'] })
export class CaseDocument extends BaseEntity {
  // origin is optional on create through OptionalProps rather than an `& Opt` brand, so it stays a plain
  // CaseDocumentOrigin that compares with the enum's members.
  [OptionalProps]?: 'origin';

  @ManyToOne(() => Case)
  case!: Case;

  /** The assignment the document belongs to ("Koppla till Uppdrag IFO"); executors write only such documents. */
  @ManyToOne(() => Assignment, { nullable: true, index: true, deleteRule: 'restrict' })
  assignment?: Assignment | null;

  @Field(() => CaseDocumentOrigin, {
    description: 'Written here (Nytt dokument) or a PDF from disk (Infoga dokument).',
  })
  @Enum({ items: () => CaseDocumentOrigin, nativeEnumName: 'case_document_origin' })
  origin: CaseDocumentOrigin = CaseDocumentOrigin.WRITTEN;

  @Field(() => JournalSenderKind, {
    nullable: true,
    description: 'Inserted documents: who the file came from (Avsändare). Empty for written documents.',
  })
  @Enum({ items: () => JournalSenderKind, nativeEnumName: 'journal_sender_kind', nullable: true })
  senderKind?: JournalSenderKind | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Inserted documents: the sender\'s designation (Benämning avsändare), e.g. "Försäkringskassan" or a name.',
  })
  @Property({ type: 'text', nullable: true })
  senderDesignation?: string | null;

  /** Inserted documents: the upload the file came from (a retry with the same upload finds this document). */
  @Property({ type: 'uuid', nullable: true, unique: true })
  sourceUploadId?: string | null;

  @Field({ description: 'Title (rubrik), e.g. "Kallelse till möte".' })
  @Property({ type: 'text' })
  title!: string;

  @Field(() => CaseDocumentType, { description: 'Kind of document.' })
  @Enum({ items: () => CaseDocumentType, nativeEnumName: 'case_document_type' })
  type!: CaseDocumentType;

  @Field(() => LocalDate, { description: "The document's date." })
  @Property({ type: 'date' })
  date!: string;

  @Field({
    description:
      'The text, plain; paragraphs separated by blank lines. Empty for an inserted document (its content is its PDF).',
  })
  @Property({ type: 'text' })
  text!: string;

  @ManyToOne(() => Staff)
  author!: Staff;

  @Field(() => Date, {
    nullable: true,
    description: 'When the document was locked (skrivskyddat); empty while editable.',
  })
  @Property({ type: 'datetime', nullable: true })
  lockedAt?: Date | null;

  @ManyToOne(() => Staff, { nullable: true })
  lockedBy?: Staff | null;

  @Field(() => Date, { description: 'Last change.' })
  @Property({ type: 'datetime' })
  updatedAt: Date & Opt = new Date();

  @Field(() => Boolean, {
    description:
      'True once locked (write-protected): it can no longer be changed, and PDFs can be made from it and sent.',
  })
  get locked(): boolean & Opt {
    return this.lockedAt != null;
  }
}
