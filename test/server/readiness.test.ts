import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Client } from 'pg';
import { initOrm } from '../../src/db/orm';
import { healthRoutes, markShuttingDown, resetReadiness } from '../../src/http/readiness';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnServer } from '../testkit/process';
import { createTestDatabase, startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
let origin: string;
beforeAll(async () => {
  t = await startTestServer();
  origin = new URL(t.url).origin;
});
afterAll(async () => {
  resetReadiness();
  await t.close();
});

async function get(path: string, base = origin) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json(), cacheControl: res.headers.get('cache-control') };
}

describe('RD1 /healthz: the process is alive', () => {
  test('200 {status: ok}, never cached', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' }, cacheControl: 'no-store' });
  });
});

describe('RD2 /readyz: database reachable, migrations applied, not shutting down', () => {
  test('ready on a migrated database', async () => {
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  test('503 once shutdown has begun (main.ts calls markShuttingDown first), while /healthz stays 200 and requests are still served', async () => {
    markShuttingDown();
    try {
      expect(await get('/readyz')).toMatchObject({ status: 503, body: { status: 'shutting down' } });
      expect((await get('/healthz')).status).toBe(200);
      const r = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(r.status).toBe(200);
    } finally {
      resetReadiness();
    }
    expect((await get('/readyz')).status).toBe(200);
  });

  test('503 "migrations pending" on a database without the migrations, 503 "database unreachable" without a database', async () => {
    const admin = new Client({ connectionString: process.env.IFO_TEST_ADMIN_URL });
    await admin.connect();
    const name = `ifo_t_${process.env.IFO_TEST_RUN_ID}_unmigrated`;
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.query(`create database "${name}"`);
    const url = new URL(process.env.IFO_TEST_ADMIN_URL!);
    url.pathname = `/${name}`;
    const orm = await initOrm(url.toString(), { poolMax: 2 });
    const app = express().use(healthRoutes({ orm }));
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await get('/readyz', base)).toMatchObject({ status: 503, body: { status: 'migrations pending' } });
      await orm.close();
      expect(await get('/readyz', base)).toMatchObject({ status: 503, body: { status: 'database unreachable' } });
      expect((await get('/healthz', base)).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
      await orm.close().catch(() => undefined);
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});

describe('RD3 the real process on SIGTERM', () => {
  test('/readyz answers 503 "shutting down" while a request in flight is still being finished; /healthz stays 200', async () => {
    const db = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'readyz-'));
    const p = spawnServer({
      PORT: String(await freePort()),
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      WORKER: 'off',
      SEED_DEMO_DATA: 'false',
      SHUTDOWN_GRACE_SECONDS: '20',
    });
    try {
      await p.waitHealthy();
      expect((await fetch(`${p.baseUrl}/readyz`)).status).toBe(200);
      // A request in flight: its body arrives slowly, so the shutdown waits for it.
      const body = JSON.stringify({ query: '{ __typename }' });
      const req = http.request(`${p.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      const answered = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, 5));
      await new Promise((r) => setTimeout(r, 200));

      p.child.kill('SIGTERM');
      let ready: { status: number; body: unknown } | undefined;
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${p.baseUrl}/readyz`);
        ready = { status: res.status, body: await res.json() };
        if (res.status === 503) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(ready).toEqual({ status: 503, body: { status: 'shutting down' } });
      expect((await fetch(`${p.baseUrl}/healthz`)).status).toBe(200);

      req.end(body.slice(5));
      expect(await answered).toBe(200);
      expect((await p.exited).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
