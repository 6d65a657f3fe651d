import { Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity, LocalDate } from './base';
import { Case } from './case';
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

/**
 * A document in a case's documentation. Editable until locked
 * (skrivskyddat); locking renders it to a PDF, kept in the BlobStore, and a
 * database trigger refuses any change to a locked row.
 */
@ObjectType({ description: 'A document in a case\'s documentation (dokumentation). Editable until locked (write-protected); a locked document has a PDF that can be sent to the case holder.' })
@Entity()
@Index({ properties: ['case', 'date'] })
export class CaseDocument extends BaseEntity {
  @ManyToOne(() => Case)
  case!: Case;

  @Field({ description: 'Title (rubrik), e.g. "Kallelse till möte".' })
  @Property({ type: 'text' })
  title!: string;

  @Field(() => CaseDocumentType, { description: 'Kind of document.' })
  @Enum({ items: () => CaseDocumentType, nativeEnumName: 'case_document_type' })
  type!: CaseDocumentType;

  @Field(() => LocalDate, { description: 'The document\'s date.' })
  @Property({ type: 'date' })
  date!: string;

  @Field({ description: 'The text, plain; paragraphs separated by blank lines.' })
  @Property({ type: 'text' })
  text!: string;

  @ManyToOne(() => Staff)
  author!: Staff;

  @Field(() => Date, { nullable: true, description: 'When the document was locked (skrivskyddat); empty while editable.' })
  @Property({ type: 'datetime', nullable: true })
  lockedAt?: Date | null;

  @ManyToOne(() => Staff, { nullable: true })
  lockedBy?: Staff | null;

  /** The rendered PDF in the BlobStore, made when the document was locked. */
  @Property({ type: 'text', nullable: true })
  pdfStorageKey?: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) of the rendered PDF; empty while the document is editable.' })
  @Property({ type: 'text', nullable: true })
  pdfSha256?: string | null;

  @Field(() => Int, { nullable: true, description: 'Size in bytes of the rendered PDF; empty while the document is editable.' })
  @Property({ type: 'integer', nullable: true })
  pdfSize?: number | null;

  @Field(() => Date, { description: 'Last change.' })
  @Property({ type: 'datetime' })
  updatedAt: Date & Opt = new Date();

  @Field(() => Boolean, { description: 'True once locked (write-protected): it can no longer be changed, and can be sent as PDF.' })
  get locked(): boolean & Opt {
    return this.lockedAt != null;
  }
}
