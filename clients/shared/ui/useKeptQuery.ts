import { useRef } from 'react';
import { useQuery, type AnyVariables, type UseQueryArgs, type UseQueryResponse } from 'urql';

/**
 * useQuery that keeps showing the last data it had for the same variables
 * when a refetch fails (session ended, network down): the page stays, with
 * whatever the person was typing, and the failure is shown beside it rather
 * than instead of it.
 */
export function useKeptQuery<Data, Variables extends AnyVariables = AnyVariables>(
  args: UseQueryArgs<Variables, Data>,
): UseQueryResponse<Data, Variables> {
  const [result, reexecute] = useQuery<Data, Variables>(args);
  const kept = useRef<{ key: string; data: Data }>(undefined);
  const key = JSON.stringify(args.variables ?? {});
  if (result.data) kept.current = { key, data: result.data };
  const data = result.data ?? (kept.current?.key === key ? kept.current.data : undefined);
  return [{ ...result, data }, reexecute];
}
