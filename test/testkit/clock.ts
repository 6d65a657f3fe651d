/**
 * Moves the clock the server (running in the test's process) reads for
 * "today": only Date is faked, and it keeps ticking from the new time, so
 * timers, I/O and the job queue run as usual. Tokens are checked against the
 * moved clock too: sign in again after moving it (world.as gives a fresh
 * token each call). Always restore it (afterEach/finally).
 */
export function moveClockBy(days: number): void {
  jest.useFakeTimers({
    now: new Date(Date.now() + days * 86_400_000),
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

export function restoreClock(): void {
  jest.useRealTimers();
}
