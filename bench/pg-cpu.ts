import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time used so far by PostgreSQL's server processes on this machine (every process named `postgres`, and the
 * backends they have reaped, from /proc), in ms: the bench's database is local, so what a round adds is what its requests cost the database.
 * Linux only; elsewhere NaN, and the column reads "–". Resolution: one clock tick (10 ms), fine over a round of
 * thousands of requests.
 */
let ticksPerSecond: number | undefined;
export function postgresCpuMs(): number {
  if (process.platform !== 'linux') return NaN;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces. utime and stime (fields 14, 15) are the process's own;
      // cutime and cstime (16, 17) hold its reaped children's, so a backend that ended (a pool closing a
      // connection) still counts, in its postmaster's.
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended while we read.
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}
