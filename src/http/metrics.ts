import { timingSafeEqual, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Orm } from '../db/orm';
import { poolStats } from '../db/pool-stats';
import { ErrorCode } from '../errors';
import type { RequestInfo } from '../log';
import { jobQueueCounts } from '../stores/health.store';
import { sendJsonError } from './json-errors';
import type { NoticeBus, NoticeWakeUp } from '../subscriptions/bus';

/** A label value from the outside world (a client names its operations): well-formed, and at most this many distinct ones. */
const MAX_LABEL_VALUES = 200;
const LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function boundedLabel(limit = MAX_LABEL_VALUES) {
  const seen = new Set<string>();
  return (value: string | undefined, fallback: string): string => {
    if (!value) return fallback;
    if (!LABEL.test(value)) return 'other';
    if (seen.has(value)) return value;
    if (seen.size >= limit) return 'other';
    seen.add(value);
    return value;
  };
}

/** What a wake-up carries on the bus once instrumented: when it was published. */
type TimedWakeUp = NoticeWakeUp & { publishedAt?: number };

interface SocketContext {
  subscriptions: Record<string, unknown>;
}

/** Open sockets and their live operations, counted when scraped. */
function socketGauges(registry: Registry, sockets: ReadonlySet<SocketContext>): void {
  new Gauge({
    name: 'ifo_websocket_connections',
    help: 'Open graphql-ws connections (acknowledged) on this instance.',
    registers: [registry],
    collect() {
      this.set(sockets.size);
    },
  });
  new Gauge({
    name: 'ifo_websocket_operations',
    help: "Live operations (subscriptions) on this instance's websockets.",
    registers: [registry],
    collect() {
      let n = 0;
      for (const s of sockets) n += Object.keys(s.subscriptions).length;
      this.set(n);
    },
  });
}

/** The job queue's depth (src/stores/health.store.ts) and the connection pool (src/db/pool-stats.ts), read when scraped. */
function databaseGauges(registry: Registry, orm: Orm, jobQueueSchema: string): void {
  new Gauge({
    name: 'ifo_job_queue_jobs',
    help: 'Jobs in the job queue (pg-boss) by queue and state: created and retry are the depth, failed the failures kept.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await jobQueueCounts(orm.em.fork(), { schema: jobQueueSchema });
        for (const c of counts) this.set({ queue: c.queue, state: c.state }, c.count);
      } catch {
        // No job queue schema (yet) or no database: the series are simply absent; /readyz tells the rest.
      }
    },
  });
  new Gauge({
    name: 'ifo_db_pool_connections',
    help: 'Database connection pool of this instance: in use, idle, waiting acquires, and the maximum.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const p = poolStats(orm);
      if (!p) return;
      this.set({ state: 'used' }, p.used);
      this.set({ state: 'free' }, p.free);
      this.set({ state: 'pending' }, p.pending);
      this.set({ state: 'max' }, p.max);
    },
  });
}

/**
 * The server's Prometheus metrics (prom-client), one registry per server
 * instance. Label values a caller chooses (operation names, error codes) are
 * bounded, so a third party cannot blow up the series count.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly sockets = new Set<SocketContext>();
  private readonly operationLabel = boundedLabel();
  private readonly codeLabel = boundedLabel(100);
  readonly requestDuration: Histogram<'operation' | 'status'>;
  readonly errors: Counter<'code'>;
  readonly fanOutDelay: Histogram;

  constructor(deps: { orm: Orm; jobQueueSchema?: string }) {
    const registry = this.registry;
    // The event-loop lag is sampled every 50 ms, not prom-client's default 10: each sample wakes the process, and 100
    // wake-ups a second cost an idle server 4-5 ms of CPU a second on this machine kind (20 a second: 1.2 ms).
    collectDefaultMetrics({ register: registry, prefix: 'ifo_', eventLoopMonitoringPrecision: 50 });
    this.requestDuration = new Histogram({
      name: 'ifo_graphql_request_duration_seconds',
      help: 'GraphQL requests over HTTP by operation name and HTTP status: _count is the request rate, the buckets their duration.',
      labelNames: ['operation', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'ifo_graphql_errors_total',
      help: 'GraphQL errors answered, by extensions.code (HTTP and websocket).',
      labelNames: ['code'],
      registers: [registry],
    });
    this.fanOutDelay = new Histogram({
      name: 'ifo_notice_fanout_delay_seconds',
      help: 'From a notice wake-up being published (after its commit) to it reaching a subscription on this instance, across instances through Redis.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    socketGauges(registry, this.sockets);
    databaseGauges(registry, deps.orm, deps.jobQueueSchema ?? 'pgboss');
  }

  /** The request-log middleware's `onFinished`: GraphQL requests over HTTP. */
  readonly onRequestFinished = (
    info: RequestInfo,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    durationMs: number,
  ): void => {
    const path = ((req as Request).originalUrl ?? req.url ?? '').split('?')[0];
    if (path !== '/graphql' || req.method === 'OPTIONS') return;
    // A browser's page request for the IDE is not a GraphQL request.
    if (!info.operationName && res.getHeader('content-type')?.toString().startsWith('text/html')) return;
    this.requestDuration.observe(
      { operation: this.operationLabel(info.operationName, 'none'), status: String(res.statusCode) },
      durationMs / 1000,
    );
    for (const code of info.errorCodes ?? []) this.countError(code);
  };

  countError(code: string | undefined): void {
    this.errors.inc({ code: this.codeLabel(code, 'UNKNOWN') });
  }

  socketOpened(ctx: SocketContext): void {
    this.sockets.add(ctx);
  }

  socketClosed(ctx: SocketContext): void {
    this.sockets.delete(ctx);
  }

  /**
   * Stamps each wake-up with its publish time and times its arrival at this
   * instance's subscriptions. The bus is shared with the runtime (its notice
   * pipeline publishes), so it is instrumented in place, once.
   */
  instrumentBus(bus: NoticeBus | undefined): void {
    if (!bus) return;
    const marked = bus as NoticeBus & { __metrics?: Metrics[] };
    if (marked.__metrics) {
      marked.__metrics.push(this);
      return;
    }
    const all = (marked.__metrics = [this]);
    const publish = bus.publish.bind(bus);
    const subscribe = bus.subscribe.bind(bus);
    bus.publish = (topic, wakeUp) => publish(topic, { ...wakeUp, publishedAt: Date.now() } as TimedWakeUp);
    bus.subscribe = (topic) => {
      const source = subscribe(topic);
      const timed: AsyncIterableIterator<NoticeWakeUp> = {
        async next() {
          const r = await source.next();
          const at = (r.value as TimedWakeUp | undefined)?.publishedAt;
          if (!r.done && typeof at === 'number')
            for (const m of all) m.fanOutDelay.observe(Math.max(0, Date.now() - at) / 1000);
          return r;
        },
        return: source.return ? (v?: unknown) => source.return!(v) : undefined,
        throw: source.throw ? (e?: unknown) => source.throw!(e) : undefined,
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      return timed;
    };
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function metricsHandler(metrics: Metrics, token: string | undefined): RequestHandler {
  return async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (token) {
      const auth = req.get('authorization') ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!given || !sameSecret(given, token)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        sendJsonError(res, ErrorCode.UNAUTHENTICATED, 'The metrics need the bearer token set as METRICS_TOKEN.');
        return;
      }
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.end(await metrics.registry.metrics());
  };
}

/**
 * GET /metrics on the API's port: only with METRICS_TOKEN (a bearer token),
 * or without one outside production. Otherwise (METRICS_PORT, or production
 * without a token) it is not there: 404 like any unknown path.
 */
export function metricsRoutes(metrics: Metrics, opts: { token?: string; port?: number; production: boolean }): Router {
  const router = express.Router();
  const onApiPort = opts.token !== undefined || (opts.port === undefined && !opts.production);
  if (onApiPort) router.get('/metrics', metricsHandler(metrics, opts.token));
  return router;
}

/** METRICS_PORT: /metrics alone on its own port (reach it only from the monitoring network), with METRICS_TOKEN too when set. */
export async function startMetricsServer(
  metrics: Metrics,
  opts: { port: number; host: string; token?: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics, opts.token));
  app.use((_req, res) => sendJsonError(res, ErrorCode.NOT_FOUND, 'Not found. The metrics are at /metrics.'));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
