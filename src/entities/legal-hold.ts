import { Check, Entity, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Case } from './case';
import { Staff } from './staff';

/**
 * A legal hold (bevarandebeslut): while it is not released, gallring leaves
 * the conversation, or every conversation of the case, as it is. Placing and
 * releasing are recorded on the row (who, why, when); a row is never deleted.
 */
@ObjectType({
  description:
    'A legal hold on a conversation or a case: nothing in it is thinned by gallring until the hold is ' +
    'released. Who placed and released it, when and why, stay on record.',
})
@Entity()
@Index({ properties: ['conversationId'] })
@Index({ properties: ['case'] })
@Check({
  name: 'legal_hold_one_target',
  expression: '(conversation_id is not null)::int + (case_id is not null)::int = 1',
})
export class LegalHold extends BaseEntity {
  /**
   * The held conversation. Not a foreign key: a released hold's conversation
   * may be thinned later, and the record of the hold stays.
   */
  @Property({ type: 'uuid', nullable: true })
  conversationId?: string | null;

  @ManyToOne(() => Case, { nullable: true, deleteRule: 'restrict' })
  case?: Case | null;

  @Field({ description: "Why the hold was placed, e.g. a court's or the JO's request with its reference." })
  @Property({ type: 'text' })
  reason!: string;

  @ManyToOne(() => Staff)
  placedBy!: Staff;

  @Field(() => Date, { nullable: true, description: 'When the hold was released; empty while it holds.' })
  @Property({ type: 'datetime', nullable: true })
  releasedAt?: Date | null;

  @ManyToOne(() => Staff, { nullable: true })
  releasedBy?: Staff | null;

  @Field(() => String, { nullable: true, description: 'Why the hold was released.' })
  @Property({ type: 'text', nullable: true })
  releaseReason?: string | null;

  @Field(() => Date, { description: 'When the hold was placed.' })
  get placedAt(): Date & Opt {
    return this.createdAt;
  }
}
