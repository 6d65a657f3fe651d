import { Entity, ManyToOne, OneToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

/** A staff member's signature and out-of-office (frånvaro) settings. */
@ObjectType({ description: 'Your signature and out-of-office (frånvaromeddelande) settings.' })
@Entity()
export class MailboxSettings {
  @OneToOne(() => Staff, { primary: true, owner: true, deleteRule: 'cascade' })
  staff!: Staff;

  @Field(() => String, { description: 'Signature added to messages when you choose, plain text.' })
  @Property({ type: 'text' })
  signature: string & Opt = '';

  @Field(() => Boolean, {
    description:
      'Out-of-office is on: senders get the automatic reply (once per conversation per absence) and messages are also delivered to the forward-to mailbox.',
  })
  @Property({ type: 'boolean' })
  absenceEnabled: boolean & Opt = false;

  @Field(() => String, { description: 'The automatic reply, plain text.' })
  @Property({ type: 'text' })
  absenceReply: string & Opt = '';

  @ManyToOne(() => SharedMailbox, { nullable: true })
  absenceForwardTo?: SharedMailbox | null;

  /** Start of the current absence: auto-replies are counted per absence. */
  @Property({ type: 'datetime', nullable: true })
  absenceSince?: Date | null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/** One automatic reply per conversation per absence. */
@Entity()
export class AutoReplySent {
  @ManyToOne(() => Staff, { primary: true })
  staff!: Staff;

  @Property({ type: 'uuid', primary: true })
  conversationId!: string;

  @Property({ type: 'datetime', primary: true })
  absenceSince!: Date;
}
