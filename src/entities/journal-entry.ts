import { Check, Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Attachment } from './attachment';
import { BaseEntity, LocalDate } from './base';
import { Assignment, Case, Intervention } from './case';
import { Message } from './message';
import { Person } from './person';
import { Staff } from './staff';

export enum JournalDocumentType {
  INCOMING_DOCUMENT = 'INCOMING_DOCUMENT',
  OUTGOING_DOCUMENT = 'OUTGOING_DOCUMENT',
  NOTE = 'NOTE',
}
registerEnumType(JournalDocumentType, {
  name: 'JournalDocumentType',
  description: 'The kind of document a journal entry files (the seed\'s "Typ").',
  valuesConfig: {
    INCOMING_DOCUMENT: { description: 'Inkommen handling: something the social services received.' },
    OUTGOING_DOCUMENT: { description: 'Utgående handling: something the social services sent.' },
    NOTE: { description: 'Journalanteckning: a note written by staff.' },
  },
});

export enum JournalSenderKind {
  INDIVIDUAL = 'INDIVIDUAL',
  RELATION = 'RELATION',
  STAFF = 'STAFF',
  OTHER_AUTHORITY = 'OTHER_AUTHORITY',
}
registerEnumType(JournalSenderKind, {
  name: 'JournalSenderKind',
  description: 'Who the filed document came from (the seed\'s "Avsändare").',
  valuesConfig: {
    INDIVIDUAL: { description: 'Den enskilde: the case holder.' },
    RELATION: { description: 'A relation of the case holder (e.g. god man, anhörig).' },
    STAFF: { description: 'Staff of the social services.' },
    OTHER_AUTHORITY: { description: 'Another authority (e.g. Försäkringskassan, region).' },
  },
});

/**
 * A journal entry (journalanteckning) in a case holder's file. Immutable: the
 * API has no update or delete, and a database trigger refuses both; a
 * correction is a new entry whose `corrects` points at the entry it corrects.
 */
@ObjectType({
  description:
    "An entry in a case holder's journal: a message, an attachment or a note filed under a case, an " +
    'intervention or an assignment. Immutable; a correction is a new entry that points at the one it ' +
    'corrects.',
})
@Entity()
@Index({ properties: ['case', 'createdAt'] })
@Index({ properties: ['assignment', 'createdAt'] })
@Check({ name: 'journal_entry_attachment_of_message', expression: 'attachment_id is null or message_id is not null' })
@Check({
  name: 'journal_entry_assignment_or_intervention',
  expression: 'assignment_id is null or intervention_id is null',
})
export class JournalEntry extends BaseEntity {
  /** The case holder (aktbärare) whose file this is. */
  @ManyToOne(() => Person, { index: true, deleteRule: 'restrict' })
  person!: Person;

  @ManyToOne(() => Case, { deleteRule: 'restrict' })
  case!: Case;

  @ManyToOne(() => Intervention, { nullable: true, deleteRule: 'restrict' })
  intervention?: Intervention | null;

  /** Set when an executor documents in their assignment. */
  @ManyToOne(() => Assignment, { nullable: true, deleteRule: 'restrict' })
  assignment?: Assignment | null;

  @Field(() => JournalDocumentType, { description: 'Incoming document, outgoing document or note.' })
  @Enum({ items: () => JournalDocumentType, nativeEnumName: 'journal_document_type' })
  documentType!: JournalDocumentType;

  @Field(() => JournalSenderKind, { description: 'Who the document came from.' })
  @Enum({ items: () => JournalSenderKind, nativeEnumName: 'journal_sender_kind' })
  senderKind!: JournalSenderKind;

  @Field({ description: 'Heading (rubrik).' })
  @Property({ type: 'text' })
  heading!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Sender designation (benämning avsändare), e.g. "Försäkringskassan" or the sender\'s name.',
  })
  @Property({ type: 'text', nullable: true })
  senderDesignation?: string | null;

  @Field(() => LocalDate, { description: "The document's date (datum), e.g. the day the message came in." })
  @Property({ type: 'date' })
  date!: string;

  @Field({ description: "The filed text: the message's text as it was when journaled, or the note." })
  @Property({ type: 'text' })
  text!: string;

  /** The journaled message (also set when one of its attachments is journaled). */
  @ManyToOne(() => Message, { nullable: true, index: true, deleteRule: 'restrict' })
  message?: Message | null;

  /** The journaled attachment: its PDF is the document in the file. */
  @ManyToOne(() => Attachment, { nullable: true, deleteRule: 'restrict' })
  attachment?: Attachment | null;

  @ManyToOne(() => Staff, { deleteRule: 'restrict' })
  author!: Staff;

  /** The entry this one corrects. */
  @ManyToOne(() => JournalEntry, { nullable: true, deleteRule: 'restrict' })
  corrects?: JournalEntry | null;

  /** The label of where the entry is filed, copied when it was made (the file keeps what was chosen then). */
  @Field({
    description: 'Where the entry is filed, as the user chose it, e.g. "Insats EK Ekonomiskt bistånd 2024-02-15".',
  })
  @Property({ type: 'text' })
  targetLabel!: string;

  @Field(() => Date, { description: 'When the entry was made (journalfört).' })
  get journaledAt(): Date & Opt {
    return this.createdAt;
  }
}
