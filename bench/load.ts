import { execFile } from 'node:child_process';
import path from 'node:path';

/** What one autocannon run measured. */
export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  /** Latencies in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Responses that were not 2xx, plus errors and timeouts: a run with any is not a fair number. */
  failures: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  seconds: number;
  connections: number;
  /** Replace `[<id>]` in the body with a unique id per request (autocannon -I): a send's idempotency key. */
  idReplacement?: boolean;
}

/**
 * autocannon in a child process, so the load generator never shares an event
 * loop with the server it measures. Loopback only.
 */
export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(opts.url)) throw new Error(`load goes to loopback only, not ${opts.url}`);
  const cli = path.join(path.dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
  const args = [
    cli,
    '--json',
    '--no-progress',
    '-c',
    String(opts.connections),
    '-d',
    String(opts.seconds),
    '-m',
    'POST',
    '-b',
    opts.body,
  ];
  for (const [k, v] of Object.entries(opts.headers)) args.push('-H', `${k}=${v}`);
  if (opts.idReplacement) args.push('-I');
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { maxBuffer: 16 * 1024 * 1024, timeout: (opts.seconds + 30) * 1000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`autocannon failed: ${err.message}\n${stderr}`));
        const r = JSON.parse(stdout) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number };
          non2xx: number;
          errors: number;
          timeouts: number;
        };
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          requests: r.requests.total,
          failures: r.non2xx + r.errors + r.timeouts,
        });
      },
    );
  });
}
