import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { CaseDocument } from './case-document';
import { Staff } from './staff';

/** The print templates (utskriftsmallar) of "Skapa PDF". */
export enum CaseDocumentTemplate {
  BREV = 'BREV',
  KALLELSE = 'KALLELSE',
  BESLUT = 'BESLUT',
  UTREDNING = 'UTREDNING',
  GENOMFORANDEPLAN = 'GENOMFORANDEPLAN',
}
registerEnumType(CaseDocumentTemplate, {
  name: 'CaseDocumentTemplate',
  description:
    'A print template (utskriftsmall, the seed\'s "Mall") for "Skapa PDF". Every template prints the ' +
    "municipality's and unit's letterhead, the date, the reference (the case and who to contact) and " +
    "the recipient block (the case holder's name, and address unless the person has a protected " +
    'identity or a confidentiality marking); they differ in their title block and closing.',
  valuesConfig: {
    BREV: { description: "Brev: a letter to the case holder, closing with the writer's name, title and unit." },
    KALLELSE: {
      description:
        'Kallelse: a summons to a meeting; the text says when and where, and the closing asks the person to get in touch if the time does not suit.',
    },
    BESLUT: {
      description: 'Beslut: a decision, with the decision date and the decision maker, and a closing on how to appeal.',
    },
    UTREDNING: { description: 'Utredning: an investigation, naming whom it concerns and the case.' },
    GENOMFORANDEPLAN: {
      description:
        'Genomförandeplan: an implementation plan for an assignment (uppdrag): the assignment, its intervention and period, and the executor.',
    },
  },
});

/**
 * One PDF made from a locked case document ("Skapa PDF": a template and a
 * name), or the file itself of an inserted document ("Infoga dokument").
 * Immutable: a database trigger refuses any change or removal.
 */
@ObjectType({
  description:
    "A PDF of a locked case document (the seed's PDF tab: Skapat, Benämning, Signatur). Made with " +
    '"Skapa PDF" from a template and a name, or the file of an inserted document. Never changes; a ' +
    'document may have several.',
})
@Entity()
@Index({ properties: ['document', 'createdAt'] })
export class CaseDocumentPdf extends BaseEntity {
  @ManyToOne(() => CaseDocument, { deleteRule: 'restrict' })
  document!: CaseDocument;

  @Field(() => CaseDocumentTemplate, {
    nullable: true,
    description: 'The print template it was made with; empty for the file of an inserted document (Infoga dokument).',
  })
  @Enum({ items: () => CaseDocumentTemplate, nativeEnumName: 'case_document_template', nullable: true })
  template?: CaseDocumentTemplate | null;

  @Field({ description: 'The name (Benämning) given when it was made, e.g. "TEST Utredningsdokument till e-tjänst".' })
  @Property({ type: 'text' })
  name!: string;

  @Field({ description: 'The file name it is downloaded and sent with: the name, sanitized, with ".pdf".' })
  @Property({ type: 'text' })
  filename!: string;

  /** Where the BlobStore keeps the bytes. */
  @Property({ type: 'text' })
  storageKey!: string;

  @Field({ description: 'SHA-256 (hex) of the PDF.' })
  @Property({ type: 'text' })
  sha256!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  @Property({ type: 'integer' })
  size!: number;

  @ManyToOne(() => Staff, { deleteRule: 'restrict' })
  createdBy!: Staff;
}
