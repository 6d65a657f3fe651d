import { Check, Entity, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Case } from './case';
import { PartyRow } from './party-row';
import { Person } from './person';

/**
 * A thread of messages. At most one citizen takes part in a conversation, so a
 * send to several citizens becomes one conversation per citizen and no citizen
 * ever sees another, or another's replies.
 */
@ObjectType({
  description:
    'A thread of messages. At most one citizen takes part in a conversation: ' +
    'a message to several citizens becomes one conversation per citizen, so no citizen sees another or their replies.',
  // Plain fields read their property (graphql-js's default resolver): no field here has middleware or @Authorized.
  simpleResolvers: true,
})
@Entity()
@Index({ properties: ['lastMessageAt', 'id'] })
export class Conversation extends BaseEntity {
  @Field({ description: 'Subject of the first message.' })
  @Property({ type: 'text' })
  subject!: string;

  /** The one citizen in the conversation, if any. */
  @ManyToOne(() => Person, { nullable: true, index: true })
  citizen?: Person | null;

  /** The case the conversation is about, when known (for journaling and relations). */
  @ManyToOne(() => Case, { nullable: true, index: true })
  case?: Case | null;

  @Field(() => Date, { description: 'Time of the latest message; lists are ordered by it.' })
  @Property({ type: 'datetime' })
  lastMessageAt: Date & Opt = new Date();
}

/** A party taking part in a conversation. */
@Entity()
@Unique({ properties: ['conversation', 'partyKey'] })
@Index({ properties: ['partyKey', 'conversation'] })
@Check({
  name: 'conversation_participant_one_party',
  expression: '(staff_id is not null)::int + (mailbox_id is not null)::int + (person_id is not null)::int = 1',
})
export class ConversationParticipant extends PartyRow {
  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;
}
