import { Entity, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from './base';
import { Staff } from './staff';

/**
 * A person known to the social services: a case holder (aktbärare), a
 * relation, or both. Address and contact details are exposed through the
 * person resolver, which masks them for protected identities.
 */
@ObjectType({
  description: 'A person known to the social services: a case holder (aktbärare), a relation of one, or both.',
})
@Entity()
export class Person extends BaseEntity {
  @Field({ description: 'Personal identity number (personnummer), 12 digits YYYYMMDDNNNN.' })
  @Property({ type: 'text', unique: true })
  personnummer!: string;

  @Field({ description: 'Given name.' })
  @Property({ type: 'text' })
  givenName!: string;

  @Field({ description: 'Family name.' })
  @Property({ type: 'text' })
  familyName!: string;

  @Property({ type: 'text', nullable: true })
  street?: string | null;

  @Property({ type: 'text', nullable: true })
  postalCode?: string | null;

  @Property({ type: 'text', nullable: true })
  city?: string | null;

  @Property({ type: 'text', nullable: true })
  mobile?: string | null;

  @Property({ type: 'text', nullable: true })
  email?: string | null;

  /** Home phone (hemtelefon), E.164; shown through the person resolver like the mobile. */
  @Property({ type: 'text', nullable: true })
  homePhone?: string | null;

  /** Work phone (arbetstelefon), E.164; shown through the person resolver like the mobile. */
  @Property({ type: 'text', nullable: true })
  workPhone?: string | null;

  /** The mobile number was entered or confirmed by staff (not only by the citizen). */
  @Property({ type: 'boolean' })
  mobileVerified: boolean & Opt = false;

  /** The e-mail address was entered or confirmed by staff (not only by the citizen). */
  @Property({ type: 'boolean' })
  emailVerified: boolean & Opt = false;

  @Field(() => Boolean, {
    description:
      "Skyddad folkbokföring: address and contact details are shown only to the caseworkers of the person's " +
      'own cases, never to relations or co-recipients. It comes from the population register: set by an ' +
      'administrator (setProtectedIdentity) or an import, never by a caseworker.',
  })
  @Property({ type: 'boolean' })
  protectedIdentity: boolean & Opt = false;

  @Field(() => Boolean, {
    description:
      'Sekretessmarkering: this person needs extra care with disclosure (check before giving out any ' +
      'information about them). Set by the caseworker (setPersonFlags).',
  })
  @Property({ type: 'boolean' })
  confidentialityMarking: boolean & Opt = false;

  @Field(() => Boolean, {
    description:
      'Hemligt telefonnummer: the phone numbers (mobile, home, work) must not be given out. They are shown ' +
      'only to caseworkers with the person in their caseload (executors see null, see phoneNumbersHidden), ' +
      'never printed on documents or shown to citizens other than the person. Notifications still go to the ' +
      'mobile. Set by the caseworker (setPersonFlags).',
  })
  @Property({ type: 'boolean' })
  secretPhoneNumber: boolean & Opt = false;

  @Field(() => Boolean, {
    description:
      'Tolkbehov: the person needs an interpreter (language in interpreterLanguage). Set by the caseworker (setPersonFlags).',
  })
  @Property({ type: 'boolean' })
  needsInterpreter: boolean & Opt = false;

  @Field(() => String, {
    nullable: true,
    description: 'The language to interpret into when needsInterpreter is set, e.g. "Arabiska"; null otherwise.',
  })
  @Property({ type: 'text', nullable: true })
  interpreterLanguage?: string | null;

  /** E-service switches (the seed's "Meddelande", "Notifiering via SMS/E-post"). */
  @Property({ type: 'boolean' })
  messagingEnabled: boolean & Opt = false;

  @Property({ type: 'boolean' })
  notifyBySms: boolean & Opt = false;

  @Property({ type: 'boolean' })
  notifyByEmail: boolean & Opt = false;

  @Property({ type: 'datetime', nullable: true })
  eServiceChangedAt?: Date | null;

  @ManyToOne(() => Staff, { nullable: true })
  eServiceChangedBy?: Staff | null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  @Field(() => String, { description: 'Display name, "Given Family".' })
  get name(): string & Opt {
    return `${this.givenName} ${this.familyName}`;
  }
}
