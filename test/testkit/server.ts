import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys';
import { createTokenVerifier, signDevToken } from '../../src/auth/tokens';
import { loadConfig, type Config } from '../../src/config';
import { initOrm, type Orm } from '../../src/db/orm';
import type { Senders } from '../../src/notifications/worker';
import { startRuntime, type Runtime } from '../../src/runtime';
import { startServer, type RunningServer } from '../../src/server';
import { freeListenPort, isAddressInUse } from '../../src/ports';

export interface TestServer {
  url: string;
  wsUrl: string;
  orm: Orm;
  config: Config;
  server: RunningServer;
  runtime: Runtime;
  /** A fresh EntityManager for arranging and checking data. */
  em(): EntityManager;
  token: { staff(username: string): Promise<string>; citizen(personnummer: string): Promise<string> };
  /** SQL statements sent since the last reset (MikroORM logger). */
  sql: { statements: string[]; reset(): void; count(): number };
  close(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.IFO_TEST_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database cloned from the migrated template, private to the calling test file. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ifo_t_${process.env.IFO_TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}" template "${process.env.IFO_TEST_TEMPLATE_DB}"`));
  const url = new URL(process.env.IFO_TEST_ADMIN_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

export interface TestServerOptions {
  /** Use this database instead of a new private one (e.g. a second instance on the same data). */
  databaseUrl?: string;
  /** Run the notification worker with these senders (default: no worker). */
  senders?: Senders;
}

/** The real server (HTTP + websocket) on a random port, over a private database, with notices and the job queue. */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: TestServerOptions = {},
): Promise<TestServer> {
  const db = opts.databaseUrl ? { url: opts.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  // A port below the OS's ephemeral range (see src/ports.ts), not PORT=0; another one if it is taken meanwhile.
  const configFor = async () =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: String(await freeListenPort()),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      DATA_DIR: process.env.IFO_TEST_DATA_DIR!,
      AUTH_MODE: 'dev',
      WORKER: opts.senders ? 'on' : 'off',
      // Every operation executes compiled from its first run, so the suites check that path (the default is 2).
      GRAPHQL_COMPILE_AFTER: '1',
      ...env,
    });
  let config = await configFor();
  const statements: string[] = [];
  const orm = await initOrm(db.url, { onQuery: (m) => statements.push(m), poolMax: 5 });
  const verifier = await createTokenVerifier(config);
  const runtime = await startRuntime(config, orm, db.url, { senders: opts.senders });
  let server: RunningServer | undefined;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await startServer({ config, orm, verifier, sink: runtime.sink, bus: runtime.bus, boss: runtime.boss });
    } catch (err) {
      if (attempt >= 5 || env.PORT || !isAddressInUse(err)) throw err;
      config = await configFor();
    }
  }
  const keys = await loadOrCreateDevKeys(config.dataDir);
  const audience = config.auth.audience;
  return {
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    orm,
    config,
    server,
    em: () => orm.em.fork() as EntityManager,
    token: {
      staff: (username) => signDevToken(keys, { kind: 'staff', username }, { audience }),
      citizen: (personnummer) => signDevToken(keys, { kind: 'citizen', personnummer }, { audience }),
    },
    sql: {
      statements,
      reset: () => void statements.splice(0),
      count: () => statements.filter((s) => /\[query\]/.test(s)).length,
    },
    runtime,
    async close() {
      await server.close();
      await runtime.close();
      await orm.close();
      await db.drop();
    },
  };
}
