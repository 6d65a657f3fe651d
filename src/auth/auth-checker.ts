import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import type { Context } from '../context';
import { forbidden, unauthenticated } from '../errors';
import { hasRole, type AuthRole } from './viewer';

const describe: Record<string, string> = {
  STAFF: 'staff',
  CITIZEN: 'citizens',
  CASEWORKER: 'caseworkers',
  EXECUTOR: 'executors',
  ADMIN: 'system administrators',
};

/** Coarse role check for `@Authorized(...)`; relationship rules live in src/domain. */
export class AuthChecker implements AuthCheckerInterface<Context, AuthRole> {
  check({ context, info }: ResolverData<Context>, roles: AuthRole[]): boolean {
    const viewer = context.viewer;
    if (!viewer) throw context.authFailure ?? unauthenticated();
    if (hasRole(viewer, roles)) return true;
    throw forbidden(`"${info.fieldName}" is only for ${roles.map((r) => describe[r] ?? r).join(' or ')}.`);
  }
}
