import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { freeListenPort } from '../../src/ports';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A port nobody listens on right now, below the OS's ephemeral range
 * (never one the OS may hand to an outgoing connection; the server
 * prints no port, so PORT=0 will not do).
 */
export function freePort(): Promise<number> {
  return freeListenPort();
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a line matching `pattern` has been printed; rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<void>;
  /** Polls /healthz until it answers 200; rejects with the output if the process exits first. */
  waitHealthy(): Promise<Response>;
}

/** `npm start` as a child process: `node -r @swc-node/register src/main.ts` with the given environment. */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const port = env.PORT;
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: ROOT,
    // JSON log lines (development would print them pretty): tests read the server's own report from them.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', NODE_ENV: 'development', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      for (const l of listeners) l();
      resolve({ code, signal });
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    baseUrl,
    output: () => out,
    exited,
    waitForOutput: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) resolve();
          else if (hasExited) reject(new Error(`the server exited before printing ${pattern}:\n${out}`));
        };
        listeners.push(check);
        check();
      }),
    async waitHealthy() {
      for (;;) {
        if (hasExited) throw new Error(`the server exited before /healthz answered 200:\n${out}`);
        try {
          const res = await fetch(`${baseUrl}/healthz`);
          if (res.status === 200) return res;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** The embedded PostgreSQL's postmaster pid under a server's DATA_DIR (src/db/embedded.ts keeps it in `pg/`), if it is there. */
export async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    return Number((await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid still runs (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** afterEach of tests that spawn servers: a failed test must not leave a server behind (SIGKILL whatever still runs). */
export async function killLeftovers(running: { child: ChildProcess; exited: Promise<unknown> }[]): Promise<void> {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
}

/** afterAll of tests that ran the embedded PostgreSQL under `dataDir`: stop one a killed server left running (at most 5 s). */
export async function stopLeftoverPostgres(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
  for (let i = 0; i < 50 && pid && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}
