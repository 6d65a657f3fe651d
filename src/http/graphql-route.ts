import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type Router } from 'express';
import { authenticateCredential, requestCredential } from '../auth/request-credential';
import type { SessionStore } from '../auth/session';
import type { TokenVerifier } from '../auth/tokens';
import type { Config } from '../config';
import { createContext, type Context, type ContextServices } from '../context';
import type { Orm } from '../db/orm';
import { requestStore } from '../log';
import { noteViewer } from './request-log';
import { trustedDocumentsMiddleware, type TrustedDocumentsOptions } from './trusted-documents';

/**
 * POST/GET /graphql over HTTP: never cached, a JSON body of at most 1 MB, the
 * web UIs' trusted documents (./trusted-documents.ts), then Apollo with a
 * context per request (its own EntityManager, the caller, the request id).
 */
export function graphqlRoute(deps: {
  apollo: ApolloServer<Context>;
  config: Config;
  orm: Orm;
  verifier: TokenVerifier;
  sessions: SessionStore;
  trusted: TrustedDocumentsOptions;
  services: ContextServices;
}): Router {
  const { config } = deps;
  const router = express.Router();
  router.use('/graphql', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use('/graphql', express.json({ limit: '1mb' }));
  const isSession = (req: Request) => requestCredential(req.headers, config).kind === 'session';
  router.use('/graphql', trustedDocumentsMiddleware({ ...deps.trusted, isSession }));
  const context = async ({ req }: { req: Request }): Promise<Context> => {
    const em = deps.orm.em.fork();
    const requestId = requestStore.getStore()?.requestId ?? randomUUID();
    // A bearer token (APIs, scripts) or the browser's session cookie; Apollo's CSRF prevention guards cookie POSTs.
    const { viewer, authFailure } = await authenticateCredential(deps, em, requestCredential(req.headers, config));
    noteViewer(viewer);
    return createContext({ ...deps.services, requestId, em, viewer, authFailure });
  };
  router.use('/graphql', expressMiddleware(deps.apollo, { context }));
  return router;
}
