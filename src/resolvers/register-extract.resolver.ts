import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Authorized, Role } from '../auth/auth-checker';
import type { Context } from '../context';
import { RegisterExtractService } from '../domain/register-extract.service';
import { RegisterExtract, RegisterExtractStatus } from '../entities/register-extract';
import { unauthenticated } from '../errors';

const service = (ctx: Context) => {
  if (!ctx.viewer) throw ctx.authFailure ?? unauthenticated();
  return new RegisterExtractService(ctx.em, ctx.viewer, ctx.requestId);
};

@Resolver(() => RegisterExtract)
export class RegisterExtractResolver {
  @Authorized(Role.CITIZEN)
  @Mutation(() => RegisterExtract, {
    description:
      'Ask for a copy of everything the e-service holds about you (registerutdrag, GDPR art. 15). It is ' +
      'made in the background: when status is READY, download the ZIP once from downloadUrl.',
  })
  async requestRegisterExtract(@Ctx() ctx: Context) {
    return service(ctx).request(ctx.boss);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => RegisterExtract, {
    description:
      'Make a register extract for a person (administrators), e.g. to send it by post; downloadable once by ' +
      'you. Recorded in the access log (REGISTER_EXTRACT). Refusals: BAD_USER_INPUT (not a valid ' +
      'personnummer), NOT_FOUND (nobody with that personnummer).',
  })
  async requestRegisterExtractFor(
    @Arg('personnummer', { description: "The person's personnummer, in any common format." }) personnummer: string,
    @Ctx() ctx: Context,
  ) {
    return service(ctx).request(ctx.boss, personnummer);
  }

  @Authorized(Role.CITIZEN, Role.ADMIN)
  @Query(() => [RegisterExtract], { description: 'The register extracts you asked for, newest first (at most 50).' })
  async myRegisterExtracts(@Ctx() ctx: Context) {
    return service(ctx).mine();
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Where to download the ZIP (GET, with your bearer token or session) while status is READY; it can be downloaded once.',
  })
  downloadUrl(@Root() x: RegisterExtract): string | null {
    return x.status === RegisterExtractStatus.READY ? `/register-extracts/${x.id}` : null;
  }
}
