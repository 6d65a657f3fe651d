import { ExpiryTimers } from '../../src/subscriptions/expiry-timers';

/**
 * A socket is closed when its token expires (websocket-revalidation.test.ts,
 * WR2, end to end). The timers behind it: the sockets whose tokens expire in
 * the same instant share one, each is called at that instant and not before,
 * and a socket that closed first is not called.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function socket() {
  const calls: number[] = [];
  return { calls, onExpiry: () => calls.push(Date.now()) };
}

describe('ExpiryTimers', () => {
  test('sockets expiring in the same instant share one timer; each is called then, not before', async () => {
    const timers = new ExpiryTimers();
    const at = Date.now() + 80;
    const [a, b, c] = [socket(), socket(), socket()];
    timers.add(at, a);
    timers.add(at, b);
    timers.add(at + 1000, c);
    expect(timers.size).toBe(2);
    await sleep(20);
    expect(a.calls).toEqual([]);
    await sleep(200);
    for (const s of [a, b]) {
      expect(s.calls).toHaveLength(1);
      // Timers count from the event loop's clock, which may lag Date.now() by a millisecond.
      expect(s.calls[0]).toBeGreaterThanOrEqual(at - 2);
    }
    expect(c.calls).toEqual([]);
    expect(timers.size).toBe(1);
    timers.remove(at + 1000, c);
    expect(timers.size).toBe(0);
  });

  test('a socket removed before the instant is not called; the others still are', async () => {
    const timers = new ExpiryTimers();
    const at = Date.now() + 50;
    const [a, b] = [socket(), socket()];
    timers.add(at, a);
    timers.add(at, b);
    timers.remove(at, a);
    expect(timers.size).toBe(1);
    await sleep(150);
    expect(a.calls).toEqual([]);
    expect(b.calls).toHaveLength(1);
    expect(timers.size).toBe(0);
  });

  test("the last socket's removal stops the instant's timer; removing one not added changes nothing", async () => {
    const timers = new ExpiryTimers();
    const at = Date.now() + 50;
    const a = socket();
    timers.add(at, a);
    timers.remove(at, socket());
    timers.remove(at + 1, a);
    expect(timers.size).toBe(1);
    timers.remove(at, a);
    expect(timers.size).toBe(0);
    await sleep(120);
    expect(a.calls).toEqual([]);
  });

  test('an instant already past is called at once', async () => {
    const timers = new ExpiryTimers();
    const a = socket();
    timers.add(Date.now() - 1000, a);
    await sleep(20);
    expect(a.calls).toHaveLength(1);
  });
});
