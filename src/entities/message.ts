import { Check, Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { PartyRow } from './party-row';
import { Conversation } from './conversation';
import { PartyKind } from './party';
import { Person } from './person';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

@ObjectType({
  description: 'A sent message. Its body is HTML, sanitized against an allowlist when it was written.',
  // Plain fields read their property (graphql-js's default resolver): no field here has middleware or @Authorized.
  simpleResolvers: true,
})
@Entity()
@Index({ properties: ['conversation', 'createdAt'] })
@Check({
  name: 'message_one_sender',
  expression: '(sender_staff_id is not null)::int + (sender_person_id is not null)::int = 1',
})
export class Message extends BaseEntity {
  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  @Enum({ items: () => PartyKind, nativeEnumName: 'party_kind' })
  senderKind!: PartyKind;

  /** The staff member who wrote it (also when sent from a shared mailbox). */
  @ManyToOne(() => Staff, { nullable: true })
  senderStaff?: Staff | null;

  /** Set when a staff member sent on behalf of a shared mailbox. */
  @ManyToOne(() => SharedMailbox, { nullable: true })
  senderMailbox?: SharedMailbox | null;

  @ManyToOne(() => Person, { nullable: true })
  senderPerson?: Person | null;

  @Field({ description: 'Subject line.' })
  @Property({ type: 'text' })
  subject!: string;

  /** GraphQL: MessageResolver.bodyHtml (a list's last message is read without its body). */
  @Property({ type: 'text' })
  bodyHtml!: string;

  /** GraphQL: MessageResolver.bodyText. */
  @Property({ type: 'text' })
  bodyText!: string;

  @Field(() => Boolean, {
    description: 'The sender asked for a read receipt (läskvitto): they will see who read the message and when.',
  })
  @Property({ type: 'boolean' })
  readReceiptRequested: boolean & Opt = false;

  @Field(() => Boolean, { description: 'An automatic out-of-office reply.' })
  @Property({ type: 'boolean' })
  isAutoReply: boolean & Opt = false;

  /** Indexed: deleting a message (gallring) looks up its replies to unlink them. */
  @ManyToOne(() => Message, { nullable: true, index: true })
  inReplyTo?: Message | null;

  @Field(() => Date, { description: 'When the message was sent.' })
  get sentAt(): Date & Opt {
    return this.createdAt;
  }
}

/** One recipient of one message, with its first read. */
@Entity()
@Index({ properties: ['conversation'], name: 'message_recipient_conversation_id_index' })
@Index({
  name: 'message_recipient_unread_index',
  expression:
    'create index "message_recipient_unread_index" on "message_recipient" ("party_key", "conversation_id") where "read_at" is null',
})
@Unique({ properties: ['message', 'partyKey'] })
@Check({
  name: 'message_recipient_one_party',
  expression: '(staff_id is not null)::int + (mailbox_id is not null)::int + (person_id is not null)::int = 1',
})
export class MessageRecipient extends PartyRow {
  @ManyToOne(() => Message, { deleteRule: 'cascade' })
  message!: Message;

  @ManyToOne(() => Conversation, { deleteRule: 'cascade' })
  conversation!: Conversation;

  /** Delivered because the addressed staff member was away (their forward-to mailbox). */
  @Property({ type: 'boolean' })
  forwarded: boolean & Opt = false;

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;

  /** Who opened it: for a shared mailbox, the member who read it. */
  @ManyToOne(() => Staff, { nullable: true })
  readByStaff?: Staff | null;
}

export enum MessageEventKind {
  SENT = 'SENT',
  READ = 'READ',
  DOWNLOADED = 'DOWNLOADED',
  FORWARDED = 'FORWARDED',
  AUTO_REPLIED = 'AUTO_REPLIED',
  NOTIFIED = 'NOTIFIED',
  JOURNALED = 'JOURNALED',
}
registerEnumType(MessageEventKind, {
  name: 'MessageEventKind',
  description: 'What happened to a message.',
  valuesConfig: {
    SENT: { description: 'The message was sent.' },
    READ: { description: 'A recipient opened the message for the first time.' },
    DOWNLOADED: { description: 'An attachment was downloaded.' },
    FORWARDED: { description: 'The message was also delivered to a shared mailbox because a recipient was away.' },
    AUTO_REPLIED: { description: 'An automatic out-of-office reply was sent.' },
    NOTIFIED: { description: 'The recipient was told by SMS or e-mail that a message is waiting (never its content).' },
    JOURNALED: { description: 'The message or an attachment was filed in the case file.' },
  },
});

@ObjectType({
  description:
    "One step in a message's history, visible to staff in the conversation and to the citizen for their own messages.",
})
@Entity()
@Index({ properties: ['message', 'createdAt'] })
export class MessageEvent extends BaseEntity {
  @ManyToOne(() => Message, { deleteRule: 'cascade' })
  message!: Message;

  @Field(() => MessageEventKind, { description: 'What happened.' })
  @Enum({ items: () => MessageEventKind, nativeEnumName: 'message_event_kind' })
  kind!: MessageEventKind;

  @Field(() => String, {
    nullable: true,
    description: 'Who did it, as a display name (e.g. "Marita Aronsson"), when a person did.',
  })
  @Property({ type: 'text', nullable: true })
  actorName?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A short detail, e.g. the file name downloaded or the channel notified ("SMS", "E-post").',
  })
  @Property({ type: 'text', nullable: true })
  detail?: string | null;
}

/** Idempotent sending: the first result of a client's idempotency key. */
@Entity()
@Unique({ properties: ['senderKey', 'key'] })
export class SendRequest extends BaseEntity {
  @Property({ type: 'text' })
  senderKey!: string;

  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  payloadHash!: string;

  @Property({ type: 'json' })
  messageIds: string[] & Opt = [];
}
