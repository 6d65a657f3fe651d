import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SendMessageDocument } from '../../clients/staff/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { dedupKey } from '../../src/notifications/outbox';
import { apiAs } from '../testkit/api';
import { startMailSink, until, type MailSink } from '../testkit/mail-sink';
import { startTestServer, type TestServer } from '../testkit/server';

const MESSAGES = 20;
const ENV = {
  QUIET_HOURS: '0-0',
  REMINDER_AFTER_DAYS: '0',
  NOTIFY_RETRY_DELAY_SECONDS: '1',
  NOTIFY_JOB_TIMEOUT_SECONDS: '4',
};

let t: TestServer;
let smtp: MailSink;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  smtp = await startMailSink({ acceptDelayMs: 150 }); // slow enough that a kill lands mid-batch
  t = await startTestServer(ENV); // API only: no worker in this process
  await seedDemoData(t.em());
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ifo-crash-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.close();
  await smtp?.close();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

/** `npm run worker` as its own process, on the test database. */
function spawnWorker(): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/worker.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      ...ENV,
      NODE_ENV: 'test',
      AUTH_MODE: 'dev',
      DATABASE_URL: t.config.databaseUrl,
      SMTP_URL: smtp.url,
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  children.push(child);
  return { child, output: () => output };
}

test('NC1 a worker killed mid-batch and restarted delivers every e-mail notification exactly once by dedup key', async () => {
  const josefineId = (await t.em().findOneOrFail(Person, { personnummer: DEMO.relation })).id; // e-mail only
  const marita = apiAs(t, await t.token.staff(DEMO.caseworker));
  const messageIds: string[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const r = await marita.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { personIds: [josefineId] },
        subject: `Ärende ${i}`,
        body: `Meddelande ${i}`,
      },
    });
    expect(r.codes).toEqual([]);
    messageIds.push(r.data!.sendMessage[0].id);
  }
  const expected = new Set(messageIds.map((id) => dedupKey(id, josefineId, 'email', 'new')));
  const conn = () => t.em().getConnection();
  const states = async () =>
    conn().execute<{ state: string; n: string }[]>(
      `select state, count(*) as n from pgboss.job where name = 'notify' group by state`,
    );
  expect(await states()).toEqual([{ state: 'created', n: String(MESSAGES) }]);

  const first = spawnWorker();
  await until(
    () =>
      smtp.mails.length >= 3
        ? true
        : first.child.exitCode !== null
          ? Promise.reject(new Error(first.output()))
          : undefined,
    15_000,
    'the first mails',
  );
  first.child.kill('SIGKILL');
  await until(() => (first.child.signalCode ? true : undefined), 5_000, 'the worker to die');
  const beforeRestart = smtp.mails.length;
  expect(beforeRestart).toBeLessThan(MESSAGES);

  const second = spawnWorker();
  await until(
    async () => {
      if (second.child.exitCode !== null) throw new Error(`the restarted worker exited:\n${second.output()}`);
      const s = await states();
      return s.length === 1 && s[0].state === 'completed' && s[0].n === String(MESSAGES) ? s : undefined;
    },
    25_000,
    'every job to complete after the restart',
  );
  second.child.kill('SIGTERM');

  expect(smtp.mails.length).toBeGreaterThan(beforeRestart);
  const ids = smtp.mails.map((m) => /^<(.+)@notifications\.ifo-messaging>$/.exec(m.messageId ?? '')?.[1]);
  expect(new Set(ids)).toEqual(expected);
  // SMTP has no idempotency: only the one mail in flight at the kill may be sent again (same Message-ID, so recognisably one).
  expect(ids.length - expected.size).toBeLessThanOrEqual(1);

  const deliveries = await conn().execute<{ job_id: string }[]>('select job_id from notification_delivery');
  expect(deliveries).toHaveLength(MESSAGES);
  expect(new Set(deliveries.map((d) => d.job_id))).toEqual(expected);
  const notified = await conn().execute<{ message_id: string; n: string }[]>(
    `select m.id as message_id, count(e.id) as n from message m left join message_event e on e.message_id = m.id and e.kind = 'NOTIFIED'
      where m.id = any(?::uuid[]) group by m.id`,
    [`{${messageIds.join(',')}}`],
  );
  expect(notified.map((r) => r.n)).toEqual(Array(MESSAGES).fill('1'));
}, 60_000);
