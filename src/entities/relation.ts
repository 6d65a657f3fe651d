import { Entity, Enum, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity, LocalDate } from './base';
import { Case } from './case';
import { Person } from './person';
import { Staff } from './staff';

export enum RelationType {
  APPROVED_FOR_MESSAGES = 'APPROVED_FOR_MESSAGES',
  GUARDIAN = 'GUARDIAN',
  CUSTODIAN = 'CUSTODIAN',
  CONTACT_PERSON = 'CONTACT_PERSON',
  RELATIVE = 'RELATIVE',
}
registerEnumType(RelationType, {
  name: 'RelationType',
  description:
    'How a related person stands to the case holder. Only APPROVED_FOR_MESSAGES lets the relation use the e-service.',
  valuesConfig: {
    APPROVED_FOR_MESSAGES: {
      description: "Godkänd för meddelande: may receive and send the case's messages once activated.",
    },
    GUARDIAN: { description: 'God man / förvaltare appointed for the case holder.' },
    CUSTODIAN: { description: 'Vårdnadshavare of a child case holder.' },
    CONTACT_PERSON: { description: 'Kontaktperson.' },
    RELATIVE: { description: 'Anhörig.' },
  },
});

export enum RelationMessagingRights {
  READ_ONLY = 'READ_ONLY',
  READ_AND_WRITE = 'READ_AND_WRITE',
}
registerEnumType(RelationMessagingRights, {
  name: 'RelationMessagingRights',
  description: "What a relation approved for messages may do with the case's messages in the e-service.",
  valuesConfig: {
    READ_ONLY: {
      description: 'Läsbehörighet: reads the messages addressed to them; cannot send or reply (RELATION_READ_ONLY).',
    },
    READ_AND_WRITE: { description: 'Läs- och skrivbehörighet: reads, sends and replies (the default).' },
  },
});

@ObjectType({ description: 'A person registered on a case as related to its case holder, with a validity period.' })
@Entity()
@Unique({ properties: ['case', 'person'] })
export class Relation extends BaseEntity {
  @ManyToOne(() => Case, { index: true })
  case!: Case;

  /** The related person (not the case holder). */
  @ManyToOne(() => Person, { index: true })
  person!: Person;

  @Field(() => [RelationType], {
    description: 'The kinds of relation; several may apply at once (e.g. GUARDIAN and APPROVED_FOR_MESSAGES).',
  })
  @Enum({ items: () => RelationType, array: true })
  types!: RelationType[];

  @Field(() => LocalDate, { description: 'First day the relation holds.' })
  @Property({ type: 'date' })
  validFrom!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Last day the relation holds; empty while it holds until further notice.',
  })
  @Property({ type: 'date', nullable: true })
  validTo?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the relation was activated for the e-service; empty while not activated.',
  })
  @Property({ type: 'datetime', nullable: true })
  activatedAt?: Date | null;

  @ManyToOne(() => Staff, { nullable: true })
  activatedBy?: Staff | null;

  @Field(() => RelationMessagingRights, {
    description:
      "Read only, or read and write (the default): a read-only relation sees the case's messages addressed " +
      'to them but cannot send or reply. Only meaningful with APPROVED_FOR_MESSAGES; changed by the ' +
      'caseworker (setRelationMessagingRights).',
  })
  @Enum({ items: () => RelationMessagingRights, nativeEnumName: 'relation_messaging_rights' })
  messagingRights: RelationMessagingRights & Opt = RelationMessagingRights.READ_AND_WRITE;

  @ManyToOne(() => Staff)
  registeredBy!: Staff;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
