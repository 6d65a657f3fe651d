import type http from 'node:http';
import type { ExecutionArgs, ExecutionResult, GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { SessionStore } from '../auth/session';
import type { TokenVerifier } from '../auth/tokens';
import type { Context } from '../context';
import { ErrorCode, formatError } from '../errors';
import { log } from '../log';
import { admitSocketsAtRate } from '../subscriptions/admission';
import type { NoticeBus } from '../subscriptions/bus';
import { sharedSubscribe } from '../subscriptions/shared-execution';
import { WebSocketAuth } from '../subscriptions/ws-auth';
import type { Metrics } from './metrics';
import type { ShutdownGate } from './shutdown-gate';
import { prepareSocketOperation, type SocketExtra, type SocketOperationDeps } from './websocket-operation';

export interface WebSocketServerDeps extends SocketOperationDeps {
  httpServer: http.Server;
  gate: ShutdownGate;
  metrics: Metrics;
  verifier: TokenVerifier;
  sessions: SessionStore;
  bus?: NoticeBus;
}

/** Results carry the same masking as over HTTP: no SQL or stack reaches a socket. */
function maskResult(
  deps: Pick<WebSocketServerDeps, 'config' | 'metrics'>,
  args: ExecutionArgs,
  result: ExecutionResult,
) {
  if (!result.errors?.length) return undefined;
  const requestId = (args.contextValue as Context).requestId;
  const masked = (err: (typeof result.errors)[number]): GraphQLFormattedError => {
    // Field errors have a path; graphql-js request errors (variable coercion, unknown operation) do not: the caller's input.
    const formatted = err.toJSON();
    const code = err.extensions?.code ?? (err.path ? undefined : ErrorCode.BAD_USER_INPUT);
    deps.metrics.countError(typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR);
    return formatError({ ...formatted, extensions: { ...formatted.extensions, ...(code ? { code } : {}) } }, err, {
      requestId,
      exposeDetails: !deps.config.production,
      log: (e) => log.error('unexpected error', { err: e, requestId }),
    });
  };
  return { ...result, errors: result.errors.map(masked) };
}

/**
 * GraphQL over the websocket (graphql-ws) on the HTTP server's port and path
 * /graphql: admission (shutdown, rate), the socket's caller (src/subscriptions/ws-auth.ts),
 * every operation checked as over HTTP (./websocket-operation.ts), results masked.
 * `close()` closes every socket with 1001 (going away).
 */
export function startWebSocketServer(deps: WebSocketServerDeps): { close(): Promise<void> } {
  const { config, metrics } = deps;
  const wss = new WebSocketServer({
    server: deps.httpServer,
    path: '/graphql',
    maxPayload: 1024 * 1024,
    // No new sockets while shutting down (503 + Retry-After).
    verifyClient: (info, done) => {
      const admitted = deps.gate.admitsUpgrade(info.req);
      if (admitted.ok) done(true);
      else done(false, admitted.status, admitted.message, admitted.headers);
    },
  });
  // At most WS_ADMISSION_RATE new sockets a second; one over it is closed with 1013 before it signs in (src/subscriptions/admission.ts).
  admitSocketsAtRate(wss, config.wsAdmission);
  // The caller of each socket, re-checked for every operation and event (src/subscriptions/ws-auth.ts).
  const wsAuth = new WebSocketAuth({
    orm: deps.orm,
    verifier: deps.verifier,
    leewaySeconds: config.auth.clockToleranceSeconds,
    bus: deps.bus,
    sessions: deps.sessions,
    config,
  });
  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const auth = await wsAuth.connect(ctx.connectionParams, ctx.extra.socket, ctx.extra.request);
        if (!auth) return false; // 4403 Forbidden
        ctx.extra.auth = auth;
        // The upgrade request was needed only for the session cookie: not kept (with its headers) for the socket's life.
        Reflect.set(ctx.extra, 'request', undefined);
        metrics.socketOpened(ctx);
        return true;
      },
      onClose: (ctx) => {
        metrics.socketClosed(ctx);
        ctx.extra.auth?.end();
      },
      onSubscribe: prepareSocketOperation(deps),
      // One execution per event for the sockets that share it (src/subscriptions/shared-execution.ts).
      subscribe: sharedSubscribe,
      onNext: (_ctx, _id, _payload, args, result) => maskResult(deps, args, result),
    },
    wss,
  );
  return {
    async close() {
      wsAuth.close();
      await server.dispose();
    },
  };
}
