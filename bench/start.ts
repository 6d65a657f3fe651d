import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
 * Beside each time, the CPU the server process had used when it was ready (and npm's own, apart): on this shared
 * 2-core machine the times follow the load average, the CPU much less, so it shows a change where times cannot.
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

interface Timing {
  ms: number;
  /** CPU ms of the server's node process at ready; undefined where /proc cannot tell. */
  serverCpu?: number;
  /** CPU ms of npm itself at ready. */
  npmCpu?: number;
}

/**
 * CPU used so far by the processes of the group `npm start` runs in, from /proc (Linux): the server (node) and npm.
 * PostgreSQL runs in a process group of its own and is not counted.
 */
function groupCpu(group: number): { serverCpu?: number; npmCpu?: number } {
  const TICKS_PER_SECOND = 100; // USER_HZ on Linux
  let serverCpu: number | undefined;
  let npmCpu: number | undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return {};
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== group) continue;
    // utime, stime, and the same of children waited for (fields 14-17 of stat, counted from the state field here).
    const ms =
      ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
    if (name === 'node') serverCpu = (serverCpu ?? 0) + ms;
    else if (name === 'npm' || name.startsWith('npm ')) npmCpu = (npmCpu ?? 0) + ms;
  }
  return { serverCpu, npmCpu };
}

/** Time from spawning `npm start` to GET /readyz answering 200, and the CPU used by then; the server is stopped afterwards. */
async function timeStart(dataDir: string, cwd = ROOT): Promise<Timing> {
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
      if (status === 200) return { ms: performance.now() - started, ...groupCpu(server.child.pid!) };
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
const describe = (t: Timing) =>
  `${seconds(t.ms)}${t.serverCpu === undefined ? '' : ` (server CPU ${seconds(t.serverCpu)})`}`;
const ratioTo = (xs: number[], baseline: number[]) =>
  `${(median(xs) / median(baseline)).toFixed(2)} of the baseline's ${seconds(median(baseline))}`;
/** The runs' CPU figures, when every run has them. */
function cpuOf(ts: Timing[]): { server: number[]; npm: number[] } | undefined {
  if (!ts.every((t) => t.serverCpu !== undefined)) return undefined;
  return { server: ts.map((t) => t.serverCpu!), npm: ts.map((t) => t.npmCpu ?? 0) };
}

async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-start-'));
  await chmod(tmp, 0o755); // as root, PostgreSQL runs as the postgres user, which must reach its data directory
  try {
    say('an untimed start first (compiles dist/ and builds the web UIs when stale)');
    await timeStart(path.join(tmp, 'warm-up'));
    if (BASELINE) await timeStart(path.join(tmp, 'warm-up-baseline'), BASELINE);
    const ours = { first: [] as Timing[], second: [] as Timing[] };
    const theirs = { first: [] as Timing[], second: [] as Timing[] };
    const checkouts = [{ times: ours, cwd: ROOT }, ...(BASELINE ? [{ times: theirs, cwd: BASELINE }] : [])];
    for (let run = 1; run <= RUNS; run++) {
      for (const { times, cwd } of checkouts) {
        const dataDir = path.join(tmp, `run-${run}-${times === ours ? 'ours' : 'baseline'}`);
        times.first.push(await timeStart(dataDir, cwd));
        times.second.push(await timeStart(dataDir, cwd));
        const [first, second] = [times.first.at(-1)!, times.second.at(-1)!];
        say(`run ${run}/${RUNS} ${cwd}: first ${describe(first)}, second ${describe(second)}`);
      }
    }
    console.log(`npm start to GET /readyz 200, median of ${RUNS} (load average now ${os.loadavg()[0].toFixed(1)}):`);
    for (const [name, kind] of [
      ['first start (new data dir: initdb, migrations, demo data)', 'first'],
      ['second start (data dir exists)', 'second'],
    ] as const) {
      const xs = ours[kind].map((t) => t.ms);
      const ratio = BASELINE
        ? `   ${ratioTo(
            xs,
            theirs[kind].map((t) => t.ms),
          )}`
        : '';
      const met = median(xs) <= GOALS[kind] * 1000 ? 'met' : 'NOT met';
      console.log(
        `${name.padEnd(58)} ${seconds(median(xs)).padStart(8)}   goal ≤ ${GOALS[kind]} s ${met}${ratio}   (runs: ${xs.map(seconds).join(', ')})`,
      );
      const cpu = cpuOf(ours[kind]);
      if (cpu)
        console.log(
          `${'  server CPU at ready (npm apart)'.padEnd(58)} ${seconds(median(cpu.server)).padStart(8)}   npm ${seconds(median(cpu.npm))}` +
            (BASELINE && cpuOf(theirs[kind]) ? `   ${ratioTo(cpu.server, cpuOf(theirs[kind])!.server)}` : '') +
            `   (runs: ${cpu.server.map(seconds).join(', ')})`,
        );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
