import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { CitizenService } from '../domain/citizen.service';
import { Person } from '../entities/person';
import { citizenOf } from './viewer';

@ObjectType({
  description: 'A caseworker the citizen can turn to: the responsible caseworker of one of their ongoing cases.',
})
class Contact {
  @Field(() => ID, { description: 'The case.' })
  caseId!: string;

  @Field({ description: 'Title of the case, e.g. "Ekonomiskt bistånd".' })
  caseTitle!: string;

  @Field({ description: "The caseworker's name." })
  caseworkerName!: string;

  @Field(() => String, { nullable: true, description: 'The caseworker\'s title, e.g. "Socialsekreterare".' })
  caseworkerTitle!: string | null;

  @Field({ description: 'The unit the caseworker works in.' })
  unitName!: string;

  @Field({ description: 'True when you are on the case as a relation of its case holder.' })
  asRelation!: boolean;

  @Field({
    description:
      'False when you are on the case as a relation who may only read its messages: you cannot write or ' +
      'reply (RELATION_READ_ONLY); ask the caseworker for write rights.',
  })
  canWrite!: boolean;
}

@InputType({
  description:
    'Your contact details and notification choices; leave a field out to keep it, send null or "" to clear a detail.',
})
class MyContactDetailsInput {
  @Field(() => String, { nullable: true, description: 'Swedish mobile number, any common format.' })
  mobile?: string | null;

  @Field(() => String, { nullable: true, description: 'E-mail address.' })
  email?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Be told by SMS when a message is waiting (never its content); needs a mobile number.',
  })
  notifyBySms?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Be told by e-mail when a message is waiting (never its content); needs an e-mail address.',
  })
  notifyByEmail?: boolean | null;
}

const service = (ctx: Context) => new CitizenService(ctx.em, citizenOf(ctx));

@Resolver()
export class CitizenResolver {
  @Authorized(Role.CITIZEN)
  @Query(() => Person, { description: 'The signed-in citizen: own profile and e-service settings.' })
  async me(@Ctx() ctx: Context) {
    return service(ctx).me();
  }

  @Authorized(Role.CITIZEN)
  @Query(() => [Contact], { description: 'The caseworkers on your ongoing cases.' })
  async myContacts(@Ctx() ctx: Context) {
    return service(ctx).contacts();
  }

  @Authorized(Role.CITIZEN)
  @Mutation(() => Person, {
    description:
      'Change your own mobile number, e-mail address and notification choices (Min profil). A notification ' +
      'you choose needs somewhere to go (BAD_USER_INPUT naming the field otherwise); nothing is written ' +
      'when refused.',
  })
  async updateMyContactDetails(
    @Arg('input', () => MyContactDetailsInput, { description: 'What to change.' }) input: MyContactDetailsInput,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).updateContactDetails(input);
  }
}
