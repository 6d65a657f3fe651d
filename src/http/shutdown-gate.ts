import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { ErrorCode, httpStatusOf } from '../errors';
import { sendJsonError } from './json-errors';

/** Seconds a client is asked to wait (Retry-After) before sending again to a server that is shutting down. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The first step of a shutdown that loses nothing: from
 * `close()` on, a request that arrives is answered 503 with Retry-After and
 * nothing of it is done (a load balancer or client sends it again, to another
 * instance or to this one restarted); the requests already in flight run to
 * the end, and `close()` resolves when the last of them has answered (or the
 * grace period is over). New websockets are refused the same way.
 */
export class ShutdownGate {
  constructor(private readonly opts: { exempt?: (req: Request) => boolean } = {}) {}

  private inFlight = 0;
  private closed = false;
  private idle: (() => void)[] = [];

  /** Counts requests in flight; refuses new ones once closed. Mount it first. */
  readonly middleware: RequestHandler = (req, res, next) => {
    // Health checks answer to the end (/readyz says "shutting down" itself).
    if (this.opts.exempt?.(req)) {
      next();
      return;
    }
    if (this.closed) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.setHeader('Connection', 'close');
      res.setHeader('Cache-Control', 'no-store');
      sendJsonError(
        res,
        ErrorCode.SERVICE_UNAVAILABLE,
        `The server is restarting and did not take this request; nothing of it was done. Send it again in ${RETRY_AFTER_SECONDS} seconds.`,
      );
      return;
    }
    this.inFlight++;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };

  /** For a websocket upgrade (ws `verifyClient`): false with 503 once closed. */
  admitsUpgrade(
    _req: IncomingMessage,
  ): { ok: true } | { ok: false; status: number; message: string; headers: Record<string, string> } {
    if (!this.closed) return { ok: true };
    return {
      ok: false,
      status: httpStatusOf(ErrorCode.SERVICE_UNAVAILABLE),
      message: 'Service Unavailable: the server is restarting',
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Requests being answered now. */
  get active(): number {
    return this.inFlight;
  }

  /** Refuses new requests from now on; resolves true once those in flight have answered, false if `graceMs` ran out first. */
  async close(graceMs: number): Promise<boolean> {
    this.closed = true;
    if (this.inFlight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<true>((resolve) => this.idle.push(() => resolve(true)));
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    try {
      return await Promise.race([drained, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
