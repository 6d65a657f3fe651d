import { randomUUID } from 'node:crypto';
import { PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

/** Calendar date `YYYY-MM-DD` (Swedish local time), as used for validity periods and case dates. */
export const LocalDate = GraphQLLocalDate;

/** Every entity has a random UUID id and a creation time. */
@ObjectType({ description: 'Fields every record has.' })
export abstract class BaseEntity {
  @Field(() => ID, { description: 'Stable opaque identifier.' })
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Field(() => Date, { description: 'When this record was created.' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();
}
