/**
 * Typed client for the staff UI (caseworkers, executors, administrators).
 * Operations live in ../operations/*.graphql; `npm run codegen` turns them
 * into the typed documents exported here.
 */
import { createApiClient, type ApiClient, type ApiClientOptions } from '../../shared/create-client';

export * from './generated/graphql';
export type { ApiClient, ApiClientOptions };

export function createStaffClient(opts: ApiClientOptions): ApiClient {
  return createApiClient(opts);
}
