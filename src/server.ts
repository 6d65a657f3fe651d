import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Request } from 'express';
import { GraphQLError, Kind, parse, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { OidcRelyingParty } from './auth/oidc';
import { authenticateCredential, requestCredential } from './auth/request-credential';
import { SessionStore } from './auth/session';
import type { TokenVerifier } from './auth/tokens';
import type { Config } from './config';
import { createContext, type Context } from './context';
import type { Orm } from './db/orm';
import { ErrorCode, formatError, httpExtension, unauthenticated } from './errors';
import type { EventSink } from './domain/notices';
import { attachmentRoutes } from './http/attachments';
import { accessLogExportRoutes } from './http/access-log-export';
import { webUiRoutes } from './http/web-ui';
import { authRoutes } from './http/auth-routes';
import { noteViewer, requestLogging } from './http/request-log';
import { healthRoutes } from './http/readiness';
import { Metrics, metricsRoutes, startMetricsServer } from './http/metrics';
import { graphiqlRoutes } from './http/graphiql';
import { TrustedDocuments, trustedDocumentsMiddleware, trustedWebSocketDocument } from './http/trusted-documents';
import { sendJsonError } from './http/json-errors';
import { bearer } from './auth/authenticate';
import { ShutdownGate } from './http/shutdown-gate';
import { admitSocketsAtRate } from './subscriptions/admission';
import { observabilityPlugin } from './http/observability';
import { PostgresBlobStore, type BlobStore } from './storage/blob-store';
import type { NoticeBus } from './subscriptions/bus';
import { WebSocketAuth, type SocketAuth } from './subscriptions/ws-auth';
import type PgBoss from 'pg-boss';
import { log, requestStore } from './log';
import { getSchema } from './schema';
import { findNul, inputGuardPlugin, nulError, nulInDocument } from './input-guard';
import { createArmor } from './security';

export interface ServerDeps {
  config: Config;
  orm: Orm;
  verifier: TokenVerifier;
  /** Where committed domain events go (notices, notification jobs); none by default. */
  sink?: EventSink;
  /** Realtime notice fan-out for subscriptions. */
  bus?: NoticeBus;
  boss?: PgBoss;
  blobStore?: BlobStore;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The metrics' own port (METRICS_PORT), when set. */
  metricsPort?: number;
  httpServer: http.Server;
  /**
   * First step of a shutdown: new requests and websockets are answered 503 with
   * Retry-After from now on; resolves true once the requests in flight have
   * answered, false when `graceMs` ran out first.
   */
  drain(graceMs: number): Promise<boolean>;
  /** Stop accepting, finish in-flight requests, close websockets with 1001. */
  close(): Promise<void>;
}

/** Fields anyone may ask for without a token: the schema is public. */
const PUBLIC_ROOT_FIELDS = new Set(['__typename', '__schema', '__type']);

function needsViewer(operation: OperationDefinitionNode | undefined | null): boolean {
  if (!operation) return true;
  return operation.selectionSet.selections.some((s) => s.kind !== Kind.FIELD || !PUBLIC_ROOT_FIELDS.has(s.name.value));
}

/** Refuses operations that need a caller when there is none, before anything executes. */
const requireViewerPlugin: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operation }) {
        if (contextValue.viewer || !needsViewer(operation)) return;
        const failure = contextValue.authFailure ?? unauthenticated();
        const code = failure.extensions.code as ErrorCode;
        throw new GraphQLError(failure.message, { extensions: { code, ...httpExtension(code) } });
      },
    };
  },
};

/**
 * Document errors on the websocket, shaped as Apollo shapes them over HTTP:
 * a code, and no "Did you mean" hints that would map a hidden schema.
 */
function refusal(
  errors: readonly GraphQLError[],
  code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED',
): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message.replace(/ ?Did you mean(.+?)\?$/, ''), {
        source: e.source,
        positions: e.positions,
        extensions: { ...e.extensions, code },
      }),
  );
}

/** Live operations one websocket may hold at once. */
export const MAX_OPERATIONS_PER_SOCKET = 20;

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, orm } = deps;
  const schema = await getSchema();
  const armor = createArmor(config.limits);
  const app = express();
  // The web UIs' operations (codegen's persisted-documents manifests): required where browser sessions are held to them.
  let trustedDocuments: TrustedDocuments;
  try {
    trustedDocuments = TrustedDocuments.load();
  } catch (err) {
    if (config.enforceTrustedDocuments)
      throw new Error(
        `The web UIs' trusted documents could not be read (run npm run codegen): ${(err as Error).message}`,
      );
    log.warn('no trusted documents: the web UIs will not work until npm run codegen has run', { err });
    trustedDocuments = TrustedDocuments.empty();
  }
  const trusted = {
    documents: trustedDocuments,
    enforce: config.enforceTrustedDocuments,
    maxTokens: config.limits.maxTokens,
  };
  const blobStore: BlobStore = deps.blobStore ?? new PostgresBlobStore();
  app.disable('x-powered-by');
  // Prometheus metrics (src/http/metrics.ts): GET /metrics behind METRICS_TOKEN, or on METRICS_PORT.
  const metrics = new Metrics({ orm });
  metrics.instrumentBus(deps.bus);
  // Request id, the per-request store and one log line per request (pino-http): src/http/request-log.ts.
  app.use(requestLogging({ trustProxyRequestId: config.trustProxyRequestId, onFinished: metrics.onRequestFinished }));
  // Shutdown: once draining, new requests get 503 + Retry-After; those in flight finish (src/http/shutdown-gate.ts).
  const gate = new ShutdownGate({ exempt: (req) => req.path === '/healthz' || req.path === '/readyz' });
  app.use(gate.middleware);
  const httpServer = http.createServer(app);
  // Browser sign-in (backend-for-frontend): server-side sessions behind an HttpOnly cookie.
  const sessions = new SessionStore(config.session);
  const credentials = { verifier: deps.verifier, sessions };

  // --- websocket (graphql-ws) on the same port and path -------------------------------------
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: 1024 * 1024,
    // No new sockets while shutting down (503 + Retry-After).
    verifyClient: (info, done) => {
      const admitted = gate.admitsUpgrade(info.req);
      if (admitted.ok) done(true);
      else done(false, admitted.status, admitted.message, admitted.headers);
    },
  });
  // At most WS_ADMISSION_RATE new sockets a second; one over it is closed with 1013 before it signs in (src/subscriptions/admission.ts).
  admitSocketsAtRate(wss, config.wsAdmission);
  const wsValidationRules = [...specifiedRules, ...armor.validationRules];
  // The caller of each socket, re-checked for every operation and event (src/subscriptions/ws-auth.ts).
  const wsAuth = new WebSocketAuth({
    orm,
    verifier: deps.verifier,
    leewaySeconds: config.auth.clockToleranceSeconds,
    bus: deps.bus,
    sessions,
    config,
  });
  type WsExtra = { auth?: SocketAuth };
  const wsServer = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const auth = await wsAuth.connect(ctx.connectionParams, ctx.extra.socket, ctx.extra.request);
        if (!auth) return false; // 4403 Forbidden
        ctx.extra.auth = auth;
        metrics.socketOpened(ctx);
        return true;
      },
      onClose: (ctx) => {
        metrics.socketClosed(ctx);
        ctx.extra.auth?.end();
      },
      onSubscribe: async (ctx, _id, payload) => {
        // One socket may not hold an unbounded number of live operations (each keeps a stream open).
        // graphql-ws has already registered this id, and drops an id the moment the client's Complete
        // message arrives (its stream winds down after that), so a completed operation frees its place at once.
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET) {
          return [
            new GraphQLError(
              `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run at once on one connection. Complete one first.`,
              {
                extensions: { code: ErrorCode.BAD_USER_INPUT },
              },
            ),
          ];
        }
        // A browser session's socket runs only the web UIs' documents (in production); a hash names one of them.
        const session = !bearer(
          ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization ?? ctx.connectionParams?.token,
        );
        const chosen = trustedWebSocketDocument(trusted, session, payload);
        if ('refused' in chosen) {
          const message =
            chosen.refused === 'PERSISTED_QUERY_NOT_FOUND'
              ? 'This server does not know the document the operation names (an older or newer page?). Reload the page.'
              : "A browser session may run only the operations of this service's own pages. To send your own documents, connect with a bearer token.";
          return [new GraphQLError(message, { extensions: { code: chosen.refused } })];
        }
        let document;
        try {
          document = parse(chosen.query, { maxTokens: config.limits.maxTokens });
        } catch (err) {
          return refusal(
            [err instanceof GraphQLError ? err : new GraphQLError('The document could not be parsed.')],
            'GRAPHQL_PARSE_FAILED',
          );
        }
        const errors = validate(schema, document, wsValidationRules, { hideSuggestions: true });
        if (errors.length) return refusal(errors, 'GRAPHQL_VALIDATION_FAILED');
        const nulAt = findNul(payload.variables ?? {}) ?? (nulInDocument(document) ? 'the document' : undefined);
        if (nulAt) return [nulError(nulAt)];
        // Never the rights the socket opened with: the caller as they are now (closed with 4403 if no longer allowed).
        const auth = ctx.extra.auth!;
        const em = orm.em.fork() as Context['em'];
        let viewer;
        try {
          viewer = await auth.forOperation(em);
        } catch (err) {
          // The lookup itself failed (e.g. the database is unreachable): this operation fails, the socket stays (a throw here would close it with 4500).
          const requestId = randomUUID();
          log.error('unexpected error', { err, requestId });
          return [
            new GraphQLError(
              `Something went wrong on our side. Try again; if it keeps happening, contact support and quote request id ${requestId}.`,
              { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } },
            ),
          ];
        }
        if (!viewer) return [unauthenticated('Your sign-in is no longer valid. Sign in again and reconnect.')];
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          // No "Did you mean" in variable errors either, as over HTTP (Apollo's hideSchemaDetailsFromClientErrors).
          hideSuggestions: true,
          contextValue: createContext({
            requestId: randomUUID(),
            em,
            viewer,
            authFailure: null,
            revalidate: () => auth.forEvent(),
            sink: deps.sink,
            blobStore,
            bus: deps.bus,
            boss: deps.boss,
            retention: config.retention,
          }),
        };
      },
      // Results carry the same masking as over HTTP: no SQL or stack reaches a socket.
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const requestId = (args.contextValue as Context).requestId;
        return {
          ...result,
          errors: result.errors.map((err) => {
            // Field errors have a path; graphql-js request errors (variable coercion, unknown operation) do not: the caller's input.
            const formatted = err.toJSON();
            const code = err.extensions?.code ?? (err.path ? undefined : ErrorCode.BAD_USER_INPUT);
            metrics.countError(typeof code === 'string' ? code : ErrorCode.INTERNAL_SERVER_ERROR);
            return formatError(
              { ...formatted, extensions: { ...formatted.extensions, ...(code ? { code } : {}) } },
              err,
              {
                requestId,
                exposeDetails: !config.production,
                log: (e) => log.error('unexpected error', { err: e, requestId }),
              },
            );
          }),
        };
      },
    },
    wss,
  );

  // --- HTTP (Apollo) --------------------------------------------------------------------------
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: config.limits.maxTokens },
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Apollo's automatic persisted queries would let anyone register a document: the UIs' trusted documents replace them.
    persistedQueries: false,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT: it closes websockets first, then HTTP, then the database.
    stopOnTerminationSignals: false,
    validationRules: armor.validationRules,
    formatError: (formatted, error) =>
      formatError(formatted, error, {
        requestId: requestStore.getStore()?.requestId,
        exposeDetails: !config.production,
        log: (err) => log.error('unexpected error', { err }),
      }),
    plugins: [
      ...armor.plugins,
      requireViewerPlugin,
      observabilityPlugin,
      inputGuardPlugin,
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Never Apollo's landing page: it loads Sandbox from Apollo's CDN with telemetry. GraphiQL is served from here (src/http/graphiql.ts).
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  // /healthz (alive) and /readyz (database, migrations, not shutting down): src/http/readiness.ts.
  app.use(healthRoutes({ orm }));

  if (config.graphqlIde) app.use(graphiqlRoutes());
  app.use('/graphql', (_req, res, next) => {
    // The request id (a client must not choose the one that goes into the access log; a trusted proxy may) is set by requestLogging.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/graphql', express.json({ limit: '1mb' }));
  app.use(
    '/graphql',
    trustedDocumentsMiddleware({
      ...trusted,
      isSession: (req) => requestCredential(req.headers, config).kind === 'session',
    }),
  );
  app.use(
    '/graphql',
    expressMiddleware(apollo, {
      context: async ({ req }: { req: Request }) => {
        const em = orm.em.fork() as Context['em'];
        const requestId = requestStore.getStore()?.requestId ?? randomUUID();
        // A bearer token (APIs, scripts) or the browser's session cookie; Apollo's CSRF prevention guards cookie POSTs.
        const { viewer, authFailure } = await authenticateCredential(
          credentials,
          em,
          requestCredential(req.headers, config),
        );
        noteViewer(viewer);
        return createContext({
          requestId,
          em,
          viewer,
          authFailure,
          sink: deps.sink,
          blobStore,
          bus: deps.bus,
          boss: deps.boss,
          retention: config.retention,
        });
      },
    }),
  );

  app.use(
    authRoutes({
      config,
      orm,
      sessions,
      oidc: config.auth.mode === 'oidc' ? new OidcRelyingParty(config) : undefined,
      bus: deps.bus,
    }),
  );
  app.use(attachmentRoutes({ orm, verifier: deps.verifier, sessions, config, store: blobStore }));
  app.use(accessLogExportRoutes({ orm, verifier: deps.verifier, sessions, config }));

  app.use(webUiRoutes({ authMode: config.auth.mode })); // the web UIs at / and /staff/; API paths fall through to the JSON 404 below

  app.use(metricsRoutes(metrics, { ...config.metrics, production: config.production }));

  app.use((_req, res) => {
    sendJsonError(res, ErrorCode.NOT_FOUND, 'Not found. The API is at /graphql.');
  });
  // Body-parser and other middleware errors: JSON, never Express's HTML page or a stack.
  const jsonErrors: ErrorRequestHandler = (err, _req, res, _next) => {
    // The body reader's status (400, or 413 for a body over the limit) under the code BAD_REQUEST; anything else is a bug.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : undefined;
    const message =
      err?.type === 'entity.too.large'
        ? 'The request body is larger than 1 MB. Send a smaller document; upload files separately.'
        : err?.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : status
            ? 'The request could not be read.'
            : 'Something went wrong on our side.';
    if (!status) log.error('http error', { err });
    sendJsonError(res, status ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_SERVER_ERROR, message, {}, status);
  };
  app.use(jsonErrors);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const metricsServer =
    config.metrics.port !== undefined
      ? await startMetricsServer(metrics, { port: config.metrics.port, host: config.host, token: config.metrics.token })
      : undefined;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    metricsPort: metricsServer?.port,
    httpServer,
    drain: (graceMs) => gate.close(graceMs),
    close() {
      closing ??= (async () => {
        // graphql-ws closes every socket with 1001 (going away); Apollo then drains in-flight HTTP requests.
        wsAuth.close();
        await wsServer.dispose();
        await apollo.stop();
        await metricsServer?.close();
      })();
      return closing;
    },
  };
}
