import './log-env';
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadOrCreateDevKeys } from '../src/auth/dev-keys';
import { createTokenVerifier, signDevToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { freeListenPort } from '../src/ports';
import { DEMO } from '../src/db/demo-data';
import { initOrm, migrate, type Orm } from '../src/db/orm';
import { startRuntime, type Runtime } from '../src/runtime';
import { startServer, type RunningServer } from '../src/server';
import { arrangeInbox } from './arrange';
import { startBaseline, type Baseline } from './baseline';
import { startBenchDatabase, type BenchDatabase } from './database';
import { runLoad, type LoadResult } from './load';
import { profiled } from './profile';
import { postgresCpuMs } from './pg-cpu';
import { cpuTicks, percentText, stolenPercent } from './steal';
import { startSendFloor } from './send-floor';

/**
 * `npm run bench`: the staff inbox page over HTTP, the real server against a
 * hand-written floor (bare node:http + pg, one SQL statement) on the same data
 * in the same run. Prints ratios, asserts nothing.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CONVERSATIONS = 200;
const POOL_MAX = 10; // the API's default pool (initOrm), given to the floor too
/** The send rows: seconds per round, and rounds (floor and API interleaved). */
const SEND_SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** The inbox rows: interleaved rounds of `SECONDS`; `BENCH_INBOX_ONLY=1` skips the send rows. */
const INBOX_ROUNDS = Number(process.env.BENCH_INBOX_ROUNDS ?? 2);
/**
 * Requests each inbox target answers before the first round, so that its JIT and heap have settled (a server in use
 * is long past that). Measured 2026-12-03, API Node CPU per page by round, runs alternating: after 400, 4.52 3.39 3.48 /
 * 4.92 4.19 4.50 4.08 / 4.12 3.47 4.08 3.61 ms; after 2,000, 3.38 3.80 3.27 / 3.38 3.27 3.44 2.90 / 4.18 3.19 3.90
 * 3.14 ms. A round's spread stays (0.5–1 ms), but the mean drops about 0.5 ms; the floors warm up the same way.
 */
const WARM_REQUESTS = Number(process.env.BENCH_WARM_REQUESTS ?? 2000);

const QUERY = `query Inbox {
  conversations(first: 50) {
    nodes { id subject unreadCount lastMessage { id subject sentAt sender { name } } participants { kind name } }
  }
}`;
const BODY = JSON.stringify({ query: QUERY, operationName: 'Inbox' });

const say = (m: string) => process.stderr.write(`bench: ${m}\n`);

type Measured = LoadResult & { cpuMs: number; pgMs: number; stealPct: number };
/**
 * A load run with this process's CPU time per request (the servers measured run in this process),
 * PostgreSQL's (its server processes on this machine), and the share of the machine's CPU stolen meanwhile.
 */
async function measured(run: () => Promise<LoadResult>): Promise<Measured> {
  const before = process.cpuUsage();
  const pgBefore = postgresCpuMs();
  const ticks = cpuTicks();
  const r = await run();
  const used = process.cpuUsage(before);
  const n = Math.max(1, r.requests);
  return {
    ...r,
    cpuMs: (used.user + used.system) / 1000 / n,
    pgMs: (postgresCpuMs() - pgBefore) / n,
    stealPct: stolenPercent(ticks),
  };
}

/** "steal 0.3 %, 4.1 %": per round, the share of the machine's CPU another guest of the host took (bench/steal.ts). */
const stealText = (rounds: Measured[][]) =>
  `steal ${rounds[0].map((_, i) => percentText(Math.max(...rounds.map((r) => r[i].stealPct)))).join(', ')}`;

async function post(url: string, token: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: BODY,
  });
  return { status: res.status, text: await res.text() };
}

/** Requests for the JIT, the heap and the pools to settle before anything is timed. */
async function warmUp(url: string, token: string, requests: number, concurrency = CONNECTIONS): Promise<void> {
  let left = requests;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const r = await post(url, token);
        if (r.status !== 200) throw new Error(`warm-up got HTTP ${r.status} from ${url}: ${r.text.slice(0, 300)}`);
      }
    }),
  );
}

async function main() {
  const started = Date.now();
  const startTicks = cpuTicks();
  const cleanup: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stop = async () => {
    for (const step of cleanup.reverse())
      await step().catch((err) => say(`cleanup step failed: ${err instanceof Error ? err.message : err}`));
    cleanup.length = 0;
  };
  process.once('SIGINT', () => {
    if (stopping) return;
    stopping = true;
    say('interrupted, cleaning up');
    void stop().then(() => process.exit(130));
  });

  try {
    const db: BenchDatabase = await startBenchDatabase(say);
    cleanup.push(() => db.drop());

    // Statements are logged (and counted) only while the probe request runs: logging costs CPU under load.
    // Through the configuration, not the logger: MikroORM puts the configured debug mode back on the logger at
    // every em.fork() (Configuration.set -> sync), so a logger switched off by hand was on again from the first
    // request, and until 2026-12-03 every API round ran with each statement formatted and collected here.
    const statements: string[] = [];
    const orm: Orm = await initOrm(db.url, { onQuery: (m) => statements.push(m) });
    cleanup.push(() => orm.close());
    const logSql = (on: boolean) => orm.config.set('debug', on ? ['query'] : false);
    logSql(false);
    await migrate(orm);

    say(`arranging an inbox of ${CONVERSATIONS} conversations through MessageService`);
    const t0 = Date.now();
    const inbox = await arrangeInbox(orm, CONVERSATIONS);
    say(
      `arranged in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${inbox.conversations} conversations, ${inbox.messages} messages, ${inbox.unreadConversations} with unread`,
    );

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
    });
    const verifier = await createTokenVerifier(config);
    const runtime: Runtime = await startRuntime(config, orm, db.url);
    cleanup.push(() => runtime.close());
    const server: RunningServer = await startServer({
      config,
      orm,
      verifier,
      sink: runtime.sink,
      bus: runtime.bus,
      boss: runtime.boss,
    });
    cleanup.push(() => server.close());
    const keys = await loadOrCreateDevKeys(config.dataDir);
    const token = await signDevToken(
      keys,
      { kind: 'staff', username: DEMO.caseworker },
      { audience: config.auth.audience },
    );

    const floor: Baseline = await startBaseline(db.url, { partyKey: inbox.partyKey, poolMax: POOL_MAX });
    cleanup.push(() => floor.close());
    const dutiful: Baseline = await startBaseline(db.url, { duties: { verifier }, poolMax: POOL_MAX });
    cleanup.push(() => dutiful.close());

    // Same page, same JSON: otherwise the ratio compares different work.
    const api = await post(server.url, token);
    if (api.status !== 200) throw new Error(`the API answered HTTP ${api.status}: ${api.text.slice(0, 500)}`);
    const apiJson = JSON.parse(api.text);
    if (apiJson.errors) throw new Error(`the API answered errors: ${JSON.stringify(apiJson.errors)}`);
    const nodes = apiJson.data.conversations.nodes as { unreadCount: number }[];
    for (const [name, b] of [
      ['baseline', floor],
      ['baseline + duties', dutiful],
    ] as const) {
      const other = await post(b.url, token);
      if (!isDeepStrictEqual(JSON.parse(other.text), apiJson)) {
        throw new Error(
          `${name} does not answer what the API answers:\nAPI:  ${api.text.slice(0, 600)}\n${name}: ${other.text.slice(0, 600)}`,
        );
      }
    }

    // Every statement one API request sends, from authentication to the last loader.
    logSql(true);
    statements.length = 0;
    await post(server.url, token);
    logSql(false);
    const sql = statements.filter((s) => /\[query\]/.test(s));

    const targets: { name: string; url: string }[] = [
      { name: 'baseline: node:http + pg, 1 SQL statement', url: floor.url },
      { name: 'API: Apollo + type-graphql + MikroORM', url: server.url },
      { name: 'baseline + duties (token, access log)', url: dutiful.url },
    ];
    // Interleaved rounds (floor, API, floor + duties, floor, API…): a machine that slows down moves all rows alike.
    for (const target of targets) {
      say(`${target.name}: warm-up`);
      await warmUp(target.url, token, WARM_REQUESTS);
    }
    const rounds: Measured[][] = targets.map(() => []);
    for (let round = 0; round < INBOX_ROUNDS; round++) {
      for (const [i, target] of targets.entries()) {
        say(`${target.name}, round ${round + 1}: ${SECONDS} s at ${CONNECTIONS} connections`);
        const load = () =>
          runLoad({
            url: target.url,
            body: BODY,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            seconds: SECONDS,
            connections: CONNECTIONS,
          });
        const profile = i === 1 && round === INBOX_ROUNDS - 1 ? process.env.BENCH_PROFILE : undefined;
        rounds[i].push(await profiled(profile, () => measured(load)));
      }
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Steal is printed per round (stealText), not averaged.
    const results: Omit<Measured, 'stealPct'>[] = rounds.map((rs) => ({
      rps: avg(rs.map((r) => r.rps)),
      p50: avg(rs.map((r) => r.p50)),
      p99: avg(rs.map((r) => r.p99)),
      requests: rs.reduce((k, r) => k + r.requests, 0),
      failures: rs.reduce((k, r) => k + r.failures, 0),
      cpuMs: avg(rs.map((r) => r.cpuMs)),
      pgMs: avg(rs.map((r) => r.pgMs)),
    }));

    const base = results[0].rps;
    const pad = (s: string, n: number) => s.padEnd(n);
    const num = (v: number, n: number, digits = 0) => v.toFixed(digits).padStart(n);
    const pgCol = (v: number, n: number) => (Number.isNaN(v) ? '–' : v.toFixed(2)).padStart(n);
    const lines = [
      '',
      `Inbox page, conversations(first: 50) for ${DEMO.caseworker}: ${inbox.conversations} conversations, ${inbox.messages} messages, ${inbox.unreadConversations} with unread; ${nodes.filter((n) => n.unreadCount > 0).length} of the 50 listed have unread.`,
      `Node ${process.version}, ${os.cpus().length} CPUs, ${db.origin}; autocannon ${CONNECTIONS} connections, ${SECONDS} s each, loopback. Response ${Buffer.byteLength(api.text)} bytes.`,
      '',
      `${pad('', 44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'× baseline'.padStart(11)} ${'CPU ms/req'.padStart(11)} ${'PG ms/req'.padStart(10)}`,
      ...targets.map((t, i) => {
        const r = results[i];
        const failed = r.failures ? `   (${r.failures} failed requests: not a fair number)` : '';
        return `${pad(t.name, 44)} ${num(r.rps, 8, 1)} ${num(r.p50, 7)} ${num(r.p99, 7)} ${num(r.rps / base, 11, 2)} ${num(r.cpuMs, 11, 2)} ${pgCol(r.pgMs, 10)}${failed}`;
      }),
      `(CPU ms/req: this Node process's CPU time per request, the server's or the floor's, which run in it; the load generator is a child process.`,
      ` PG ms/req: CPU time of this machine's PostgreSQL server processes per request.)`,
      '',
      `API / baseline: ${(results[1].rps / base).toFixed(2)}   API / baseline + duties: ${(results[1].rps / results[2].rps).toFixed(2)}   ` +
        `p99 API / baseline: ${(results[1].p99 / results[0].p99).toFixed(2)}   (goals: >= 0.6, p99 <= 2, CPU <= 4 ms)`,
      `per round: API / baseline ${rounds[1].map((r, i) => (r.rps / rounds[0][i].rps).toFixed(2)).join(', ')}; ` +
        `CPU ms/req API ${rounds[1].map((r) => r.cpuMs.toFixed(2)).join(', ')}, baseline ${rounds[0].map((r) => r.cpuMs.toFixed(2)).join(', ')}; ` +
        `${stealText(rounds)} (the most of the round's rows)`,
      `SQL statements per API request: ${sql.length} (baselines: 1)`,
      ...sql.map(
        (s, i) =>
          `  ${String(i + 1).padStart(2)}. ${s
            .replace(/^\[query\]\s*/, '')
            .replace(/\s+/g, ' ')
            .slice(0, 110)}`,
      ),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    if (process.env.BENCH_INBOX_ONLY === '1') return;

    // --- sendMessage to 1 and to 10 citizens against a raw pg transaction doing the same inserts (issue 12, item 3) ---
    const citizens: { id: string }[] = await orm.em
      .getConnection()
      .execute(
        `select p.id from person p join case_file c on c.holder_id = p.id where c.caseworker_id = ? and c.status = 'OPEN' and p.messaging_enabled order by p.id limit 10`,
        [inbox.staff.id],
      );
    if (citizens.length < 10) throw new Error(`only ${citizens.length} citizens of ${DEMO.caseworker}'s to send to`);
    const sendFloor = await startSendFloor(db.url, { staffId: inbox.staff.id, poolMax: POOL_MAX });
    cleanup.push(() => sendFloor.close());
    const sendBody = (n: number) =>
      JSON.stringify({
        query: 'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
        variables: {
          input: {
            idempotencyKey: 'bench-[<id>]',
            to: { personIds: citizens.slice(0, n).map((c) => c.id) },
            subject: 'Bench',
            body: '<p>Hej</p>',
          },
        },
      });
    for (const n of [1, 10]) {
      // Both answer a send before anything is timed (a floor that fails fast would look fast).
      const floorProbe = await fetch(sendFloor.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: sendBody(n).replace('[<id>]', 'floor-probe-' + n),
      });
      if (floorProbe.status !== 200)
        throw new Error(
          `the send floor answered HTTP ${floorProbe.status}: ${(await floorProbe.text()).slice(0, 400)}`,
        );
      const probe = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: sendBody(n).replace('[<id>]', 'probe-' + n),
      });
      const answer = (await probe.json()) as { data?: { sendMessage: unknown[] }; errors?: unknown };
      if (answer.errors || answer.data?.sendMessage.length !== n)
        throw new Error(`the API's send to ${n} answered ${JSON.stringify(answer).slice(0, 400)}`);
    }
    const sendRows: { name: string; floor: Measured[]; api: Measured[] }[] = [];
    for (const n of [1, 10]) {
      const row = {
        name: `sendMessage to ${n} citizen${n > 1 ? 's' : ''}`,
        floor: [] as Measured[],
        api: [] as Measured[],
      };
      // Interleaved rounds (floor, API, floor, API…): a machine that slows down between rows moves both alike.
      for (let round = 0; round < ROUNDS; round++) {
        for (const [target, into] of [
          [sendFloor.url, row.floor],
          [server.url, row.api],
        ] as const) {
          say(
            `${row.name}, round ${round + 1}: ${target === server.url ? 'API' : 'raw pg transaction'} for ${SEND_SECONDS} s at ${CONNECTIONS} connections`,
          );
          const profile =
            target === server.url && n === 1 && round === ROUNDS - 1 ? process.env.BENCH_SEND_PROFILE : undefined;
          into.push(
            await profiled(profile, () =>
              measured(() =>
                runLoad({
                  url: target,
                  body: sendBody(n),
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                  seconds: SEND_SECONDS,
                  connections: CONNECTIONS,
                  idReplacement: true,
                }),
              ),
            ),
          );
        }
      }
      sendRows.push(row);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sendLines = [
      '',
      `sendMessage from ${DEMO.caseworker}, ${CONNECTIONS} concurrent senders, ${ROUNDS} interleaved rounds of ${SEND_SECONDS} s; floor: node:http + pg, one transaction: one multi-row insert per table, then the notices with the unread counts folded in.`,
      '',
      `${pad('', 44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'× floor'.padStart(9)} ${'CPU ms/req'.padStart(11)} ${'PG ms/req'.padStart(10)}  goal`,
      ...sendRows.flatMap((row) => {
        const f = mean(row.floor.map((r) => r.rps));
        const a = mean(row.api.map((r) => r.rps));
        const failedFloor = row.floor.reduce((k, r) => k + r.failures, 0);
        const failed = row.api.reduce((k, r) => k + r.failures, 0);
        return [
          `${pad(`${row.name}: raw pg transaction`, 44)} ${num(f, 8, 1)} ${num(mean(row.floor.map((r) => r.p50)), 7)} ${num(mean(row.floor.map((r) => r.p99)), 7)} ${num(1, 9, 2)} ${num(mean(row.floor.map((r) => r.cpuMs)), 11, 2)} ${pgCol(mean(row.floor.map((r) => r.pgMs)), 10)}${failedFloor ? `   (${failedFloor} failed requests: not a fair number)` : ''}`,
          `${pad(`${row.name}: API`, 44)} ${num(a, 8, 1)} ${num(mean(row.api.map((r) => r.p50)), 7)} ${num(mean(row.api.map((r) => r.p99)), 7)} ${num(a / f, 9, 2)} ${num(mean(row.api.map((r) => r.cpuMs)), 11, 2)} ${pgCol(mean(row.api.map((r) => r.pgMs)), 10)}  >= 0.50${failed ? `   (${failed} failed requests: not a fair number)` : ''}`,
          `${pad('', 44)} per round: ${row.api.map((r, i) => (r.rps / row.floor[i].rps).toFixed(2)).join(', ')}; ${stealText([row.floor, row.api])}`,
        ];
      }),
      '',
      `Whole run: ${((Date.now() - started) / 1000).toFixed(0)} s (before cleanup); CPU stolen by the host meanwhile: ${percentText(stolenPercent(startTicks))} ` +
        `of this machine's (bench/steal.ts: above a few %, another guest took CPU from the run, floors included).`,
      '',
    ];
    process.stdout.write(sendLines.join('\n'));
  } finally {
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
