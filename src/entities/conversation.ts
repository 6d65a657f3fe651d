import { Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Case } from './case';
import { PartyKind } from './party';
import { Person } from './person';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

/**
 * A thread of messages. At most one citizen takes part in a conversation, so a
 * send to several citizens becomes one conversation per citizen and no citizen
 * ever sees another, or another's replies.
 */
@ObjectType({ description: 'A thread of messages. At most one citizen takes part in a conversation: a message to several citizens becomes one conversation per citizen, so no citizen sees another or their replies.' })
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
@Check({ name: 'conversation_participant_one_party', expression: '(staff_id is not null)::int + (mailbox_id is not null)::int + (person_id is not null)::int = 1' })
export class ConversationParticipant extends BaseEntity {
  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Enum({ items: () => PartyKind, nativeEnumName: 'party_kind' })
  kind!: PartyKind;

  /** `KIND:id`, for the uniqueness of a party in a conversation. */
  @Property({ type: 'text' })
  partyKey!: string;

  @ManyToOne(() => Staff, { nullable: true })
  staff?: Staff | null;

  @ManyToOne(() => SharedMailbox, { nullable: true })
  mailbox?: SharedMailbox | null;

  @ManyToOne(() => Person, { nullable: true })
  person?: Person | null;
}
