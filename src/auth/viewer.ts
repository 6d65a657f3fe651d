import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';
import { AppError, ErrorCode, unauthenticated } from '../errors';
import { staffAccountsByUsername } from '../stores/account.store';
import type { Principal } from './tokens';

/** The signed-in caller, looked up once per request (or per websocket connection). */
export type Viewer = StaffViewer | CitizenViewer;
export interface StaffViewer {
  kind: 'staff';
  staff: Staff;
  role: StaffRole;
}
export interface CitizenViewer {
  kind: 'citizen';
  person: Person;
}

/** Coarse roles used by `@Authorized(...)`: a staff role, or STAFF / CITIZEN for any of a kind. */
export type AuthRole = StaffRole | 'STAFF' | 'CITIZEN';

export async function resolveViewer(em: EntityManager, principal: Principal): Promise<Viewer> {
  if (principal.kind === 'staff') {
    // One plain statement, then the row made the request's managed entity (writes use it): MikroORM's findOne built
    // and compiled a query for it on every request (7 % of an inbox page's CPU).
    const [row] = await staffAccountsByUsername(em, { usernames: [principal.username] });
    return staffViewer(row ? em.map(Staff, row) : null);
  }
  const person = await em.findOne(Person, { personnummer: principal.personnummer });
  if (!person) {
    throw new AppError(
      ErrorCode.E_SERVICE_NOT_ACTIVATED,
      'The e-service has not been activated for you. Ask your caseworker at the social services to activate it.',
    );
  }
  return { kind: 'citizen', person };
}

/** A staff member acts only while registered and active (bearer tokens and browser sessions alike). */
export function staffViewer(staff: Staff | null): StaffViewer {
  if (!staff || !staff.active) {
    throw unauthenticated(
      'Your staff account is not registered in the e-service or has been disabled. Ask your system administrator.',
    );
  }
  return { kind: 'staff', staff, role: staff.role };
}

export function hasRole(viewer: Viewer, roles: readonly AuthRole[]): boolean {
  if (roles.length === 0) return true;
  if (viewer.kind === 'citizen') return roles.includes('CITIZEN');
  return roles.includes('STAFF') || roles.includes(viewer.role);
}
