import type { WebSocket, WebSocketServer } from 'ws';

/** RFC 6455 1013 "Try Again Later": the close code for a socket not admitted now (the clients know it: clients/shared/reconnect.ts). */
export const TRY_AGAIN_LATER = 1013;

/** The reason sent with {@link TRY_AGAIN_LATER}: clients back off (clients/shared/reconnect.ts) and try again. */
export const TRY_AGAIN_LATER_REASON = 'Try again later: too many new connections right now';

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up.
 * The clock is injectable for tests.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Admits new websockets at a bounded rate: after a deploy,
 * thousands of clients reconnect at once, and each socket's sign-in costs a
 * token check and a database read. A socket over the rate is closed at once,
 * before graphql-ws reads anything from it, with 1013 "Try Again Later" (a
 * code graphql-ws clients retry; ours wait with backoff and jitter). Register
 * before graphql-ws's own handler (`useServer`), so a refused socket costs no
 * sign-in.
 */
export function admitSocketsAtRate(
  wss: WebSocketServer,
  opts: { ratePerSecond: number; burst: number; onRefused?: () => void },
): void {
  const bucket = new TokenBucket(opts.ratePerSecond, opts.burst);
  wss.on('connection', (socket: WebSocket) => {
    if (bucket.take()) return;
    opts.onRefused?.();
    socket.close(TRY_AGAIN_LATER, TRY_AGAIN_LATER_REASON);
  });
}
