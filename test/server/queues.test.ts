import PgBoss from 'pg-boss';
import {
  SESSION_HOUSEKEEPING_CRON,
  SESSION_HOUSEKEEPING_QUEUE,
  startSessionHousekeeping,
} from '../../src/auth/session-housekeeping';
import { loadConfig } from '../../src/config';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { initOrm } from '../../src/db/orm';
import { BrowserSession, OidcLogin } from '../../src/entities/browser-session';
import { Staff } from '../../src/entities/staff';
import { ensureQueue } from '../../src/notifications/boss';
import { createTestDatabase } from '../testkit/server';

/**
 * QU1: instances that start together (a rolling deploy, two workers) all create
 * the job queues they need; none fails its start because another created the
 * same queue at the same moment.
 */
test('QU1 queues created by several instances at once: every start succeeds and each queue exists once', async () => {
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

/**
 * QU2: removing ended browser sessions is a pg-boss schedule (one run across
 * the servers), not a timer in every process: each server that runs the
 * background work registers the same hourly schedule, and one job of its
 * queue removes what ended.
 */
test('QU2 session housekeeping: one hourly schedule however many servers start it; its job removes ended sessions and OIDC sign-ins', async () => {
  const db = await createTestDatabase();
  const orm = await initOrm(db.url, { poolMax: 2 });
  const bosses = Array.from(
    { length: 2 },
    () => new PgBoss({ connectionString: db.url, schema: 'pgboss', max: 2, supervise: false, schedule: false }),
  );
  const started: { stop(): Promise<void> }[] = [];
  try {
    await seedDemoData(orm.em.fork());
    const config = loadConfig({});
    const em = () => orm.em.fork();
    const e = em();
    const staff = await e.findOneOrFail(Staff, { username: DEMO.caseworker });
    const hour = 3600_000;
    e.create(BrowserSession, { idHash: 'q2-ended', staff, expiresAt: new Date(Date.now() - 1) });
    e.create(BrowserSession, {
      idHash: 'q2-idle',
      staff,
      lastSeenAt: new Date(Date.now() - 13 * hour),
      expiresAt: new Date(Date.now() + hour),
    });
    e.create(BrowserSession, { idHash: 'q2-live', staff, expiresAt: new Date(Date.now() + hour) });
    e.create(OidcLogin, {
      idHash: 'q2-oidc',
      app: 'staff',
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      returnTo: '/',
      expiresAt: new Date(Date.now() - 1),
    });
    await e.flush();

    for (const b of bosses) b.on('error', () => undefined);
    await Promise.all(bosses.map((b) => b.start()));
    started.push(...(await Promise.all(bosses.map((boss) => startSessionHousekeeping({ em, boss, config })))));
    const schedules = (await bosses[0].getSchedules()).filter((s) => s.name === SESSION_HOUSEKEEPING_QUEUE);
    expect(schedules).toMatchObject([{ cron: SESSION_HOUSEKEEPING_CRON, timezone: 'Europe/Stockholm' }]);

    // What the timekeeper sends on the hour.
    await bosses[1].send(SESSION_HOUSEKEEPING_QUEUE, {});
    const left = async () => (await em().find(BrowserSession, {})).map((s) => s.idHash).sort();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await left()).length > 1) await new Promise((r) => setTimeout(r, 200));
    expect(await left()).toEqual(['q2-live']);
    expect(await em().count(OidcLogin, {})).toBe(0);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
    await orm.close();
    await db.drop();
  }
});
