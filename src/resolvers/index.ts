import { AccessLogResolver } from './access-log.resolver';
import { AssignmentResolver, CaseResolver, RelationResolver } from './case.resolver';
import { CitizenResolver } from './citizen.resolver';
import { PersonResolver } from './person.resolver';
import { SharedMailboxResolver, StaffResolver, UnitResolver } from './staff.resolver';

export const resolvers = [
  PersonResolver,
  CaseResolver,
  RelationResolver,
  AssignmentResolver,
  StaffResolver,
  UnitResolver,
  SharedMailboxResolver,
  CitizenResolver,
  AccessLogResolver,
] as const;
