import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ensureDatabase, startEmbeddedPostgres } from '../src/db/embedded';
import { freeListenPort } from '../src/ports';

/** A database private to one benchmark run, gone again after `drop()`. */
export interface BenchDatabase {
  url: string;
  /** Where it came from, for the report. */
  origin: string;
  drop(): Promise<void>;
}

/**
 * A fresh database on DATABASE_URL's server when it is set (dropped
 * afterwards), else an embedded PostgreSQL in a temporary directory (stopped
 * and removed afterwards), so `npm run bench` needs nothing but `npm ci`.
 */
export async function startBenchDatabase(log: (m: string) => void): Promise<BenchDatabase> {
  const shared = process.env.DATABASE_URL;
  if (shared) {
    const name = `ifo_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = new URL(shared);
    admin.pathname = '/postgres';
    const run = async (sql: string) => {
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await run(`create database "${name}"`);
    const url = new URL(shared);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      origin: `database ${name} on DATABASE_URL's server`,
      drop: () => run(`drop database if exists "${name}" with (force)`),
    };
  }

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-bench-'));
  // Below the OS's ephemeral range (src/ports.ts); the next ports are tried if it is taken meanwhile.
  const first = await freeListenPort();
  log(`starting embedded PostgreSQL in ${dataDir} on port ${first}`);
  const db = await startEmbeddedPostgres({ dataDir, port: first });
  const port = db.port;
  try {
    await ensureDatabase(db.url);
  } catch (err) {
    await db.stop();
    throw err;
  }
  return {
    url: db.url,
    origin: `embedded PostgreSQL (temporary, port ${port})`,
    drop: async () => {
      await db.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
