import 'reflect-metadata';
import type * as App from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { ensureDatabase, startEmbeddedPostgres } from './db/embedded';
import { log } from './log';

/**
 * `npm start`: the real server, on the embedded PostgreSQL unless DATABASE_URL is set. This module loads only
 * what starting the database needs; the rest of the server (src/app.ts) is loaded once PostgreSQL runs in its
 * own process, so the two happen in parallel.
 */
async function main() {
  const config = loadConfig();
  const parts: App.Parts = {};
  let app: typeof App | undefined;
  const loadApp = (): typeof App => {
    if (!app) {
      // Synchronous on purpose: it runs while PostgreSQL starts in its own process. An import() would stay a
      // real ESM import in the compiled output (module node16), which does not resolve './app' without an extension.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      app = require('./app') as typeof App;
    }
    return app;
  };
  const signals = watchSignals(async (signal) => process.exit(await loadApp().stopApp(config, parts, signal)));
  try {
    const url = await startDatabase(config, parts, loadApp);
    await loadApp().startApp(config, url, parts);
  } catch (err) {
    // Whatever did start is stopped, the embedded database above all.
    await parts.server?.close().catch(() => undefined);
    await parts.runtime?.close().catch(() => undefined);
    await parts.orm?.close().catch(() => undefined);
    await parts.embedded?.stop().catch(() => undefined);
    throw err;
  }
  signals.started();
}

/** The database's URL: DATABASE_URL, or the embedded PostgreSQL's, started here (calls `busy` once it runs). */
async function startDatabase(config: Config, parts: App.Parts, busy: () => void): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  log.info('starting embedded PostgreSQL', { dataDir: config.dataDir, port: config.embeddedPgPort });
  // The port asked for (default below the OS's ephemeral range); the next ones when it is taken.
  const embedded = (parts.embedded = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    log: (m) => log.info(m),
    onProcessStarted: busy,
  }));
  await ensureDatabase(embedded.url);
  return embedded.url;
}

/**
 * SIGTERM and SIGINT stop the server once (`stop`). A signal during startup waits until the step under way is
 * done (`started()`), so nothing is left half-started.
 */
function watchSignals(stop: (signal: string) => Promise<void>) {
  let started = false;
  let stopping = false;
  let requested: string | undefined;
  const onSignal = (signal: string) => {
    if (!started) requested ??= signal;
    else if (!stopping) {
      stopping = true;
      void stop(signal);
    }
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return {
    started() {
      started = true;
      if (requested) onSignal(requested);
    },
  };
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(err.message + '\n');
    process.exit(2);
  }
  log.error('failed to start', { err });
  process.exit(1);
});
