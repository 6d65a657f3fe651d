import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import { loadOrCreateDevKeys } from '../../src/auth/dev-keys';
import { signDevToken } from '../../src/auth/tokens';
import { DEMO } from '../../src/db/demo-data';
import { ephemeralPortRange, isPortFree } from '../../src/ports';
import {
  freePort,
  isAlive,
  killLeftovers,
  postmasterPid,
  spawnServer,
  stopLeftoverPostgres,
  type ServerProcess,
} from '../testkit/process';

/**
 * A shutdown that loses nothing. The real `npm start` on its
 * embedded PostgreSQL, 100 sends at once, a signal in the middle:
 * - SIGTERM: every send the server acknowledged is stored with its notices and
 *   notification jobs; every other one was refused with 503 + Retry-After and
 *   left nothing behind; a request in flight when the signal came finishes;
 *   exit code 0, and no PostgreSQL is left running.
 * - SIGKILL, then a restart: nothing acknowledged is lost.
 */
jest.setTimeout(240_000);

let dataDir: string;
let pgPort: number;
const running: ServerProcess[] = [];

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-shutdown-'));
  pgPort = await freePort();
});
afterEach(async () => {
  await killLeftovers(running);
});
afterAll(async () => {
  await stopLeftoverPostgres(dataDir);
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ServerProcess> {
  // WORKER=off: the notification jobs stay queued, so the test can find them.
  const p = spawnServer({
    PORT: String(await freePort()),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    WORKER: 'off',
    SHUTDOWN_GRACE_SECONDS: '60',
  });
  running.push(p);
  await p.waitHealthy();
  return p;
}

async function maritaToken(): Promise<string> {
  const keys = await loadOrCreateDevKeys(dataDir);
  return signDevToken(keys, { kind: 'staff', username: DEMO.caseworker }, { audience: 'ifo-messaging' });
}

const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;

interface Outcome {
  key: string;
  subject: string;
  status: number | 'network error';
  messageId?: string;
  code?: string;
  retryAfter?: string | null;
}

function sendBody(tolvanId: string, key: string, subject: string): string {
  return JSON.stringify({
    query: SEND,
    variables: { input: { idempotencyKey: key, to: { personIds: [tolvanId] }, subject, body: '<p>Hej</p>' } },
  });
}

async function send(p: ServerProcess, token: string, tolvanId: string, subject: string): Promise<Outcome> {
  const key = randomUUID();
  try {
    const res = await fetch(`${p.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: sendBody(tolvanId, key, subject),
    });
    const body = (await res.json()) as {
      data?: { sendMessage: { id: string }[] };
      errors?: { extensions?: { code?: string } }[];
    };
    return {
      key,
      subject,
      status: res.status,
      messageId: body.data?.sendMessage?.[0]?.id,
      code: body.errors?.[0]?.extensions?.code,
      retryAfter: res.headers.get('retry-after'),
    };
  } catch {
    return { key, subject, status: 'network error' };
  }
}

/** A send whose body arrives in two parts: in flight from its first byte until `finish()`. */
function slowSend(p: ServerProcess, token: string, tolvanId: string, subject: string) {
  const key = randomUUID();
  const body = Buffer.from(sendBody(tolvanId, key, subject));
  const url = new URL(`${p.baseUrl}/graphql`);
  let resolveOutcome!: (o: Outcome) => void;
  const outcome = new Promise<Outcome>((r) => (resolveOutcome = r));
  const req = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
    },
    (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        const parsed = JSON.parse(text);
        resolveOutcome({
          key,
          subject,
          status: res.statusCode!,
          messageId: parsed.data?.sendMessage?.[0]?.id,
          code: parsed.errors?.[0]?.extensions?.code,
        });
      });
    },
  );
  req.on('error', () => resolveOutcome({ key, subject, status: 'network error' }));
  req.write(body.subarray(0, 40));
  return {
    outcome,
    finish: () => {
      req.end(body.subarray(40));
    },
  };
}

async function db<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const password = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
  const c = new Client({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/ifo`,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function tolvanId(): Promise<string> {
  return db(async (c) => (await c.query('select id from person where personnummer = $1', [DEMO.tolvan])).rows[0].id);
}

/** What the database holds of each send: the key's record, the message, its notice and its jobs. */
async function stored(outcomes: Outcome[]) {
  return db(async (c) => {
    const keys = outcomes.map((o) => o.key);
    const requests = await c.query(`select key, message_ids from send_request where key = any($1::text[])`, [keys]);
    const messages = await c.query(`select id, subject from message where subject = any($1::text[])`, [
      outcomes.map((o) => o.subject),
    ]);
    const ids = messages.rows.map((m) => m.id);
    const notices = await c.query(
      `select payload->>'messageId' as id from notice where kind = 'NEW_MESSAGE' and payload->>'messageId' = any($1::text[])`,
      [ids],
    );
    const jobs = await c.query(
      `select data->>'messageId' as id from pgboss.job where name = 'notify' and data->>'messageId' = any($1::text[])`,
      [ids],
    );
    const recipients = await c.query(
      `select message_id::text as id from message_recipient where message_id = any($1::uuid[])`,
      [ids],
    );
    const history = await c.query(
      `select message_id::text as id from message_event where kind = 'SENT' and message_id = any($1::uuid[])`,
      [ids],
    );
    return {
      requestKeys: new Set(requests.rows.map((r) => r.key as string)),
      messageBySubject: new Map(messages.rows.map((m) => [m.subject as string, m.id as string])),
      noticeFor: new Set(notices.rows.map((r) => r.id as string)),
      jobsFor: new Set(jobs.rows.map((r) => r.id as string)),
      recipientFor: new Set(recipients.rows.map((r) => r.id as string)),
      historyFor: new Set(history.rows.map((r) => r.id as string)),
    };
  });
}

function expectAcknowledgedStored(acknowledged: Outcome[], s: Awaited<ReturnType<typeof stored>>) {
  for (const o of acknowledged) {
    expect(s.requestKeys.has(o.key)).toBe(true);
    expect(s.messageBySubject.get(o.subject)).toBe(o.messageId);
    expect(s.recipientFor.has(o.messageId!)).toBe(true);
    expect(s.historyFor.has(o.messageId!)).toBe(true);
    expect(s.noticeFor.has(o.messageId!)).toBe(true);
    // Tolvan chose SMS and e-mail: the jobs are written with the message.
    expect(s.jobsFor.has(o.messageId!)).toBe(true);
  }
}

/** Resolves once `n` of the outcomes are acknowledged sends. */
function afterAcknowledged(pending: Promise<Outcome>[], n: number): Promise<void> {
  let count = 0;
  return new Promise((resolve) => {
    for (const p of pending) void p.then((o) => o.status === 200 && o.messageId && ++count === n && resolve());
    void Promise.all(pending).then(() => resolve());
  });
}

test('ports: the embedded PostgreSQL and the test servers listen below the ephemeral range', () => {
  const { low } = ephemeralPortRange();
  expect(pgPort).toBeLessThan(low);
});

test('SD1 SIGTERM under 100 concurrent sends: acknowledged ones stored whole, the rest 503 with nothing written, exit 0, PostgreSQL stopped', async () => {
  const p = await start();
  const token = await maritaToken();
  const tolvan = await tolvanId();
  const run = randomUUID().slice(0, 8);

  // In flight before the signal, its body still arriving after it.
  const slow = slowSend(p, token, tolvan, `Stängning ${run} pågående`);
  const pending = Array.from({ length: 100 }, (_, i) => send(p, token, tolvan, `Stängning ${run} ${i}`));
  await afterAcknowledged(pending, 10);
  p.child.kill('SIGTERM');
  await p.waitForOutput(/"msg":"shutting down"/);

  // New requests while the server drains: refused, and told when to come back.
  const late = await Promise.all(
    Array.from({ length: 5 }, (_, i) => send(p, token, tolvan, `Stängning ${run} sen ${i}`)),
  );
  for (const o of late) {
    expect(o).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
  }
  // No new websocket either.
  const ws = new WebSocket(`${p.baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const upgrade = await new Promise<number>((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => resolve(-1));
  });
  expect(upgrade).toBe(503);

  slow.finish();
  const outcomes = [...(await Promise.all(pending)), await slow.outcome, ...late];
  const exit = await p.exited;
  expect(exit).toEqual({ code: 0, signal: null });

  // Every outcome is an answer: acknowledged, or refused with 503.
  expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
  const acknowledged = outcomes.filter((o) => o.status === 200);
  const refused = outcomes.filter((o) => o.status === 503);
  expect(acknowledged.every((o) => o.messageId)).toBe(true);
  expect(acknowledged.length).toBeGreaterThanOrEqual(11); // the first ten and the one in flight
  expect(acknowledged.map((o) => o.subject)).toContain(`Stängning ${run} pågående`);
  expect(refused.length).toBeGreaterThanOrEqual(5);
  expect(refused.every((o) => o.code === 'SERVICE_UNAVAILABLE')).toBe(true);

  // The shutdown's steps in order, the database last; and it is gone.
  const steps = p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l).msg as string)
    .filter((m) => /shutting down|finished|closed|stopped/.test(m));
  expect(steps).toEqual([
    'shutting down',
    'requests in flight finished',
    'http and websockets closed',
    'notice bus and job queue stopped',
    'database connections closed',
    'embedded PostgreSQL stopped',
  ]);
  const pid = await postmasterPid(dataDir);
  expect(pid === undefined || !isAlive(pid)).toBe(true);
  expect(await isPortFree(pgPort)).toBe(true);

  // What was stored, read after a restart.
  const again = await start();
  const s = await stored(outcomes);
  expectAcknowledgedStored(acknowledged, s);
  for (const o of refused) {
    expect(s.requestKeys.has(o.key)).toBe(false);
    expect(s.messageBySubject.has(o.subject)).toBe(false);
  }
  again.child.kill('SIGTERM');
  expect((await again.exited).code).toBe(0);
});

test('SD2 SIGKILL under concurrent sends, then a restart: nothing acknowledged is lost', async () => {
  const p = await start();
  const token = await maritaToken();
  const tolvan = await tolvanId();
  const run = randomUUID().slice(0, 8);
  const pending = Array.from({ length: 100 }, (_, i) => send(p, token, tolvan, `Avbrott ${run} ${i}`));
  await afterAcknowledged(pending, 10);
  p.child.kill('SIGKILL');
  const outcomes = await Promise.all(pending);
  await p.exited;
  const acknowledged = outcomes.filter((o) => o.status === 200);
  expect(acknowledged.length).toBeGreaterThanOrEqual(10);

  // The next start stops the PostgreSQL the killed one left behind, and carries on with its data.
  const again = await start();
  expect(again.output()).toMatch(/left running by an earlier run/);
  expectAcknowledgedStored(acknowledged, await stored(outcomes));
  again.child.kill('SIGTERM');
  expect((await again.exited).code).toBe(0);
});
