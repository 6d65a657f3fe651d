import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { maySeeContactDetails } from '../domain/access-policy';
import { secretPhoneNumber } from '../domain/rules';
import { CaseService } from '../domain/case.service';
import { PersonService } from '../domain/person.service';
import { Case } from '../entities/case';
import { Person } from '../entities/person';
import { Relation, RelationMessagingRights } from '../entities/relation';
import { Connection, toConnection } from './types/connection';
import { staffOf } from './viewer';

@ObjectType({ description: 'A postal address.' })
export class Address {
  @Field(() => String, { nullable: true, description: 'Street address, e.g. "Ströms väg 15 A".' })
  street!: string | null;

  @Field(() => String, { nullable: true, description: 'Postal code, e.g. "614 33".' })
  postalCode!: string | null;

  @Field(() => String, { nullable: true, description: 'Postal town, e.g. "Söderköping".' })
  city!: string | null;
}

@ObjectType({
  description:
    'The person\'s e-service settings (the seed\'s "Meddelande", "Notifiering via SMS", "Notifiering via E-post").',
})
export class EServiceSettings {
  @Field({ description: 'Secure messaging is on: the person can receive and send messages.' })
  messagingEnabled!: boolean;

  @Field({ description: 'The person is told by SMS that a message is waiting (never its content).' })
  notifyBySms!: boolean;

  @Field({ description: 'The person is told by e-mail that a message is waiting (never its content).' })
  notifyByEmail!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the settings were last changed; they take effect at once.' })
  changedAt!: Date | null;
}

const PersonConnection = Connection(Person, 'person');

@ArgsType()
class PersonsArgs {
  @Field(() => String, { nullable: true, description: 'Part of a name, or a whole personnummer (any common format).' })
  search?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: "Cursor from a previous page's pageInfo.endCursor." })
  after?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Only the persons you may write to now: holders of ongoing cases in your caseload and their activated ' +
      'relations (caseworkers), holders of cases you have an ongoing assignment in (executors), each with ' +
      'the e-service activated. The recipient search of Skriv nytt ("Till klient").',
  })
  messageTargetsOnly?: boolean | null;
}

@InputType({ description: 'Contact details to change; leave a field out to keep it, send null or "" to clear it.' })
export class ContactDetailsInput {
  @Field(() => String, { nullable: true, description: 'Swedish mobile number, any common format.' })
  mobile?: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address.' })
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Home phone (hemtelefon): a Swedish number with its area code, any common format.',
  })
  homePhone?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Work phone (arbetstelefon): a Swedish number with its area code, any common format.',
  })
  workPhone?: string | null;

  @Field(() => String, { nullable: true, description: 'Street address.' })
  street?: string | null;

  @Field(() => String, { nullable: true, description: 'Postal code.' })
  postalCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Postal town.' })
  city?: string | null;
}

@InputType({
  description:
    'Flags a caseworker sets on a person; leave a field out to keep it. Skyddad folkbokföring is not ' +
    'here: it comes from the population register (setProtectedIdentity, administrators).',
})
export class PersonFlagsInput {
  @Field(() => Boolean, { nullable: true, description: 'Sekretessmarkering: extra care with disclosure.' })
  confidentialityMarking?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Hemligt telefonnummer: the phone numbers are shown only to caseworkers and never printed or shown to other citizens (see Person.secretPhoneNumber).',
  })
  secretPhoneNumber?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Tolkbehov: the person needs an interpreter; needs interpreterLanguage (BAD_USER_INPUT otherwise). Turning it off clears the language.',
  })
  needsInterpreter?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: 'The interpreter\'s language, e.g. "Arabiska" (at most 100 characters).',
  })
  interpreterLanguage?: string | null;
}

/**
 * What both e-service inputs hold: the notification switches and the contact details they go to. No field or
 * argument has this type, so the schema leaves it out; type-graphql gives its fields to each input extending it.
 */
@InputType()
abstract class NotificationSettingsInput {
  @Field({ description: 'Notify by SMS (needs a mobile number).' })
  notifyBySms!: boolean;

  @Field({ description: 'Notify by e-mail (needs an e-mail address).' })
  notifyByEmail!: boolean;

  @Field(() => String, { nullable: true, description: 'Mobile number to set at the same time; leave out to keep.' })
  mobile?: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address to set at the same time; leave out to keep.' })
  email?: string | null;
}

@InputType('ActivateRelationInput', {
  description: 'E-service settings for an activated relation, with the contact details notifications go to.',
})
export class ActivateRelationInput extends NotificationSettingsInput {
  @Field(() => RelationMessagingRights, {
    nullable: true,
    description: "READ_ONLY or READ_AND_WRITE for the case's messages; leave out to keep what was registered.",
  })
  messagingRights?: RelationMessagingRights | null;
}

@InputType({ description: 'E-service settings for a case holder, with the contact details the notifications go to.' })
export class EServiceInput extends NotificationSettingsInput {
  @Field({ description: 'Turn secure messaging on or off.' })
  messagingEnabled!: boolean;
}

@Resolver(() => Person)
export class PersonResolver {
  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => PersonConnection, {
    description:
      "Persons you may see (through your cases, your unit's caseload or your assignments), by family name. Every person listed is recorded in the access log.",
  })
  async persons(@Args() args: PersonsArgs, @Ctx() ctx: Context) {
    const page = await new PersonService(ctx.em, staffOf(ctx), ctx.requestId).list(args);
    // The page's statement read each person's access (R3): the contact fields need no statement of their own.
    for (const [id, access] of page.access) ctx.personAccess.prime(id, access);
    return toConnection(page);
  }

  @Authorized(Role.CASEWORKER, Role.EXECUTOR)
  @Query(() => Person, {
    description:
      'One person. NOT_FOUND when the person does not exist or you may not see them. Recorded in the access log.',
  })
  async person(@Arg('id', () => ID, { description: "The person's id." }) id: string, @Ctx() ctx: Context) {
    return new PersonService(ctx.em, staffOf(ctx), ctx.requestId).get(id);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Person, {
    description:
      "Change a person's address and contact details (caseworkers). A protected identity's details only by the caseworker of their own case.",
  })
  async updatePersonContactDetails(
    @Arg('personId', () => ID, { description: 'The person.' }) personId: string,
    @Arg('input', () => ContactDetailsInput, { description: 'What to change.' }) input: ContactDetailsInput,
    @Ctx() ctx: Context,
  ) {
    return new PersonService(ctx.em, staffOf(ctx), ctx.requestId).updateContactDetails(personId, input);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Person, {
    description:
      'Activate, change or deactivate the e-service for a case holder (caseworkers). Takes effect at once ' +
      "and serves the person's executors too. Activation needs an ongoing case in your caseload " +
      '(CASE_CLOSED otherwise).',
  })
  async setEService(
    @Arg('personId', () => ID, { description: 'The case holder.' }) personId: string,
    @Arg('input', () => EServiceInput, { description: 'The switches and contact details.' }) input: EServiceInput,
    @Ctx() ctx: Context,
  ) {
    return new PersonService(ctx.em, staffOf(ctx), ctx.requestId).setEService(personId, input);
  }

  @Authorized(Role.CASEWORKER)
  @Mutation(() => Person, {
    description:
      'Set Sekretessmarkering, Hemligt telefonnummer and Tolkbehov (with language) on a person you may see ' +
      '(caseworkers; NOT_FOUND otherwise). Takes effect at once; recorded in the access log as a change ' +
      '(PERSON_UPDATE). Skyddad folkbokföring cannot be set here.',
  })
  async setPersonFlags(
    @Arg('personId', () => ID, { description: 'The person.' }) personId: string,
    @Arg('input', () => PersonFlagsInput, { description: 'The flags to change.' }) input: PersonFlagsInput,
    @Ctx() ctx: Context,
  ) {
    return new PersonService(ctx.em, staffOf(ctx), ctx.requestId).setFlags(personId, input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, {
    description:
      'Record or remove Skyddad folkbokföring for a person, by personnummer, as the population register ' +
      'says (administrators only; caseworkers and executors get FORBIDDEN). Answers the value now recorded. ' +
      'Recorded in the access log (PERSON_UPDATE).',
  })
  async setProtectedIdentity(
    @Arg('personnummer', { description: "The person's personnummer, any common format." }) personnummer: string,
    @Arg('protectedIdentity', { description: 'True for Skyddad folkbokföring.' }) protectedIdentity: boolean,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return new PersonService(ctx.em, staffOf(ctx), ctx.requestId).setProtectedIdentity(personnummer, protectedIdentity);
  }

  @FieldResolver(() => Address, {
    nullable: true,
    description: 'Postal address; null when hidden (protected identity) or unknown.',
  })
  async address(@Root() person: Person, @Ctx() ctx: Context): Promise<Address | null> {
    if (!(await this.contactVisible(person, ctx))) return null;
    if (!person.street && !person.postalCode && !person.city) return null;
    return { street: person.street ?? null, postalCode: person.postalCode ?? null, city: person.city ?? null };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Mobile number in E.164 (+46…); null when hidden (protected identity, or a secret phone number shown to caseworkers only) or unknown.',
  })
  async mobile(@Root() person: Person, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.phonesVisible(person, ctx)) ? (person.mobile ?? null) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Home phone (hemtelefon) in E.164; hidden exactly like the mobile (null).',
  })
  async homePhone(@Root() person: Person, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.phonesVisible(person, ctx)) ? (person.homePhone ?? null) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Work phone (arbetstelefon) in E.164; hidden exactly like the mobile (null).',
  })
  async workPhone(@Root() person: Person, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.phonesVisible(person, ctx)) ? (person.workPhone ?? null) : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'True when the phone numbers are withheld from you: a protected identity (see contactDetailsHidden), ' +
      'or a secret phone number (Hemligt telefonnummer), which only caseworkers see.',
  })
  async phoneNumbersHidden(@Root() person: Person, @Ctx() ctx: Context): Promise<boolean> {
    return !(await this.phonesVisible(person, ctx));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'E-mail address; null when hidden (protected identity) or unknown.',
  })
  async email(@Root() person: Person, @Ctx() ctx: Context): Promise<string | null> {
    return (await this.contactVisible(person, ctx)) ? (person.email ?? null) : null;
  }

  @FieldResolver(() => Boolean, {
    description: 'True when address and contact details are withheld from you because of a protected identity.',
  })
  async contactDetailsHidden(@Root() person: Person, @Ctx() ctx: Context): Promise<boolean> {
    return !(await this.contactVisible(person, ctx));
  }

  @FieldResolver(() => EServiceSettings, { description: 'E-service settings.' })
  eService(@Root() person: Person): EServiceSettings {
    return {
      messagingEnabled: person.messagingEnabled,
      notifyBySms: person.notifyBySms,
      notifyByEmail: person.notifyByEmail,
      changedAt: person.eServiceChangedAt ?? null,
    };
  }

  @Authorized(Role.STAFF)
  @FieldResolver(() => [Case], {
    description: 'The cases you may see where this person is the case holder, newest first.',
  })
  async cases(@Root() person: Person, @Ctx() ctx: Context): Promise<Case[]> {
    return ctx.loaders.batch('casesOfHolder', person.id, (ids) =>
      new CaseService(ctx.em, staffOf(ctx), ctx.requestId).casesOfHolders(ids),
    );
  }

  @Authorized(Role.STAFF)
  @FieldResolver(() => [Relation], {
    description:
      "Persons registered as relations on this person's cases that you may see. Each related person shown is recorded in the access log.",
  })
  async relations(@Root() person: Person, @Ctx() ctx: Context): Promise<Relation[]> {
    const cases = await this.cases(person, ctx);
    const lists = await Promise.all(
      cases.map((c) =>
        ctx.loaders.batch('relationsOfCase', c.id, (ids) =>
          new CaseService(ctx.em, staffOf(ctx), ctx.requestId).relationsOfCases(ids),
        ),
      ),
    );
    return lists.flat();
  }

  private async contactVisible(person: Person, ctx: Context): Promise<boolean> {
    if (!ctx.viewer) return false;
    return maySeeContactDetails(ctx.viewer, person, await ctx.personAccess.load(person.id));
  }

  /** R3 and Hemligt telefonnummer together. */
  private async phonesVisible(person: Person, ctx: Context): Promise<boolean> {
    if (!ctx.viewer) return false;
    const access = await ctx.personAccess.load(person.id);
    return maySeeContactDetails(ctx.viewer, person, access) && secretPhoneNumber.holds(ctx.viewer, person, access);
  }
}
