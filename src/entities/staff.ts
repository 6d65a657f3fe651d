import { Entity, Enum, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { Unit } from './unit';

export enum StaffRole {
  CASEWORKER = 'CASEWORKER',
  EXECUTOR = 'EXECUTOR',
  ADMIN = 'ADMIN',
}
registerEnumType(StaffRole, {
  name: 'StaffRole',
  description: 'What a staff member does in the e-service.',
  valuesConfig: {
    CASEWORKER: { description: 'Handläggare: owns cases, activates the e-service, messages and journals.' },
    EXECUTOR: { description: 'Utförare: carries out assignments for persons and messages them.' },
    ADMIN: { description: 'Systemförvaltare: manages staff, units and shared mailboxes, and reads the access log.' },
  },
});

@ObjectType({ description: 'A member of staff (handläggare, utförare or systemförvaltare).' })
@Entity()
export class Staff extends BaseEntity {
  @Field({ description: 'Login name from the organisation\'s identity provider, e.g. "mararo01".' })
  @Property({ type: 'text', unique: true })
  username!: string;

  @Field({ description: 'Given name.' })
  @Property({ type: 'text' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  @Property({ type: 'text' })
  familyName!: string;

  @Field(() => String, { nullable: true, description: 'Job title shown to citizens, e.g. "Socialsekreterare".' })
  @Property({ type: 'text', nullable: true })
  title?: string | null;

  @Field(() => StaffRole, { description: "The staff member's role." })
  @Enum({ items: () => StaffRole, nativeEnumName: 'staff_role' })
  role!: StaffRole;

  @ManyToOne(() => Unit)
  unit!: Unit;

  @Field(() => Boolean, { description: 'False once the account is disabled; a disabled account cannot sign in.' })
  @Property({ type: 'boolean' })
  active: boolean & Opt = true;

  @Field(() => String, { description: 'Display name, "Given Family".' })
  get name(): string & Opt {
    return `${this.givenName} ${this.familyName}`;
  }
}
