import { Check, Entity, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

/** A staff member's named list of staff and mailboxes for quick addressing (kontaktlista). */
@ObjectType({ description: 'A named list of staff and shared mailboxes for quick addressing (kontaktlista).' })
@Entity()
@Unique({ properties: ['owner', 'name'] })
export class ContactList extends BaseEntity {
  @ManyToOne(() => Staff, { index: true })
  owner!: Staff;

  @Field({ description: 'Name of the list.' })
  @Property({ type: 'text' })
  name!: string;
}

@Entity()
@Check({
  name: 'contact_list_entry_one_party',
  expression: '(staff_id is not null)::int + (mailbox_id is not null)::int = 1',
})
export class ContactListEntry extends BaseEntity {
  @ManyToOne(() => ContactList, { deleteRule: 'cascade', index: true })
  list!: ContactList;

  @ManyToOne(() => Staff, { nullable: true })
  staff?: Staff | null;

  @ManyToOne(() => SharedMailbox, { nullable: true })
  mailbox?: SharedMailbox | null;
}
