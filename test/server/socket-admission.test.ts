import WebSocket from 'ws';
import {
  reconnectDelay,
  TRY_AGAIN_LATER as CLIENT_TRY_AGAIN_LATER,
  TRY_AGAIN_LATER_MIN_MS,
} from '../../clients/shared/reconnect';
import { TokenBucket, TRY_AGAIN_LATER, TRY_AGAIN_LATER_REASON } from '../../src/subscriptions/admission';
import { startTestServer, type TestServer } from '../testkit/server';

/**
 * Reconnect storms. The server admits new websockets at a
 * bounded rate and closes the others with 1013 "Try Again Later"; the clients
 * wait with exponential backoff and jitter, longer after a 1013.
 */

describe('the admission rate (token bucket)', () => {
  test('a burst is admitted, the next socket waits for the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 50; // half a token
    expect(bucket.take()).toBe(false);
    now += 50; // one token
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000; // never more than the burst saved up
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});

describe("the clients' reconnect delay", () => {
  test('grows exponentially up to the cap, uniformly jittered below it', () => {
    const top = (attempt: number) => reconnectDelay(attempt, { random: () => 0.999999 });
    expect([0, 1, 2, 3, 4].map(top)).toEqual([999, 1999, 3999, 7999, 15999]);
    expect(top(10)).toBe(29999);
    expect(top(1000)).toBe(29999);
    // Jitter: the whole range below the ceiling, never a fixed instant for everybody (at least 100 ms).
    expect(reconnectDelay(3, { random: () => 0.5 })).toBe(4000);
    expect(reconnectDelay(3, { random: () => 0 })).toBe(100);
  });

  test('after "try again later" it waits at least the server\'s minimum', () => {
    expect(CLIENT_TRY_AGAIN_LATER).toBe(TRY_AGAIN_LATER);
    expect(reconnectDelay(0, { closeCode: 1013, random: () => 0 })).toBe(TRY_AGAIN_LATER_MIN_MS);
    expect(reconnectDelay(0, { closeCode: 1013, random: () => 0.5 })).toBeGreaterThanOrEqual(TRY_AGAIN_LATER_MIN_MS);
  });
});

describe('a server at its admission limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ WS_ADMISSION_RATE: '1', WS_ADMISSION_BURST: '2' });
  });
  afterAll(() => t.close());

  test('closes the sockets over the limit with 1013 and a reason; admitted ones speak graphql-ws', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => {
        const ws = new WebSocket(t.wsUrl, 'graphql-transport-ws');
        return new Promise<{ ws: WebSocket; code?: number; reason?: string; acked?: boolean }>((resolve) => {
          ws.on('close', (code, reason) => resolve({ ws, code, reason: reason.toString() }));
          ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
          // Without a token the server answers the init with a close (4403); an admitted socket gets that far.
          ws.on('message', () => resolve({ ws, acked: true }));
        });
      }),
    );
    const refused = outcomes.filter((o) => o.code === TRY_AGAIN_LATER);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused.every((o) => o.reason === TRY_AGAIN_LATER_REASON)).toBe(true);
    // The admitted ones reached graphql-ws (which closes an unauthenticated init with 4403, never 1013).
    const admitted = outcomes.filter((o) => o.code !== TRY_AGAIN_LATER);
    expect(admitted.length).toBeGreaterThanOrEqual(1);
    expect(admitted.every((o) => o.acked || (o.code !== undefined && o.code >= 4000))).toBe(true);
    for (const o of outcomes) o.ws.terminate();
  });
});
