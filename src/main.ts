import 'reflect-metadata';
import { createTokenVerifier } from './auth/tokens';
import { ConfigError, loadConfig } from './config';
import { ensureDatabase, startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded';
import { initOrm, migrate, type Orm } from './db/orm';
import { seedDemoConversations, seedDemoData } from './db/demo-data';
import { log } from './log';
import { startRuntime, type Runtime } from './runtime';
import { startServer, type RunningServer } from './server';
import { ensureWebBuild } from './http/web-build';
import { markShuttingDown } from './http/readiness';

/** `npm start`: the real server, on the embedded PostgreSQL unless DATABASE_URL is set. */
async function main() {
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let orm: Orm | undefined;
  let server: RunningServer | undefined;
  let runtime: Runtime | undefined;

  let stopping = false;
  let started = false;
  let stopRequested: string | undefined;
  /**
   * SIGTERM/SIGINT (issue 12, item 5): stop taking work (503 with Retry-After
   * for new requests and sockets), let requests in flight finish within the
   * grace period (SHUTDOWN_GRACE_SECONDS), close websockets with 1001, stop
   * the worker and the job queue (jobs under way finish), close the pool, and
   * stop the embedded PostgreSQL last. The database outlives everything that
   * uses it, so nothing acknowledged is lost and nothing is half written.
   */
  const shutdown = async (signal: string) => {
    // A signal during startup waits until the step under way is done, so nothing is left half-started.
    if (!started) {
      stopRequested ??= signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    markShuttingDown(); // /readyz answers 503 from now on: load balancers stop sending here
    log.info('shutting down', { signal, graceSeconds: config.shutdownGraceMs / 1000 });
    const deadline = Date.now() + config.shutdownGraceMs;
    const left = () => Math.max(0, deadline - Date.now());
    let code = 0;
    try {
      const drained = await server?.drain(config.shutdownGraceMs);
      if (drained === false)
        log.warn('grace period over with requests still running; stopping anyway', {
          graceSeconds: config.shutdownGraceMs / 1000,
        });
      else log.info('requests in flight finished');
      await server?.close();
      log.info('http and websockets closed');
      await runtime?.close({ graceMs: left() });
      log.info('notice bus and job queue stopped');
      await orm?.close();
      log.info('database connections closed');
    } catch (err) {
      log.error('shutdown failed', { err });
      code = 1;
    }
    // Last, whatever happened above: no PostgreSQL is left running.
    try {
      if (embedded) {
        await embedded.stop();
        log.info('embedded PostgreSQL stopped');
      }
    } catch (err) {
      log.error('stopping the embedded PostgreSQL failed', { err });
      code = 1;
    }
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await startUp();
  } catch (err) {
    // Whatever did start is stopped, the embedded database above all.
    await server?.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await orm?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
  started = true;
  if (stopRequested) await shutdown(stopRequested);

  /** Each step is awaited in turn; the variables above let shutdown stop what started. */
  async function startUp() {
    let url = config.databaseUrl;
    if (!url) {
      log.info('starting embedded PostgreSQL', { dataDir: config.dataDir, port: config.embeddedPgPort });
      // The port asked for (default below the OS's ephemeral range); the next ones when it is taken.
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPgPort,
        log: (m) => log.info(m),
      });
      url = embedded.url;
      await ensureDatabase(url);
    }
    orm = await initOrm(url, { logSql: config.logSql });
    const applied = await migrate(orm);
    if (applied.length) log.info('migrations applied', { applied });
    if (config.seedDemoData) {
      const seeded = await seedDemoData(orm.em.fork());
      await seedDemoConversations(orm.em.fork());
      log.info(seeded ? 'demo data loaded' : 'demo data already present');
    }
    // The README's two commands stay the only set-up: the web UIs are built here when missing or stale.
    await ensureWebBuild((m) => log.info(m));
    const verifier = await createTokenVerifier(config);
    runtime = await startRuntime(config, orm, url);
    server = await startServer({ config, orm, verifier, sink: runtime.sink, bus: runtime.bus, boss: runtime.boss });
    log.info('server ready', {
      graphql: server.url,
      websocket: server.url.replace(/^http/, 'ws'),
      health: server.url.replace(/graphql$/, 'healthz'),
      authMode: config.auth.mode,
    });
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(2);
  }
  log.error('failed to start', { err });
  process.exit(1);
});
