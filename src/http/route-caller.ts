import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import { authenticateCredential, requestCredential, type Credential } from '../auth/request-credential';
import type { SessionStore } from '../auth/session';
import type { TokenVerifier } from '../auth/tokens';
import type { Viewer } from '../auth/viewer';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { noteViewer } from './request-log';

/** What the HTTP routes outside GraphQL (files, exports) need to know who calls. */
export interface RouteCallerDeps {
  orm: Orm;
  verifier: TokenVerifier;
  sessions: SessionStore;
  config: Config;
}

/** The request's credential: a bearer token (APIs, scripts) or the browser's session cookie. */
export const routeCredential = (req: Request, deps: Pick<RouteCallerDeps, 'config'>): Credential =>
  requestCredential(req.headers, deps.config);

/**
 * The caller of a route, with a fresh EntityManager for the request; throws
 * the authentication failure (401) when there is none. The caller is noted
 * for the request's log line, as GraphQL requests note theirs.
 */
export async function signedInCaller(
  deps: RouteCallerDeps,
  credential: Credential,
): Promise<{ em: EntityManager; viewer: Viewer }> {
  const em = deps.orm.em.fork();
  const { viewer, authFailure } = await authenticateCredential(deps, em, credential);
  if (!viewer) throw authFailure!;
  noteViewer(viewer);
  return { em, viewer };
}
