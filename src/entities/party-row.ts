import { Enum, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from './base';
import { PartyKind } from './party';
import { Person } from './person';
import { SharedMailbox } from './shared-mailbox';
import { Staff } from './staff';

/**
 * The columns that name a party on a row (a participant, a recipient):
 * exactly one of staff, mailbox and person is set (each table has a check
 * constraint), and `partyKey` (`KIND:id`) makes the party unique per row set.
 */
export abstract class PartyRow extends BaseEntity {
  @Enum({ items: () => PartyKind, nativeEnumName: 'party_kind' })
  kind!: PartyKind;

  @Property({ type: 'text' })
  partyKey!: string;

  @ManyToOne(() => Staff, { nullable: true })
  staff?: Staff | null;

  @ManyToOne(() => SharedMailbox, { nullable: true })
  mailbox?: SharedMailbox | null;

  @ManyToOne(() => Person, { nullable: true })
  person?: Person | null;
}
