import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys';
import { signDevToken } from '../../src/auth/tokens';
import { DEMO } from '../../src/db/demo-data';
import { postRaw } from '../testkit/api';
import {
  freePort,
  isAlive,
  killLeftovers,
  postmasterPid,
  spawnServer,
  stopLeftoverPostgres,
  type ServerProcess,
} from '../testkit/process';
import { createTestDatabase } from '../testkit/server';
import { openAcknowledgedSocket } from '../testkit/ws';

/**
 * The real `npm start` as a child process: healthy
 * once migrated, SIGTERM closes websockets with 1001 and exits 0, and the
 * demo data loads once however often the server starts.
 */
jest.setTimeout(90_000);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let dataDir: string;
const running: ServerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-lifecycle-'));
});
afterEach(async () => {
  // A failed test must not leave a server behind.
  await killLeftovers(running);
});
afterAll(async () => {
  await db.drop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerProcess> {
  const p = spawnServer({
    DATABASE_URL: db.url,
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    SEED_DEMO_DATA: 'true',
  });
  running.push(p);
  return p;
}

/** The shutdown's own report, in order: signal, HTTP and websockets, database (the embedded one stopped last). */
function expectCleanShutdown(p: ServerProcess, opts: { embedded?: boolean } = {}) {
  const steps = p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l).msg as string)
    .filter((m) => /shutting down|closed|stopped/.test(m));
  expect(steps).toEqual([
    'shutting down',
    'http and websockets closed',
    'notice bus and job queue stopped',
    'database connections closed',
    ...(opts.embedded ? ['embedded PostgreSQL stopped'] : []),
  ]);
}

async function countStaff(): Promise<number> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    const { rows } = await c.query('select count(*)::int as n from staff');
    return rows[0].n;
  } finally {
    await c.end();
  }
}

test('LC1 healthy once migrated; SIGTERM closes websockets with 1001 and exits 0', async () => {
  const p = await start();
  const health = await p.waitHealthy();
  expect(await health.json()).toEqual({ status: 'ok' });

  // A token minted the way `npm run token` does, from the key the server generated into DATA_DIR.
  const keys = await loadOrCreateDevKeys(dataDir);
  const token = await signDevToken(keys, { kind: 'staff', username: DEMO.caseworker }, { audience: 'ifo-messaging' });
  const r = await postRaw(`${p.baseUrl}/graphql`, { query: '{ staffMe { name } }' }, { token });
  expect(r.body).toEqual({ data: { staffMe: { name: 'Marita Aronsson' } } });

  const socket = await openAcknowledgedSocket(`ws://127.0.0.1:${new URL(p.baseUrl).port}/graphql`, token);
  p.child.kill('SIGTERM');
  expect((await socket.closed).code).toBe(1001);
  expect(await p.exited).toEqual({ code: 0, signal: null });
  // Exited through the shutdown, every step done (not by the event loop running dry).
  expectCleanShutdown(p);
  // Stopped accepting: nothing listens on the port any more.
  await expect(fetch(`${p.baseUrl}/healthz`)).rejects.toThrow();
});

test('LC2 SIGINT stops the server the same way', async () => {
  const p = await start();
  await p.waitHealthy();
  p.child.kill('SIGINT');
  expect(await p.exited).toEqual({ code: 0, signal: null });
  expectCleanShutdown(p);
});

test('LC3 the demo data loads once, however often the server starts', async () => {
  const first = await start();
  await first.waitHealthy();
  first.child.kill('SIGTERM');
  expect((await first.exited).code).toBe(0);
  expectCleanShutdown(first);
  const staffAfterFirst = await countStaff();
  expect(staffAfterFirst).toBeGreaterThan(0);

  const second = await start();
  await second.waitHealthy();
  second.child.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
  expectCleanShutdown(second);
  expect(await countStaff()).toBe(staffAfterFirst);
  expect(second.output()).toMatch(/demo data already present/);
});

test('LC4 an invalid environment fails fast with every problem and exit code 2', async () => {
  const p = spawnServer({ NODE_ENV: 'production', PORT: 'eighty', DATA_DIR: dataDir });
  running.push(p);
  const { code } = await p.exited;
  expect(code).toBe(2);
  expect(p.output()).toMatch(/PORT/);
  expect(p.output()).toMatch(/AUTH_STAFF_JWKS_URL/);
});

describe('LC5 on the embedded database (DATABASE_URL unset)', () => {
  let embeddedDir: string;
  let pgPort: string;
  beforeAll(async () => {
    embeddedDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-lifecycle-embedded-'));
    pgPort = String(await freePort());
  });
  afterAll(async () => {
    // Whatever a failed test left running: stop the postgres of this directory.
    await stopLeftoverPostgres(embeddedDir);
    await fs.rm(embeddedDir, { recursive: true, force: true });
  });

  async function startEmbedded(): Promise<ServerProcess> {
    const p = spawnServer({ PORT: String(await freePort()), DATA_DIR: embeddedDir, EMBEDDED_PG_PORT: pgPort });
    running.push(p);
    return p;
  }

  test('SIGTERM stops the embedded PostgreSQL; a restart keeps the data; a killed run is recovered', async () => {
    const first = await startEmbedded();
    await first.waitHealthy();
    expect(first.output()).toMatch(/"demo data loaded"/);
    const pid = await postmasterPid(embeddedDir);
    expect(pid && isAlive(pid)).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expectCleanShutdown(first, { embedded: true });
    expect(isAlive(pid!)).toBe(false);

    // Restart: same data, demo data not loaded again.
    const second = await startEmbedded();
    await second.waitHealthy();
    expect(second.output()).toMatch(/demo data already present/);
    // Killed without a chance to clean up: its PostgreSQL stays behind...
    second.child.kill('SIGKILL');
    await second.exited;
    const leftover = await postmasterPid(embeddedDir);
    expect(leftover && isAlive(leftover)).toBe(true);

    // ...and the next start stops it and carries on.
    const third = await startEmbedded();
    await third.waitHealthy();
    expect(third.output()).toMatch(/left running by an earlier run/);
    const keys = await loadOrCreateDevKeys(embeddedDir);
    const token = await signDevToken(
      keys,
      { kind: 'citizen', personnummer: DEMO.tolvan },
      { audience: 'ifo-messaging' },
    );
    const r = await postRaw(`${third.baseUrl}/graphql`, { query: '{ me { name } }' }, { token });
    expect(r.body).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    expect(isAlive(leftover!)).toBe(false);
  });
});

test('LC6 a SIGTERM during startup lets the step under way finish, then shuts down cleanly with exit 0', async () => {
  const p = await start();
  // The signal arrives while migrations or demo data are still loading.
  await p.waitForOutput(/"msg":"(migrations applied|demo data|starting)/).catch(() => undefined);
  p.child.kill('SIGTERM');
  const exit = await p.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  const messages = p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l).msg as string);
  // Either it had finished starting (then every step of the shutdown ran), or the signal came first and
  // the shutdown still ran in full once the server was up: never an exit half-way through startup.
  expect(messages).toContain('server ready');
  expect(messages.slice(messages.indexOf('server ready'))).toEqual(
    expect.arrayContaining(['shutting down', 'database connections closed']),
  );
});
