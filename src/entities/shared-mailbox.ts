import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { Staff } from './staff';
import { Unit } from './unit';

@ObjectType({
  description: "A unit's shared mailbox (gemensam brevlåda) that several staff members read and answer from.",
})
@Entity()
export class SharedMailbox extends BaseEntity {
  @Field({ description: 'Name of the mailbox, e.g. "Försörjningsstöd mottagning".' })
  @Property({ type: 'text', unique: true })
  name!: string;

  @ManyToOne(() => Unit)
  unit!: Unit;
}

/** Who may read and answer from a shared mailbox. */
@Entity()
@Unique({ properties: ['mailbox', 'staff'] })
export class SharedMailboxMember extends BaseEntity {
  @ManyToOne(() => SharedMailbox, { deleteRule: 'cascade' })
  mailbox!: SharedMailbox;

  @ManyToOne(() => Staff, { index: true })
  staff!: Staff;
}

export enum MembershipChangeKind {
  ADDED = 'ADDED',
  REMOVED = 'REMOVED',
}
registerEnumType(MembershipChangeKind, {
  name: 'MembershipChangeKind',
  description: "What happened to a shared mailbox's membership.",
  valuesConfig: {
    ADDED: { description: 'The staff member became a member.' },
    REMOVED: { description: 'The staff member stopped being a member.' },
  },
});

/**
 * A change of who may read a shared mailbox: who changed which member, and
 * when. Written in the same transaction as the change; never updated.
 */
@ObjectType({ description: "A change to a shared mailbox's members: who added or removed whom, and when (createdAt)." })
@Entity()
@Index({ properties: ['mailbox', 'createdAt'] })
export class MailboxMembershipChange extends BaseEntity {
  @ManyToOne(() => SharedMailbox, { deleteRule: 'cascade' })
  mailbox!: SharedMailbox;

  @ManyToOne(() => Staff)
  member!: Staff;

  @ManyToOne(() => Staff)
  changedBy!: Staff;

  @Field(() => MembershipChangeKind, { description: 'Added or removed.' })
  @Enum({ items: () => MembershipChangeKind, nativeEnumName: 'membership_change_kind' })
  change!: MembershipChangeKind;
}
