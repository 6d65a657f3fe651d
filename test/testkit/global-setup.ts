import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { ensureWebBuild } from '../../src/http/web-build';
import { freePort } from './process';

export const TEMPLATE_DB = 'ifo_test_template';

/**
 * Real PostgreSQL for the whole run: DATABASE_URL when set, else an embedded
 * server in a fresh temporary directory. Migrations run once into a template
 * database; every test file clones it (CREATE DATABASE … TEMPLATE), so files
 * are isolated and fast.
 */
export default async function globalSetup() {
  // The browser tests drive the built web UIs: build them once here when missing or stale (milliseconds when fresh).
  await ensureWebBuild();
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = '/postgres';
    adminUrl = u.toString();
  } else {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-test-'));
    // A port free right now; should another process take it in between, try another.
    let db: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
    for (let attempt = 1; !db; attempt++) {
      try {
        db = await startEmbeddedPostgres({ dataDir, port: await freePort() });
      } catch (err) {
        if (attempt >= 3 || !/already in use/i.test(String(err))) throw err;
      }
    }
    const u = new URL(db.url);
    u.pathname = '/postgres';
    adminUrl = u.toString();
    (globalThis as any).__IFO_EMBEDDED__ = { db, dataDir };
  }
  const templateName = `${TEMPLATE_DB}_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists "${templateName}"`);
  await admin.query(`create database "${templateName}"`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${templateName}`;
  // In a child process: MikroORM's global metadata must not be initialised in
  // jest's parent process (mikro-orm/mikro-orm#3783).
  const run = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/cli/db.ts', 'migrate'], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, DATABASE_URL: templateUrl.toString(), NODE_ENV: 'test' },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`migrating the test template failed:\n${run.stdout}\n${run.stderr}`);

  process.env.IFO_TEST_ADMIN_URL = adminUrl;
  process.env.IFO_TEST_RUN_ID = String(process.pid);
  process.env.IFO_TEST_TEMPLATE_DB = templateName;
  const keysDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-test-keys-'));
  process.env.IFO_TEST_DATA_DIR = keysDir;
  (globalThis as any).__IFO_TEST__ = { adminUrl, templateName, keysDir };
}
