import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Client } from 'pg';
import { initOrm } from '../../src/db/orm';
import { healthRoutes, markShuttingDown, resetReadiness } from '../../src/http/readiness';
import { startTestServer, type TestServer } from '../testkit/server';

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

describe('R1 /healthz: the process is alive', () => {
  test('200 {status: ok}, never cached', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' }, cacheControl: 'no-store' });
  });
});

describe('R2 /readyz: database reachable, migrations applied, not shutting down', () => {
  test('ready on a migrated database', async () => {
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  test('503 once shutdown has begun (main.ts calls markShuttingDown first), while /healthz stays 200 and requests are still served', async () => {
    markShuttingDown();
    try {
      expect(await get('/readyz')).toMatchObject({ status: 503, body: { status: 'shutting down' } });
      expect((await get('/healthz')).status).toBe(200);
      const r = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
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
