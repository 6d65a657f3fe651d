import { useQuery } from 'urql';
import { StaffMeDocument, type StaffRole } from '../../../src/generated/graphql';

/** The signed-in staff member's role (from the query the shell already made), undefined until known. */
export function useRole(): StaffRole | undefined {
  const [{ data }] = useQuery({ query: StaffMeDocument });
  return data?.staffMe.role;
}
