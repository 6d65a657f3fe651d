/**
 * Reconnecting without a storm (issue 12, item 6): after a deploy every open
 * page loses its socket at once. Each client waits an exponentially growing,
 * randomly jittered time ("full jitter"), so 20,000 clients spread over the
 * window instead of arriving together; a server that is admitting sockets at
 * its limit closes new ones with {@link TRY_AGAIN_LATER} and the client then
 * waits at least {@link TRY_AGAIN_LATER_MIN_MS}.
 */

/** The close code the server sends to a socket it will not admit now (RFC 6455: 1013 Try Again Later). graphql-ws retries it. */
export const TRY_AGAIN_LATER = 1013;
/** The least a client waits after a {@link TRY_AGAIN_LATER} close. */
export const TRY_AGAIN_LATER_MIN_MS = 2_000;

export interface ReconnectOptions {
  /** The first wait's upper bound (default 1 s). */
  baseMs?: number;
  /** The longest wait (default 30 s). */
  capMs?: number;
  /** The close code of the socket that was lost, when known. */
  closeCode?: number;
  /** Random source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/** How long to wait before reconnect attempt `attempt` (0 for the first retry): uniformly random up to min(cap, base·2^attempt). */
export function reconnectDelay(attempt: number, opts: ReconnectOptions = {}): number {
  const base = opts.baseMs ?? 1_000;
  const cap = opts.capMs ?? 30_000;
  const random = opts.random ?? Math.random;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  const jittered = Math.floor(random() * ceiling);
  if (opts.closeCode === TRY_AGAIN_LATER)
    return Math.max(jittered, TRY_AGAIN_LATER_MIN_MS + Math.floor(random() * TRY_AGAIN_LATER_MIN_MS));
  return Math.max(100, jittered);
}

/** For graphql-ws's `retryWait`: resolves after {@link reconnectDelay}. */
export function retryWait(retries: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, reconnectDelay(retries)));
}
