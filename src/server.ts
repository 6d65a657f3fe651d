import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import express, { type Express } from 'express';
import { specifiedRules } from 'graphql';
import type PgBoss from 'pg-boss';
import { OidcRelyingParty } from './auth/oidc';
import { SessionStore } from './auth/session';
import type { TokenVerifier } from './auth/tokens';
import type { Config } from './config';
import type { Context, ContextServices } from './context';
import type { Orm } from './db/orm';
import type { EventSink } from './domain/notices';
import { accessLogExportRoutes } from './http/access-log-export';
import { createApollo } from './http/apollo';
import { attachmentRoutes } from './http/attachments';
import { authRoutes } from './http/auth-routes';
import { graphiqlRoutes } from './http/graphiql';
import { graphqlRoute } from './http/graphql-route';
import { jsonErrorHandler, notFoundHandler } from './http/json-errors';
import { Metrics, metricsRoutes, startMetricsServer } from './http/metrics';
import { healthRoutes } from './http/readiness';
import { requestId } from './http/request-id';
import { requestLogging } from './http/request-log';
import { ShutdownGate } from './http/shutdown-gate';
import { loadTrustedDocuments, type TrustedDocumentsOptions } from './http/trusted-documents';
import { webUiRoutes } from './http/web-ui';
import { startWebSocketServer } from './http/websocket-server';
import { getSchema } from './schema';
import { createArmor } from './security';
import { PostgresBlobStore, type BlobStore } from './storage/blob-store';
import type { NoticeBus } from './subscriptions/bus';

/** Live operations one websocket may hold at once (src/http/websocket-operation.ts). */
export { MAX_OPERATIONS_PER_SOCKET } from './http/websocket-operation';

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

/** What the routes are built from, made once per server. */
interface Parts {
  deps: ServerDeps;
  sessions: SessionStore;
  blobStore: BlobStore;
  metrics: Metrics;
  apollo: ApolloServer<Context>;
  trusted: TrustedDocumentsOptions;
  services: ContextServices;
}

/** The HTTP routes after the per-request middleware, in the order they answer; JSON 404 and JSON errors last. */
function mountRoutes(app: Express, parts: Parts): void {
  const { deps, sessions, metrics } = parts;
  const { config, orm, verifier } = deps;
  // /healthz (alive) and /readyz (database, migrations, not shutting down): src/http/readiness.ts.
  app.use(healthRoutes({ orm }));
  if (config.graphqlIde) app.use(graphiqlRoutes());
  app.use(graphqlRoute({ ...parts, config, orm, verifier }));
  const oidc = config.auth.mode === 'oidc' ? new OidcRelyingParty(config) : undefined;
  app.use(authRoutes({ config, orm, sessions, oidc, bus: deps.bus }));
  app.use(attachmentRoutes({ orm, verifier, sessions, config, store: parts.blobStore }));
  app.use(accessLogExportRoutes({ orm, verifier, sessions, config }));
  app.use(webUiRoutes({ authMode: config.auth.mode })); // the web UIs at / and /staff/; API paths fall through to the JSON 404 below
  app.use(metricsRoutes(metrics, { ...config.metrics, production: config.production }));
  app.use(notFoundHandler);
  app.use(jsonErrorHandler);
}

async function listen(httpServer: http.Server, config: Config): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  return (httpServer.address() as AddressInfo).port;
}

/**
 * The API on one port: GraphQL over HTTP (Apollo) and over the websocket
 * (graphql-ws) at /graphql, the browser sign-in, files, health, metrics and
 * the web UIs. Each concern lives in its module under src/http/; this wires them.
 */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { config, orm } = deps;
  const schema = await getSchema();
  const armor = createArmor(config.limits);
  const trusted = loadTrustedDocuments(config);
  const blobStore: BlobStore = deps.blobStore ?? new PostgresBlobStore();
  // What every request's context gets, over HTTP and the websocket alike.
  const services: ContextServices = {
    sink: deps.sink,
    blobStore,
    bus: deps.bus,
    boss: deps.boss,
    retention: config.retention,
  };
  // Prometheus metrics (src/http/metrics.ts): GET /metrics behind METRICS_TOKEN, or on METRICS_PORT.
  const metrics = new Metrics({ orm });
  metrics.instrumentBus(deps.bus);
  // Shutdown: once draining, new requests get 503 + Retry-After; those in flight finish.
  const gate = new ShutdownGate({ exempt: (req) => req.path === '/healthz' || req.path === '/readyz' });
  // Browser sign-in (backend-for-frontend): server-side sessions behind an HttpOnly cookie.
  const sessions = new SessionStore(config.session);

  const app = express();
  app.disable('x-powered-by');
  app.use(requestId({ trustProxyRequestId: config.trustProxyRequestId }));
  app.use(requestLogging({ onFinished: metrics.onRequestFinished }));
  app.use(gate.middleware);
  const httpServer = http.createServer(app);
  const validationRules = [...specifiedRules, ...armor.validationRules];
  const socketDeps = { ...deps, schema, trusted, services, validationRules, httpServer, gate, metrics, sessions };
  const sockets = startWebSocketServer(socketDeps);
  const apollo = createApollo({ schema, config, armor, httpServer });
  await apollo.start();
  mountRoutes(app, { deps, sessions, blobStore, metrics, apollo, trusted, services });

  const port = await listen(httpServer, config);
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
        await sockets.close();
        await apollo.stop();
        await metricsServer?.close();
      })();
      return closing;
    },
  };
}
