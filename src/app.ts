import { createTokenVerifier } from './auth/tokens';
import type { Config } from './config';
import type { EmbeddedDatabase } from './db/embedded';
import { seedDemoConversations, seedDemoData } from './db/demo-data';
import { initOrm, migrate, type Orm } from './db/orm';
import { markShuttingDown } from './http/readiness';
import { ensureWebBuild } from './http/web-build';
import { log } from './log';
import { startRuntime, type Runtime } from './runtime';
import { getSchema } from './schema';
import { startServer, type RunningServer } from './server';

/**
 * The server behind `npm start`, started after its database by main.ts (which loads this module while the
 * embedded PostgreSQL gets ready). Each part is recorded as it starts, so a shutdown stops what did.
 */
export interface Parts {
  embedded?: EmbeddedDatabase;
  orm?: Orm;
  runtime?: Runtime;
  server?: RunningServer;
}

/**
 * CPU work that needs no database (the GraphQL schema), put off to the next turn of the event loop: it runs while
 * the ORM's first connection is being made, instead of before it.
 */
function prepare(): void {
  // A failure surfaces where the schema is awaited (startServer); the cached promise keeps it.
  setImmediate(() => void getSchema().catch(() => undefined));
}

/**
 * The database is migrated first; then the demo data, the web UIs' build check, the token verifier and the
 * runtime (job queue, worker) start together (they do not depend on each other: issue 12 item 4), and the
 * server last.
 */
export async function startApp(config: Config, url: string, parts: Parts): Promise<void> {
  prepare();
  const orm = (parts.orm = await initOrm(url, {
    logSql: config.logSql,
    preparedStatements: config.preparedStatements,
  }));
  const applied = await migrate(orm);
  if (applied.length) log.info('migrations applied', { applied });
  const [verifier, runtime] = await allStarted([
    createTokenVerifier(config),
    startRuntime(config, orm, url).then((runtime) => (parts.runtime = runtime)),
    config.seedDemoData ? seedDemo(orm) : undefined,
    // The README's two commands stay the only set-up: the web UIs are built here when missing or stale.
    ensureWebBuild((m) => log.info(m)),
  ] as const);
  const { sink, bus, boss } = runtime;
  const server = (parts.server = await startServer({ config, orm, verifier, sink, bus, boss }));
  log.info('server ready', {
    graphql: server.url,
    websocket: server.url.replace(/^http/, 'ws'),
    health: server.url.replace(/graphql$/, 'healthz'),
    authMode: config.auth.mode,
  });
}

async function seedDemo(orm: Orm): Promise<void> {
  const seeded = await seedDemoData(orm.em.fork());
  await seedDemoConversations(orm.em.fork());
  log.info(seeded ? 'demo data loaded' : 'demo data already present');
}

/** Like Promise.all, but a failure is thrown only once every step has ended, so what did start is in `parts`. */
async function allStarted<T extends readonly unknown[]>(
  steps: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/**
 * SIGTERM/SIGINT: stop taking work (503 with Retry-After
 * for new requests and sockets), let requests in flight finish within the
 * grace period (SHUTDOWN_GRACE_SECONDS), close websockets with 1001, stop
 * the worker and the job queue (jobs under way finish), close the pool, and
 * stop the embedded PostgreSQL last. The database outlives everything that
 * uses it, so nothing acknowledged is lost and nothing is half written.
 * Resolves with the exit code.
 */
export async function stopApp(config: Config, parts: Parts, signal: string): Promise<number> {
  markShuttingDown(); // /readyz answers 503 from now on: load balancers stop sending here
  log.info('shutting down', { signal, graceSeconds: config.shutdownGraceMs / 1000 });
  const deadline = Date.now() + config.shutdownGraceMs;
  let code = 0;
  try {
    const drained = await parts.server?.drain(config.shutdownGraceMs);
    if (drained === false)
      log.warn('grace period over with requests still running; stopping anyway', {
        graceSeconds: config.shutdownGraceMs / 1000,
      });
    else log.info('requests in flight finished');
    await parts.server?.close();
    log.info('http and websockets closed');
    await parts.runtime?.close({ graceMs: Math.max(0, deadline - Date.now()) });
    log.info('notice bus and job queue stopped');
    await parts.orm?.close();
    log.info('database connections closed');
  } catch (err) {
    log.error('shutdown failed', { err });
    code = 1;
  }
  // Last, whatever happened above: no PostgreSQL is left running.
  try {
    if (parts.embedded) {
      await parts.embedded.stop();
      log.info('embedded PostgreSQL stopped');
    }
  } catch (err) {
    log.error('stopping the embedded PostgreSQL failed', { err });
    code = 1;
  }
  return code;
}
