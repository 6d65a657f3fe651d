import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Ports we listen on stay out of the range the OS hands out to outgoing
 * connections: after a run with many sockets, a port in
 * that range may be held by a client connection, and a server then fails to
 * start with "Address already in use".
 */

/** The OS's ephemeral port range: /proc/sys/net/ipv4/ip_local_port_range where it exists, else Linux's default. */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): { low: number; high: number } {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return { low, high };
  } catch {
    /* not Linux: fall through */
  }
  return { low: 32768, high: 60999 };
}

/** Ports we choose from: above the well-known and common development ports, below the ephemeral range. */
export function listenPortRange(): { min: number; max: number } {
  const { low } = ephemeralPortRange();
  const max = low - 1;
  const min = Math.min(10_000, Math.max(1024, max - 5_000));
  return { min, max };
}

/** The embedded PostgreSQL's default port: 25432 when that lies below the ephemeral range, else just below the range. */
export function defaultEmbeddedPgPort(): number {
  const { min, max } = listenPortRange();
  return 25_432 <= max && 25_432 >= min ? 25_432 : max;
}

/** Whether nothing listens on the port (on 127.0.0.1) right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port free right now, chosen at random below the ephemeral range (never
 * PORT=0, which the OS fills from inside the range). Another process may
 * still take it before the caller listens: callers retry on EADDRINUSE.
 */
export async function freeListenPort(opts: { attempts?: number; host?: string } = {}): Promise<number> {
  const { min, max } = listenPortRange();
  const attempts = opts.attempts ?? 50;
  for (let i = 0; i < attempts; i++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (await isPortFree(port, opts.host)) return port;
  }
  throw new Error(`No free port found between ${min} and ${max} after ${attempts} attempts.`);
}

/** True for "Address already in use" (from listen, or in a child's output such as PostgreSQL's). */
export function isAddressInUse(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === 'EADDRINUSE' || /address already in use|EADDRINUSE/i.test(String(e?.message ?? err));
}
