import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';

@ObjectType({
  description:
    'An organisational unit of the social services (e.g. "Försörjningsstöd"). Cases belong to a unit; staff work in one.',
})
@Entity()
export class Unit extends BaseEntity {
  @Field({ description: 'Name of the unit.' })
  @Property({ type: 'text', unique: true })
  name!: string;

  @Field({ description: 'The municipality the unit belongs to, e.g. "Söderköpings kommun".' })
  @Property({ type: 'text' })
  municipality!: string;
}
