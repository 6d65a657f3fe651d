import { Entity, Enum, Index, ManyToOne, OptionalProps, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity, LocalDate } from './base';
import { Person } from './person';
import { Staff } from './staff';
import { Unit } from './unit';

export enum CaseStatus {
  OPEN = 'OPEN',
  CLOSED = 'CLOSED',
}
registerEnumType(CaseStatus, {
  name: 'CaseStatus',
  description: 'Whether a case is ongoing.',
  valuesConfig: { OPEN: { description: 'Ongoing (pågående).' }, CLOSED: { description: 'Closed (avslutat).' } },
});

@ObjectType({ description: "A case (ärende) in a person's file; the person is its case holder (aktbärare)." })
@Entity({ tableName: 'case_file' })
@Index({ properties: ['unit', 'status'] })
export class Case extends BaseEntity {
  // status is optional on create through OptionalProps rather than an `& Opt` brand, so it stays a plain CaseStatus
  // that compares with the enum's members.
  [OptionalProps]?: 'status';

  @Field({ description: 'Title of the case, e.g. "Ekonomiskt bistånd".' })
  @Property({ type: 'text' })
  title!: string;

  @ManyToOne(() => Person, { index: true })
  holder!: Person;

  @ManyToOne(() => Unit)
  unit!: Unit;

  @ManyToOne(() => Staff, { index: true })
  caseworker!: Staff;

  @Field(() => CaseStatus, { description: 'Ongoing or closed.' })
  @Enum({ items: () => CaseStatus, nativeEnumName: 'case_status' })
  status: CaseStatus = CaseStatus.OPEN;

  @Field(() => LocalDate, { description: 'Date the case was opened.' })
  @Property({ type: 'date' })
  openedOn!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description:
      "Date the case was closed (its last day), if it is. Closing (closeCase) ends at once the executors' " +
      "and relations' access that came through the case, and its interventions take no new journal entries.",
  })
  @Property({ type: 'date', nullable: true })
  closedOn?: string | null;

  /** The caseworker who closed the case. */
  @ManyToOne(() => Staff, { nullable: true })
  closedBy?: Staff | null;
}

@ObjectType({ description: 'An intervention (insats) granted within a case, e.g. "EK Ekonomiskt bistånd".' })
@Entity()
export class Intervention extends BaseEntity {
  @ManyToOne(() => Case, { index: true })
  case!: Case;

  @Field({ description: 'Short code of the intervention type, e.g. "EK".' })
  @Property({ type: 'text' })
  code!: string;

  @Field({ description: 'Name of the intervention, e.g. "Ekonomiskt bistånd".' })
  @Property({ type: 'text' })
  name!: string;

  @Field(() => LocalDate, { description: 'First day of the intervention.' })
  @Property({ type: 'date' })
  startDate!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Last day of the intervention; empty while it runs until further notice.',
  })
  @Property({ type: 'date', nullable: true })
  endDate?: string | null;

  @Field(() => String, { description: 'The label staff pick from, e.g. "Insats EK Ekonomiskt bistånd 2024-02-15".' })
  get label(): string & Opt {
    return `Insats ${this.code} ${this.name} ${this.startDate}`;
  }
}

@ObjectType({
  description: 'An assignment (uppdrag) that links an executor (utförare) to a person, for an intervention.',
})
@Entity()
export class Assignment extends BaseEntity {
  @ManyToOne(() => Case, { index: true })
  case!: Case;

  @ManyToOne(() => Intervention, { nullable: true })
  intervention?: Intervention | null;

  @ManyToOne(() => Staff, { index: true })
  executor!: Staff;

  @Field({ description: 'What the executor is to do, e.g. "Budgetrådgivning".' })
  @Property({ type: 'text' })
  description!: string;

  @Field(() => LocalDate, { description: 'First day of the assignment.' })
  @Property({ type: 'date' })
  startDate!: string;

  @Field(() => LocalDate, { nullable: true, description: 'Last day of the assignment; empty while ongoing.' })
  @Property({ type: 'date', nullable: true })
  endDate?: string | null;
}
