import { randomUUID } from 'node:crypto';
import { SendMessageDocument } from '../../clients/staff/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { apiAs } from '../testkit/api';
import { startMailSink, until, type MailSink } from '../testkit/mail-sink';
import { createTestDatabase, startTestServer, type TestServer } from '../testkit/server';

/**
 * N4 Two instances, each with its own worker, on one database: every e-mail is
 * delivered once, by one of them (pg-boss hands a job to one worker; the
 * dedup key stops a second send).
 */
const ENV = { QUIET_HOURS: '0-0', REMINDER_AFTER_DAYS: '0', NOTIFY_RETRY_LIMIT: '1', NOTIFY_RETRY_DELAY_SECONDS: '1' };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: MailSink;
const servers: TestServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startMailSink({ acceptDelayMs: 15 });
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await smtp.close();
  await db.drop();
});

test('N4 two workers side by side deliver each notification exactly once', async () => {
  // The API instance queues the jobs; its own worker is off.
  const api = await startTestServer({ ...ENV, WORKER: 'off', SMTP_URL: smtp.url }, { databaseUrl: db.url });
  servers.push(api);
  await seedDemoData(api.em());
  const em = api.em();
  const tolvan = await em.findOneOrFail(Person, { personnummer: DEMO.tolvan });
  tolvan.notifyBySms = false; // count e-mail only
  await em.flush();

  const marita = apiAs(api, await api.token.staff(DEMO.caseworker));
  const count = 15;
  for (let i = 0; i < count; i++) {
    const r = await marita.mutate(SendMessageDocument, {
      input: { idempotencyKey: randomUUID(), to: { personIds: [tolvan.id] }, subject: `Besked ${i}`, body: 'x' },
    });
    expect(r.codes).toEqual([]);
  }
  const queued = async () =>
    (
      await em
        .getConnection()
        .execute<{ n: number }[]>(
          `select count(*)::int as n from pgboss.job where name = 'notify' and state in ('created', 'retry', 'active')`,
        )
    )[0].n;
  expect(await queued()).toBe(count);

  // Two workers start on the same queue at once.
  const [a, b] = await Promise.all([
    startTestServer({ ...ENV, WORKER: 'on', SMTP_URL: smtp.url }, { databaseUrl: db.url }),
    startTestServer({ ...ENV, WORKER: 'on', SMTP_URL: smtp.url }, { databaseUrl: db.url }),
  ]);
  servers.push(a, b);

  await until(async () => ((await queued()) === 0 ? true : undefined), 20_000, 'every job done');
  expect(smtp.mails).toHaveLength(count);
  expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(count);
  const [{ n }] = await em
    .getConnection()
    .execute<{ n: number }[]>('select count(*)::int as n from notification_delivery');
  expect(n).toBe(count);
});
