import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Staff } from './staff';
import { Unit } from './unit';

@ObjectType({ description: 'A unit\'s shared mailbox (gemensam brevlåda) that several staff members read and answer from.' })
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
