import PgBoss from 'pg-boss';
import { ensureQueue } from '../../src/notifications/boss';
import { createTestDatabase } from '../testkit/server';

/**
 * Q1: instances that start together (a rolling deploy, two workers) all create
 * the job queues they need; none fails its start because another created the
 * same queue at the same moment.
 */
test('Q1 queues created by several instances at once: every start succeeds and each queue exists once', async () => {
  const db = await createTestDatabase();
  const bosses = Array.from(
    { length: 4 },
    () => new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 2, supervise: false, schedule: false }),
  );
  try {
    for (const b of bosses) b.on('error', () => undefined);
    await Promise.all(bosses.map((b) => b.start()));
    const names = ['q1-notify', 'q1-retention', 'q1-extract'];
    const results = await Promise.allSettled(
      bosses.flatMap((b) => names.map((n) => ensureQueue(b, n, { retryLimit: 1 }))),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const n of names) expect((await bosses[0].getQueue(n))?.name).toBe(n);
  } finally {
    await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
    await db.drop();
  }
});
