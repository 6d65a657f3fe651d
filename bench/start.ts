import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freeListenPort } from '../src/ports';

/**
 * Start-up time of `npm start` (issue 12, item 4), as a newcomer meets it: the real npm, the embedded
 * PostgreSQL, GET /readyz answering 200 as "ready". Two rows, each the median of BENCH_START_RUNS runs
 * (default 3), with its goal beside it:
 *
 * - first start: a new DATA_DIR (initdb, migrations, demo data);
 * - second start: the same DATA_DIR again (the usual `npm start`).
 *
 * One untimed start before them compiles dist/ and builds the web UIs if stale, so neither row measures that.
 * Run: `node -r @swc-node/register bench/start.ts`. Prints; asserts nothing. Timings depend on the machine and
 * on what else runs on it (the goals were set on a 2-core machine otherwise idle), so with BENCH_START_BASELINE
 * set to another checkout (e.g. `git archive <commit> | tar -x -C /tmp/old`, node_modules and build/ linked)
 * its `npm start` runs interleaved with ours on the same machine at the same time, and each row gets a ratio.
 */
const RUNS = Math.max(1, Number(process.env.BENCH_START_RUNS ?? 3));
/** Longest wait for one start (a first start builds the web UIs when they are stale). */
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const ROOT = path.resolve(__dirname, '..');
const GOALS = { first: 4, second: 2 } as const;
const BASELINE = process.env.BENCH_START_BASELINE ? path.resolve(process.env.BENCH_START_BASELINE) : undefined;

const say = (m: string) => process.stderr.write(`bench: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

function npmStart(cwd: string, env: Record<string, string>): Started {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  // Its own process group: npm does not pass SIGTERM on to the server, so the group gets it.
  const child = spawn('npm', ['start'], {
    cwd,
    detached: true,
    env: { ...inherited, NODE_ENV: 'development', LOG_FORMAT: 'json', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, output: () => out };
}

/** Milliseconds from spawning `npm start` to GET /readyz answering 200; the server is stopped afterwards. */
async function timeStart(dataDir: string, cwd = ROOT): Promise<number> {
  const port = await freeListenPort();
  const pgPort = await freeListenPort();
  const started = performance.now();
  const server = npmStart(cwd, { DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort) });
  let exited = false;
  void server.exited.then(() => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`npm start exited before it was ready:\n${server.output()}`);
      if (performance.now() - started > READY_TIMEOUT_MS)
        throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s:\n${server.output()}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return performance.now() - started;
      await sleep(10);
    }
  } finally {
    await stop(server);
  }
}

async function stop(server: Started): Promise<void> {
  const group = -server.child.pid!;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timedOut = await Promise.race([server.exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
  if (timedOut) process.kill(group, 'SIGKILL');
  // npm may exit before the server it started: wait (bounded) until the group is gone.
  for (let i = 0; i < 600; i++) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-start-'));
  await chmod(tmp, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its data directory
  try {
    say('an untimed start first (compiles dist/ and builds the web UIs when stale)');
    await timeStart(path.join(tmp, 'warm-up'));
    if (BASELINE) await timeStart(path.join(tmp, 'warm-up-baseline'), BASELINE);
    const ours = { first: [] as number[], second: [] as number[] };
    const theirs = { first: [] as number[], second: [] as number[] };
    const checkouts = [{ times: ours, cwd: ROOT }, ...(BASELINE ? [{ times: theirs, cwd: BASELINE }] : [])];
    for (let run = 1; run <= RUNS; run++) {
      for (const { times, cwd } of checkouts) {
        const dataDir = path.join(tmp, `run-${run}-${times === ours ? 'ours' : 'baseline'}`);
        times.first.push(await timeStart(dataDir, cwd));
        times.second.push(await timeStart(dataDir, cwd));
        say(
          `run ${run}/${RUNS} ${cwd}: first ${seconds(times.first.at(-1)!)}, second ${seconds(times.second.at(-1)!)}`,
        );
      }
    }
    const row = (name: string, kind: 'first' | 'second') => {
      const xs = ours[kind];
      const ratio = BASELINE
        ? `   ${(median(xs) / median(theirs[kind])).toFixed(2)} of the baseline's ${seconds(median(theirs[kind]))}`
        : '';
      const met = median(xs) <= GOALS[kind] * 1000 ? 'met' : 'NOT met';
      return `${name.padEnd(58)} ${seconds(median(xs)).padStart(8)}   goal ≤ ${GOALS[kind]} s ${met}${ratio}   (runs: ${xs.map(seconds).join(', ')})`;
    };
    console.log(`npm start to GET /readyz 200, median of ${RUNS} (load average now ${os.loadavg()[0].toFixed(1)}):`);
    console.log(row('first start (new data dir: initdb, migrations, demo data)', 'first'));
    console.log(row('second start (data dir exists)', 'second'));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
