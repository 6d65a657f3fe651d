import { Entity, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Case } from './case';
import { Message } from './message';
import { Person } from './person';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

/** The addressees of a draft, as chosen so far. */
export interface DraftAddressees {
  personIds: string[];
  staffIds: string[];
  sharedMailboxIds: string[];
}

/** A message being written: saved as the user types, then sent or deleted. */
@ObjectType({
  description: 'A message being written (utkast), saved as you type; send it with sendDraft or delete it.',
})
@Entity()
export class Draft extends BaseEntity {
  @ManyToOne(() => Staff, { nullable: true, index: true })
  ownerStaff?: Staff | null;

  @ManyToOne(() => Person, { nullable: true, index: true })
  ownerPerson?: Person | null;

  @ManyToOne(() => SharedMailbox, { nullable: true })
  fromMailbox?: SharedMailbox | null;

  @Property({ type: 'json' })
  addressees: DraftAddressees & Opt = { personIds: [], staffIds: [], sharedMailboxIds: [] };

  /** A reply draft answers this message, in its conversation. */
  @ManyToOne(() => Message, { nullable: true, index: true })
  replyTo?: Message | null;

  @ManyToOne(() => Case, { nullable: true })
  case?: Case | null;

  @Field(() => String, { description: 'Subject so far.' })
  @Property({ type: 'text' })
  subject: string & Opt = '';

  @Field(() => String, { description: 'Body so far, sanitized HTML.' })
  @Property({ type: 'text' })
  bodyHtml: string & Opt = '';

  @Field(() => Boolean, { description: 'Whether a read receipt will be asked for.' })
  @Property({ type: 'boolean' })
  readReceiptRequested: boolean & Opt = false;

  @Field(() => Boolean, { description: 'Whether your signature will be added when sent.' })
  @Property({ type: 'boolean' })
  addSignature: boolean & Opt = false;

  @Property({ type: 'json' })
  attachmentIds: string[] & Opt = [];

  @Field(() => Date, { description: 'When the draft was last saved.' })
  @Property({ type: 'datetime' })
  savedAt: Date & Opt = new Date();
}
