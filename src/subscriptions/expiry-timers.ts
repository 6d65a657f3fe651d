/** setTimeout's longest delay; a later instant is reached in steps (its callees check the time when called). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Something to call at an instant: a socket whose credential expires then. */
export interface Expiring {
  onExpiry(): void;
}

/**
 * The sockets' credential expiries, one timer per instant. A token's `exp` is
 * a whole second, so the sockets whose tokens expire in the same second share
 * a timer. With a timer per socket, each armed with a delay of its own, Node
 * kept one timer list per socket in its timer queue, and every other timer of
 * the process (graphql-ws's keep-alive pong waits, 1,658 a second at 19,900
 * sockets) paid for that deeper queue.
 *
 * A timer fires early for an instant beyond setTimeout's range (about 24.8
 * days): the callee checks the time and adds itself again.
 */
export class ExpiryTimers {
  private readonly due = new Map<number, { timer: NodeJS.Timeout; waiting: Set<Expiring> }>();

  /** Timers armed now (one per distinct instant). */
  get size(): number {
    return this.due.size;
  }

  /** `what.onExpiry()` at `at` (ms since the epoch), or earlier when that is beyond MAX_TIMER_MS. */
  add(at: number, what: Expiring): void {
    let slot = this.due.get(at);
    if (!slot) {
      const timer = setTimeout(() => this.fire(at), Math.min(Math.max(0, at - Date.now()), MAX_TIMER_MS));
      // An idle socket's expiry must not keep a stopping process alive.
      timer.unref();
      slot = { timer, waiting: new Set() };
      this.due.set(at, slot);
    }
    slot.waiting.add(what);
  }

  /** Not called at `at` after all (the socket closed); the instant's timer goes with its last one. */
  remove(at: number, what: Expiring): void {
    const slot = this.due.get(at);
    if (!slot?.waiting.delete(what) || slot.waiting.size) return;
    clearTimeout(slot.timer);
    this.due.delete(at);
  }

  private fire(at: number): void {
    const slot = this.due.get(at);
    this.due.delete(at);
    for (const what of slot?.waiting ?? []) what.onExpiry();
  }
}
