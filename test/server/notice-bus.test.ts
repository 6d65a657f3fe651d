import { createNoticeBus } from '../../src/subscriptions/bus';

/**
 * The notice stream subscribes, then reads what it missed from the database,
 * then waits for wake-ups: a wake-up published during that read must not be
 * lost, so listening starts when subscribe() returns, not at the first read.
 */
describe('notice bus (in process)', () => {
  test('a wake-up published after subscribe() but before the first read is delivered', async () => {
    const bus = createNoticeBus();
    try {
      const live = bus.subscribe('STAFF:a');
      bus.publish('STAFF:a', { seq: '7' });
      bus.publish('STAFF:b', { seq: '8' }); // another viewer's topic
      bus.publish('STAFF:a', { seq: '9' });
      const got = [await live.next(), await live.next()].map((r) => r.value.seq);
      expect(got).toEqual(['7', '9']);
      await live.return?.();
    } finally {
      await bus.close();
    }
  });

  test('return() ends a subscription that is waiting, at once', async () => {
    const bus = createNoticeBus();
    try {
      const live = bus.subscribe('STAFF:a');
      const waiting = live.next();
      await live.return?.();
      expect(await waiting).toEqual({ done: true, value: undefined });
      bus.publish('STAFF:a', { seq: '1' });
      expect((await live.next()).done).toBe(true);
    } finally {
      await bus.close();
    }
  });
});
