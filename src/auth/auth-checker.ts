import { Authorized as untypedAuthorized, type AuthCheckerInterface, type ResolverData } from 'type-graphql';
import type { Context } from '../context';
import { StaffRole } from '../entities/staff';
import { forbidden, unauthenticated } from '../errors';
import { hasRole, type AuthRole } from './viewer';

/**
 * The roles `@Authorized(...)` takes, written one way (`Role.ADMIN`): a staff
 * role, or STAFF / CITIZEN for anyone of that kind.
 */
export const Role = { ...StaffRole, STAFF: 'STAFF', CITIZEN: 'CITIZEN' } as const satisfies Record<string, AuthRole>;

/**
 * type-graphql's `@Authorized`, typed to our roles so a misspelt role does not
 * compile. Resolvers import this one, not type-graphql's. With no role: any
 * signed-in caller.
 */
export const Authorized = (...roles: AuthRole[]) => untypedAuthorized<AuthRole>(...roles);

const describe: Record<AuthRole, string> = {
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
