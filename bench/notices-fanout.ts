import './log-env';
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateDevKeys } from '../src/auth/dev-keys';
import { createTokenVerifier, signDevToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { DEMO, seedDemoData } from '../src/db/demo-data';
import { initOrm, migrate } from '../src/db/orm';
import { Staff } from '../src/entities/staff';
import { freeListenPort } from '../src/ports';
import { startRuntime } from '../src/runtime';
import { startServer } from '../src/server';
import { startBenchDatabase } from './database';
import { startNoticeFloor } from './notices-floor';
import { profiled } from './profile';
import { cpuTicks, percentText, stolenPercent } from './steal';

/**
 * Notices that scale: one viewer with N open sockets (BENCH_SOCKETS, default
 * 500; the issue's case is 19,900, which needs `ulimit -n` above 20,000),
 * against a floor of bare graphql-ws + in-process pub/sub (no sign-in, no
 * database) in the same run. The clients run in a child process, so heap and
 * CPU are the server's. Loopback only. Run:
 *
 *   node --expose-gc -r @swc-node/register bench/notices-fanout.ts
 *
 * For each of floor and API: heap per subscribed socket (after GC), server
 * CPU per connect (connection_init to ack), then ROUNDS messages to the
 * viewer: delay from the send until each socket has the notice (p50, p99,
 * max), the sender's response time (posted from a process of its own) next
 * to the same send with no socket open, and the server's CPU while every socket
 * stays open with nothing sent (BENCH_IDLE_SECONDS, default 36: keep-alive
 * only). Prints ratios with the goals beside them; asserts nothing.
 *
 * Runs on 2 CPUs (loopback, machine shared), API / floor: 500 sockets before this work (main at 78e3626): heap 60.2 / 16.6 KB per
 * socket, fan-out p99 5507 / 328 ms, CPU per connect 2.84 / 0.47 ms. After (shared reads and account lookups, slim subscription
 * context, document cache): 500 sockets: 21.3 / 16.4 KB, p99 181 / 87 ms, connect 2.58 / 0.46 ms, sender's response 24.9 ms during
 * the fan-out, 21.8 ms without sockets; 2,000 sockets: 19.5 KB, p99 585 ms; 5,000 sockets: 21.6 KB, p99 1574 ms.
 * Then one execution per shared event (src/subscriptions/shared-execution.ts), streams without a Repeater and 100 subscribers
 * per event-loop turn, A/B against the commit before (load average 2-3, API / floor, two runs): 5,000 sockets: server CPU per
 * socket reached 485 / 112 and 454 / 95 µs -> 94 / 131 and 69 / 98 µs; fan-out p99 1026 / 448 and 1183 / 383 ms -> 475 / 506
 * and 463 / 412 ms; sender's response during the fan-out 164 and 139 ms -> 39 and 42 ms (no sockets: ~20 ms). 500 sockets: CPU
 * per socket 503 -> 155 µs (floor ~140), p99 136 -> 121 ms. 19,900 sockets (one run each): p50 3120 -> 1099, p99 3444 ->
 * 1825 ms (floor ~1.5 / ~1.9 s), CPU per socket 473 -> 101 µs (floor 88-135), sender's response 477 -> 373 ms (floor ~2.2 s).
 * At 19,900 this one process holds every server-side socket and the sends' connections within `ulimit -n` 20,000 (19,935 fds
 * open): one run's floor send failed with "fetch failed" (its cause is now printed; not seen in the next two runs).
 */
const N = Number(process.env.BENCH_SOCKETS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Sockets each target's warm-up opens and closes. Both warm up before either is measured: they share graphql-ws, ws
 * and V8's compiled code in this process, so warming only the one measured first flattered the other (connect CPU). */
const WARM_SOCKETS = Math.min(N, 200);
/**
 * Connect-only rounds before the measured run, interleaved (floor, API, floor, API…): the connect row is the median of
 * these and the measured run's own. One round of 500 connects lasts about half a second, so a single garbage
 * collection in it moved the row between 1.9 × and 3.8 × at the same code; and both servers, the floor most, kept
 * getting cheaper for several rounds after a 200-socket warm-up (floor 0.36, 0.25, 0.14, 0.12 ms in a row), so the
 * first CONNECT_WARM_ROUNDS of them are not counted. None at thousands of sockets: each round's closed sockets would
 * hold that many loopback ports in TIME_WAIT.
 */
const CONNECT_ROUNDS = Number(process.env.BENCH_CONNECT_ROUNDS ?? (N <= 2_000 ? 4 : 0));
const CONNECT_WARM_ROUNDS = Number(process.env.BENCH_CONNECT_WARM_ROUNDS ?? (N <= 2_000 ? 3 : 0));
const WAIT_MS = 120_000;
/** How long the sockets stay open with nothing sent, for the idle row: three of graphql-ws's 12 s keep-alive pings. */
const IDLE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 36) * 1000;
const NOTICES = 'subscription { notices { cursor kind subject senderName at mailbox { kind id name } } }';
const FLOOR_NOTICES = 'subscription { notices { cursor subject } }';
const SEND = 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id } }';

const say = (m: string) => process.stderr.write(`bench: ${m}\n`);
const now = () => performance.timeOrigin + performance.now();

interface Target {
  name: string;
  wsUrl: string;
  /** Tokens for n sockets, signed before the connects are measured: each its own for the API (a connect after a deploy
   * is each client's own; its token was never checked by the new process), as its verifier keeps tokens checked. */
  tokens(n: number): Promise<string[]>;
  query: string;
  /** Sends a notice with this subject to the viewer; resolves, when the sender has its answer, with the time that took
   * in the sender's process (ms). */
  send(subject: string): Promise<number>;
  /** How long the server took over the last POST it answered: from its arrival to the answer handed to the OS (ms). */
  serverMs(): number;
}

interface ApiTarget extends Target {
  /** CPU of checking its token (signature and claims) once, as each connect does, in ms. */
  tokenCheckMs(): Promise<number>;
}

interface Row {
  heapPerSocketKb: number;
  cpuPerConnectMs: number;
  cpuPerSubscribeMs: number;
  connectWallMs: number;
  delays: number[];
  /** Server CPU from the send until every socket had the notice, per socket. */
  cpuPerDeliveryUs: number[];
  quietSendMs: number;
  busySendMs: number;
  quietServerMs: number;
  busyServerMs: number;
  /** The share of the machine's CPU the host gave to other guests while this target was measured (bench/steal.ts). */
  stealPct: number;
  /** Server CPU with every socket open and subscribed and nothing sent (keep-alive pings, timers), in % of one core. */
  idleCpuPct: number;
}

/** A child process of the bench (the socket clients, the sender): one command at a time, answered over IPC. */
class Child {
  private readonly child: ChildProcess;
  constructor(script: string) {
    this.child = fork(path.join(__dirname, script), [], { execArgv: ['-r', '@swc-node/register'] });
  }
  call<T>(command: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (m: T & { error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m)));
      this.child.send(command);
    });
  }
  stop(): void {
    this.child.kill();
  }
}

function heapNow(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/**
 * The server's own time for each POST it answers: from the request's arrival to its answer handed to the OS
 * ('finish'). What the sender sees adds its own wait for a core, which on this 2-core machine the fan-out's server
 * and clients are using; this is the server's part alone.
 */
function answerClock(server: http.Server): () => number {
  let last = NaN;
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.method !== 'POST') return;
    const start = now();
    res.once('finish', () => (last = now() - start));
  });
  return () => last;
}

/** Posts a request from the sender's process; returns the time to the whole answer there and the answer's body. */
async function post(sender: Child, url: string, headers: Record<string, string>, body: string) {
  const r = await sender.call<{ ms: number; status: number; text: string }>({ url, headers, body });
  if (r.status >= 300) throw new Error(`${url} answered ${r.status}: ${r.text}`);
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

/** Opens n sockets, subscribes them, and waits until a first notice reached every one (so all are live). */
async function openLive(
  c: Child,
  t: Target,
  n: number,
  profile?: string,
  subscribeProfile?: string,
): Promise<{ cpuConnect: number; cpuSubscribe: number; wall: number }> {
  await c.call({ cmd: 'tokens', tokens: await t.tokens(n) });
  let cpu = process.cpuUsage();
  const { ms } = await profiled(profile, () => c.call<{ ms: number }>({ cmd: 'open', url: t.wsUrl, n }));
  const cpuConnect = cpuMs(cpu);
  cpu = process.cpuUsage();
  // BENCH_SUBSCRIBE_PROFILE=<file.cpuprofile>: a CPU profile of the API's subscribes and their first notice.
  await profiled(subscribeProfile, async () => {
    await c.call({ cmd: 'subscribe', query: t.query });
    // Subscribing is asynchronous on the server: a first notice that reached every socket shows all are live.
    // Another is sent only once the last one has stopped arriving (some sockets were not subscribed yet).
    for (let attempt = 0; attempt < 20; attempt++) {
      const subject = `live ${randomUUID()}`;
      await t.send(subject);
      const wait = { cmd: 'wait', subject, count: n, timeoutMs: WAIT_MS, idleMs: 2_000 };
      if ((await c.call<{ times: number[] }>(wait)).times.length >= n) break;
    }
  });
  return { cpuConnect, cpuSubscribe: cpuMs(cpu), wall: ms };
}

/** CPU per connect of one round: N sockets opened (connection_init to ack) and closed again. */
async function connectRound(c: Child, t: Target): Promise<number> {
  await c.call({ cmd: 'tokens', tokens: await t.tokens(N) });
  const cpu = process.cpuUsage();
  await c.call({ cmd: 'open', url: t.wsUrl, n: N });
  const perConnect = cpuMs(cpu) / N;
  await c.call({ cmd: 'close' });
  return perConnect;
}

async function warmUp(c: Child, t: Target): Promise<void> {
  say(`${t.name}: warm-up with ${WARM_SOCKETS} sockets`);
  await openLive(c, t, WARM_SOCKETS);
  await c.call({ cmd: 'close' });
}

async function measure(c: Child, t: Target): Promise<Row> {
  const ticks = cpuTicks();
  const quiet: number[] = [];
  const quietServer: number[] = [];
  for (let i = 0; i < 5; i++) {
    quiet.push(await t.send(`quiet ${randomUUID()}`));
    quietServer.push(t.serverMs());
  }
  say(`${t.name}: ${N} sockets`);
  const heap0 = heapNow();
  // BENCH_CONNECT_PROFILE=<file.cpuprofile>: a CPU profile of the API's connects (connection_init to ack).
  const opened = await openLive(
    c,
    t,
    N,
    t.name === 'API' ? process.env.BENCH_CONNECT_PROFILE : undefined,
    t.name === 'API' ? process.env.BENCH_SUBSCRIBE_PROFILE : undefined,
  );
  const heap1 = heapNow();
  const delays: number[] = [];
  const cpuPerDeliveryUs: number[] = [];
  const busy: number[] = [];
  const busyServer: number[] = [];
  // BENCH_PROFILE=<file.cpuprofile>: a CPU profile of the API's fan-out rounds (bench/profile.ts).
  await profiled(t.name === 'API' ? process.env.BENCH_PROFILE : undefined, async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const subject = `fan-out ${randomUUID()}`;
      const start = now();
      const cpu = process.cpuUsage();
      busy.push(await t.send(subject));
      busyServer.push(t.serverMs());
      const { times } = await c.call<{ times: number[] }>({ cmd: 'wait', subject, count: N, timeoutMs: WAIT_MS });
      cpuPerDeliveryUs.push((cpuMs(cpu) * 1000) / N);
      if (times.length < N)
        say(`${t.name}: only ${times.length} of ${N} sockets got round ${r + 1} within ${WAIT_MS} ms`);
      delays.push(...times.map((x) => x - start));
    }
  });
  // Idle: every socket open and subscribed, nothing sent. What runs is the keep-alive (graphql-ws pings each socket
  // every 12 s and waits for its pong, in both) and the server's own timers (the API's account sweep runs once a minute).
  // The fan-out's garbage is collected first, and the window starts 2 s later: what a burst leaves behind (a major
  // GC's concurrent marking of a heap holding every socket, on V8's helper threads) is not the cost of idling.
  heapNow();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  say(`${t.name}: idle for ${IDLE_MS / 1000} s`);
  const idleCpu = process.cpuUsage();
  const idleStart = now();
  // BENCH_IDLE_PROFILE=<file.cpuprofile>: a CPU profile of the API's idle window.
  await profiled(
    t.name === 'API' ? process.env.BENCH_IDLE_PROFILE : undefined,
    () => new Promise((resolve) => setTimeout(resolve, IDLE_MS)),
  );
  const idleCpuPct = (100 * cpuMs(idleCpu)) / (now() - idleStart);
  await c.call({ cmd: 'close' });
  return {
    idleCpuPct,
    heapPerSocketKb: (heap1 - heap0) / N / 1024,
    cpuPerConnectMs: opened.cpuConnect / N,
    cpuPerSubscribeMs: opened.cpuSubscribe / N,
    connectWallMs: opened.wall,
    delays,
    cpuPerDeliveryUs,
    quietSendMs: median(quiet),
    busySendMs: median(busy),
    quietServerMs: median(quietServer),
    busyServerMs: median(busyServer),
    stealPct: stolenPercent(ticks),
  };
}

function report(floor: Row, api: Row): string {
  const f = (v: number, d = 2) => v.toFixed(d).padStart(10);
  const line = (what: string, a: number, b: number, goal: string, d = 2) =>
    `${what.padEnd(38)}${f(a, d)}${f(b, d)}${f(b / a, 2)}   ${goal}`;
  return [
    '',
    `Notices fan-out: ${N} sockets of one viewer, ${ROUNDS} messages; Node ${process.version}, ${os.cpus().length} CPUs, loopback.`,
    '',
    `${''.padEnd(38)}${'floor'.padStart(10)}${'API'.padStart(10)}${'API/floor'.padStart(10)}   goal`,
    line(
      'heap per subscribed socket (KB)',
      floor.heapPerSocketKb,
      api.heapPerSocketKb,
      'API ≤ 20 KB (floor 5.8–12 KB)',
      1,
    ),
    line('server CPU per connect (ms)', floor.cpuPerConnectMs, api.cpuPerConnectMs, '≤ 2 × floor', 3),
    line('server CPU per subscribe + 1st notice (ms)', floor.cpuPerSubscribeMs, api.cpuPerSubscribeMs, '', 3),
    line('fan-out delay p50 (ms)', pct(floor.delays, 50), pct(api.delays, 50), '', 0),
    line('fan-out delay p99 (ms)', pct(floor.delays, 99), pct(api.delays, 99), 'API p99 ≤ 1000 ms', 0),
    line('fan-out delay max (ms)', Math.max(...floor.delays), Math.max(...api.delays), '', 0),
    line(
      'server CPU per socket reached, median (µs)',
      median(floor.cpuPerDeliveryUs),
      median(api.cpuPerDeliveryUs),
      '',
      1,
    ),
    line('idle CPU, % of a core (keep-alive only)', floor.idleCpuPct, api.idleCpuPct, '≤ 1.2 × floor'),
    line("server's answer, no sockets (ms)", floor.quietServerMs, api.quietServerMs, '', 1),
    line("server's answer, during fan-out (ms)", floor.busyServerMs, api.busyServerMs, 'API ≈ its no-socket time', 1),
    line("sender's response, no sockets (ms)", floor.quietSendMs, api.quietSendMs, '', 1),
    line(
      "sender's response, during fan-out (ms)",
      floor.busySendMs,
      api.busySendMs,
      '(the sender waits for a core too)',
      1,
    ),
    `CPU stolen by the host while measured: floor ${percentText(floor.stealPct)}, API ${percentText(api.stealPct)} (above a few %, another guest took CPU from the run)`,
    `connect wall time for ${N} sockets: floor ${floor.connectWallMs.toFixed(0)} ms, API ${api.connectWallMs.toFixed(0)} ms`,
    (globalThis as { gc?: unknown }).gc ? '' : 'warning: run with --expose-gc, or the heap figures include garbage',
  ].join('\n');
}

/** The real server (as `npm start` runs it, in-process bus) on a fresh database with the demo data. */
async function startApi(cleanup: (() => Promise<unknown>)[], sender: Child): Promise<ApiTarget> {
  const db = await startBenchDatabase(say);
  cleanup.push(() => db.drop());
  const orm = await initOrm(db.url);
  cleanup.push(() => orm.close());
  await migrate(orm);
  await seedDemoData(orm.em.fork());
  const maritaId = (await orm.em.fork().findOneOrFail(Staff, { username: DEMO.caseworker })).id;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ifo-bench-keys-'));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: String(await freeListenPort()),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    AUTH_MODE: 'dev',
    WORKER: 'off',
    SEED_DEMO_DATA: 'false',
    // The bench opens its sockets as fast as it can; the admission limit is measured elsewhere.
    WS_ADMISSION_RATE: '1000000',
  });
  const runtime = await startRuntime(config, orm, db.url);
  cleanup.push(() => runtime.close());
  const verifier = await createTokenVerifier(config);
  const server = await startServer({ config, orm, verifier, ...runtime });
  const serverMs = answerClock(server.httpServer);
  cleanup.push(() => server.close());
  const keys = await loadOrCreateDevKeys(config.dataDir);
  const sign = (username: string) =>
    signDevToken(keys, { kind: 'staff', username }, { audience: config.auth.audience });
  const senderToken = await sign(DEMO.admin);
  // ES256 signatures are randomised: every token signed is a different string, though the claims are the same.
  const tokens = (n: number) => Promise.all(Array.from({ length: n }, () => sign(DEMO.caseworker)));
  return {
    name: 'API',
    serverMs,
    wsUrl: server.url.replace(/^http/, 'ws'),
    tokens,
    query: NOTICES,
    // The same verifier the server's connects use, on tokens it has not seen (it keeps those it checked), M in a row
    // after as many to warm it (jose's signature check runs on libuv's threads: process.cpuUsage counts them).
    async tokenCheckMs() {
      const m = Math.min(N, 2_000);
      const [warm, measured] = [await tokens(m), await tokens(m)];
      for (const t of warm) await verifier.verify(t);
      const cpu = process.cpuUsage();
      for (const t of measured) await verifier.verify(t);
      return cpuMs(cpu) / m;
    },
    async send(subject) {
      const input = { idempotencyKey: randomUUID(), to: { staffIds: [maritaId] }, subject, body: 'x' };
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${senderToken}` };
      const { ms, text } = await post(
        sender,
        server.url,
        headers,
        JSON.stringify({ query: SEND, variables: { input } }),
      );
      const json = JSON.parse(text) as { errors?: unknown };
      if (json.errors) throw new Error(`sendMessage failed: ${JSON.stringify(json.errors)}`);
      return ms;
    },
  };
}

async function main() {
  const cleanup: (() => Promise<unknown>)[] = [];
  const clients = new Child('notices-clients.ts');
  const sender = new Child('notices-sender.ts');
  try {
    const floorServer = await startNoticeFloor();
    cleanup.push(() => floorServer.close());
    const floor: Target = {
      name: 'floor',
      wsUrl: floorServer.wsUrl,
      tokens: async () => ['none'],
      query: FLOOR_NOTICES,
      send: async (subject) => (await post(sender, floorServer.sendUrl, {}, subject)).ms,
      serverMs: answerClock(floorServer.httpServer),
    };
    const api = await startApi(cleanup, sender);
    await warmUp(clients, floor);
    await warmUp(clients, api);
    const connects = { floor: [] as number[], api: [] as number[] };
    for (let r = 0; r < CONNECT_WARM_ROUNDS + CONNECT_ROUNDS; r++) {
      const counted = r >= CONNECT_WARM_ROUNDS;
      say(`connect round ${r + 1}${counted ? '' : ' (warm-up)'}: ${N} sockets each, floor then API`);
      const [f, a] = [await connectRound(clients, floor), await connectRound(clients, api)];
      if (counted) [connects.floor, connects.api].forEach((xs, i) => xs.push([f, a][i]));
    }
    const floorRow = await measure(clients, floor);
    const apiRow = await measure(clients, api);
    connects.floor.push(floorRow.cpuPerConnectMs);
    connects.api.push(apiRow.cpuPerConnectMs);
    floorRow.cpuPerConnectMs = median(connects.floor);
    apiRow.cpuPerConnectMs = median(connects.api);
    const tokenMs = await api.tokenCheckMs();
    process.stdout.write(`${report(floorRow, apiRow)}\n`);
    if (connects.api.length > 1)
      process.stdout.write(
        `server CPU per connect per round (ms; the row is the median): floor ${connects.floor.map((x) => x.toFixed(3)).join(', ')}; ` +
          `API ${connects.api.map((x) => x.toFixed(3)).join(', ')}; API/floor ${connects.api.map((x, i) => (x / connects.floor[i]).toFixed(2)).join(', ')}\n`,
      );
    // The floor signs nobody in: how much of the API's connect is the token check every connect must make.
    process.stdout.write(
      `of the API's connect, its token check (ES256 signature and claims, the floor makes none): ${tokenMs.toFixed(3)} ms; ` +
        `the rest ${(apiRow.cpuPerConnectMs - tokenMs).toFixed(3)} ms = ${((apiRow.cpuPerConnectMs - tokenMs) / floorRow.cpuPerConnectMs).toFixed(2)} × the floor's connect\n`,
    );
  } finally {
    clients.stop();
    sender.stop();
    for (const step of cleanup.reverse())
      await step().catch((err: Error) => say(`cleanup step failed: ${err.message}`));
  }
}

void main().catch((err) => {
  // fetch's TypeError says only "fetch failed": the reason (EMFILE, ECONNRESET…) is its cause.
  const cause = err instanceof Error && err.cause !== undefined ? `\ncaused by: ${String(err.cause)}` : '';
  say((err instanceof Error ? (err.stack ?? err.message) : String(err)) + cause);
  process.exitCode = 1;
});
