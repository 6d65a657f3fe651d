import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { Person } from './person';
import { Staff, StaffRole } from './staff';

export enum AccessAction {
  PERSON_LIST = 'PERSON_LIST',
  PERSON_READ = 'PERSON_READ',
  PERSON_UPDATE = 'PERSON_UPDATE',
  E_SERVICE_CHANGE = 'E_SERVICE_CHANGE',
  CASE_READ = 'CASE_READ',
  RELATION_READ = 'RELATION_READ',
  RELATION_CHANGE = 'RELATION_CHANGE',
  CONVERSATION_LIST = 'CONVERSATION_LIST',
  CONVERSATION_READ = 'CONVERSATION_READ',
  MESSAGE_SENT = 'MESSAGE_SENT',
  ATTACHMENT_DOWNLOAD = 'ATTACHMENT_DOWNLOAD',
  JOURNAL_READ = 'JOURNAL_READ',
  JOURNAL_WRITE = 'JOURNAL_WRITE',
  DOCUMENT_READ = 'DOCUMENT_READ',
  DOCUMENT_WRITE = 'DOCUMENT_WRITE',
  REGISTER_EXTRACT = 'REGISTER_EXTRACT',
}
registerEnumType(AccessAction, {
  name: 'AccessAction',
  description: "What a staff member did with a person's data.",
  valuesConfig: {
    PERSON_LIST: { description: 'The person appeared in a search or list.' },
    PERSON_READ: { description: "The person's record was opened." },
    PERSON_UPDATE: {
      description:
        "The person's contact details or flags (Sekretessmarkering, Hemligt telefonnummer, Tolkbehov; Skyddad folkbokföring by an administrator) were changed.",
    },
    E_SERVICE_CHANGE: { description: 'The e-service was activated or deactivated for the person.' },
    CASE_READ: { description: "One of the person's cases was opened." },
    RELATION_READ: { description: 'The person was shown as a relation on a case.' },
    RELATION_CHANGE: { description: 'A relation involving the person was registered, activated or deactivated.' },
    CONVERSATION_LIST: { description: 'A conversation with the person appeared in a mailbox list.' },
    CONVERSATION_READ: { description: 'A conversation with the person was opened.' },
    MESSAGE_SENT: { description: 'A message was sent to the person.' },
    ATTACHMENT_DOWNLOAD: { description: 'An attachment in a conversation with the person was downloaded.' },
    JOURNAL_READ: { description: "The person's case journal was listed." },
    JOURNAL_WRITE: { description: "A message, attachment or note was journaled in the person's file." },
    DOCUMENT_READ: { description: "The documents of one of the person's cases were listed or opened." },
    DOCUMENT_WRITE: { description: "A document in one of the person's cases was written, locked or sent." },
    REGISTER_EXTRACT: {
      description:
        'A register extract (registerutdrag) of everything held about the person was made for the staff member.',
    },
  },
});

/**
 * Loggkontroll: one row per staff access to a person's data, written in the
 * same transaction as the read. Never updated or deleted by the application.
 */
@ObjectType({ description: "One access by a staff member to a person's data (loggkontroll)." })
@Entity()
@Index({ properties: ['person', 'createdAt'] })
@Index({ properties: ['actor', 'createdAt'] })
@Index({ properties: ['createdAt'] })
export class AccessLogEntry extends BaseEntity {
  @ManyToOne(() => Staff)
  actor!: Staff;

  @Field(() => StaffRole, { description: 'The role the staff member acted in.' })
  @Enum({ items: () => StaffRole, nativeEnumName: 'staff_role' })
  actorRole!: StaffRole;

  @ManyToOne(() => Person)
  person!: Person;

  @Field(() => AccessAction, { description: 'What was done.' })
  @Enum({ items: () => AccessAction, nativeEnumName: 'access_action' })
  action!: AccessAction;

  @Field({ description: 'The id of the API request, to match server logs.' })
  @Property({ type: 'text' })
  requestId!: string;
}
