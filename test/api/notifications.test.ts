import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import * as staff from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { dedupKey, enqueueNotifications, type NotifyJob } from '../../src/notifications/outbox';
import { deliver, sendersFromConfig, startNotificationWorker, type Senders } from '../../src/notifications/worker';
import { apiAs } from '../testkit/api';
import { startMailSink, until, type MailSink, type ReceivedMail } from '../testkit/mail-sink';
import { startSmsEndpoint, type SmsEndpoint } from '../testkit/sms-endpoint';
import { startTestServer, type TestServer } from '../testkit/server';

const PUBLIC_URL = 'https://e-tjanst.soderkoping.example.se';
// Quiet hours "0-0" never apply: the live tests must not depend on the wall clock; Q* tests pass `now`.
const ENV = {
  PUBLIC_URL,
  QUIET_HOURS: '0-0',
  REMINDER_AFTER_DAYS: '3',
  NOTIFY_RETRY_LIMIT: '1',
  NOTIFY_RETRY_DELAY_SECONDS: '1',
  SMS_API_KEY: 'test-key',
};

let t: TestServer;
let smtp: MailSink;
let sms: SmsEndpoint;
let ids: { tolvan: string; josefine: string; sanna: string; kalle: string; anna: string };

beforeAll(async () => {
  [smtp, sms] = await Promise.all([startMailSink(), startSmsEndpoint()]);
  // WORKER=on without test senders: the worker builds its senders from SMTP_URL / SMS_API_URL like production.
  t = await startTestServer({ ...ENV, WORKER: 'on', SMTP_URL: smtp.url, SMS_API_URL: sms.url });
  await seedDemoData(t.em());
  const person = async (pnr: string) => (await t.em().findOneOrFail(Person, { personnummer: pnr })).id;
  const [anna] = await t
    .em()
    .getConnection()
    .execute<{ id: string }[]>('select id from staff where username = ?', [DEMO.secondCaseworker]);
  ids = {
    tolvan: await person(DEMO.tolvan),
    josefine: await person(DEMO.relation),
    sanna: await person(DEMO.protectedPerson),
    kalle: await person(DEMO.otherUnitPerson),
    anna: anna.id,
  };
});
afterAll(async () => {
  await t?.close();
  await Promise.all([smtp?.close(), sms?.close()]);
});

const as = async (username: string) => apiAs(t, await t.token.staff(username));
const asCitizen = async (pnr: string) => apiAs(t, await t.token.citizen(pnr));

async function send(
  from: string,
  to: { personIds?: string[]; staffIds?: string[] },
  subject = 'Beslut XQ-4711',
  body = '<p>Kontonummer ZZ-9931 och beslutet bifogas.</p>',
) {
  const api = await as(from);
  const r = await api.mutate(staff.SendMessageDocument, {
    input: {
      idempotencyKey: randomUUID(),
      to: { personIds: to.personIds ?? [], staffIds: to.staffIds ?? [] },
      subject,
      body,
    },
  });
  return r;
}
async function sendOk(
  from: string,
  to: { personIds?: string[]; staffIds?: string[] },
  subject?: string,
  body?: string,
) {
  const r = await send(from, to, subject, body);
  expect(r.codes).toEqual([]);
  return r.data!.sendMessage[0];
}

type JobRow = { id: string; state: string; data: NotifyJob; start_after: Date; retry_count: number };
const jobsOf = async (messageId: string, em: EntityManager = t.em()): Promise<JobRow[]> => {
  const rows = await em.getConnection().execute<(Omit<JobRow, 'start_after'> & { start_after: string })[]>(
    `select id, state, data, to_json(start_after) #>> '{}' as start_after, retry_count from pgboss.job
        where name = 'notify' and data->>'messageId' = ? order by data->>'channel', data->>'kind', start_after`,
    [messageId],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ ...r, start_after: new Date(r.start_after) }));
};
const deliveries = (messageId: string) =>
  t
    .em()
    .getConnection()
    .execute<{ job_id: string; channel: string }[]>(
      'select job_id, channel from notification_delivery where message_id = ?',
      [messageId],
    );

/** Waits until every due ("new") job of the message is done (completed or failed). */
const settled = (messageId: string, timeoutMs = 10_000) =>
  until(
    async () => {
      const jobs = (await jobsOf(messageId)).filter((j) => j.data.kind === 'new');
      return jobs.every((j) => j.state === 'completed' || j.state === 'failed') ? jobs : undefined;
    },
    timeoutMs,
    `the notification jobs of ${messageId}`,
  );

async function historyOf(messageId: string, conversationId: string, username: string = DEMO.caseworker) {
  const r = await (await as(username)).query(staff.ConversationDocument, { id: conversationId });
  expect(r.codes).toEqual([]);
  return r.data!.conversation.messages.find((m) => m.id === messageId)!.history;
}

/** The mail as a person reads it: headers unfolded and encoded words decoded, body transfer-decoded. */
function readable(mail: ReceivedMail): string {
  const [head, ...rest] = mail.raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  const headers = head
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between encoded words is not text
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
  const cte = /^content-transfer-encoding:\s*(\S+)/im.exec(head)?.[1]?.toLowerCase();
  const decoded =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? Buffer.from(
            body
              .replace(/=\r?\n/g, '')
              .replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8')
        : body;
  return `${headers}\n\n${decoded}`;
}
const mailsWithKey = (key: string) => smtp.mails.filter((m) => m.messageId === `<${key}@notifications.ifo-messaging>`);
const smsWithKey = (key: string) => sms.requests.filter((r) => r.idempotencyKey === key);

test('N1 a message to a citizen who chose e-mail and SMS gives exactly one content-free e-mail over SMTP and one SMS, recorded in the history', async () => {
  const subject = 'Beslut XQ-4711 om ekonomiskt bistånd';
  const message = await sendOk(
    DEMO.caseworker,
    { personIds: [ids.tolvan] },
    subject,
    '<p>Kontonummer ZZ-9931, beslutet bifogas.</p>',
  );
  const emailKey = dedupKey(message.id, ids.tolvan, 'email', 'new');
  const smsKey = dedupKey(message.id, ids.tolvan, 'sms', 'new');
  await until(
    () => (mailsWithKey(emailKey).length && sms.delivered.some((d) => d.idempotencyKey === smsKey) ? true : undefined),
    10_000,
    'the e-mail and the SMS',
  );
  const jobs = await settled(message.id);
  expect(jobs.map((j) => [j.data.channel, j.state])).toEqual([
    ['email', 'completed'],
    ['sms', 'completed'],
  ]);

  const [mail, ...moreMails] = mailsWithKey(emailKey);
  expect(moreMails).toEqual([]);
  expect(mail.to).toEqual(['tolvan.tolvansson@example.se']);
  const text = readable(mail);
  expect(text).toContain('Du har fått ett nytt meddelande från socialtjänsten i Söderköpings kommun');
  expect(text).toContain(`Logga in på ${PUBLIC_URL}`);
  for (const secret of ['XQ-4711', 'ZZ-9931', 'Kontonummer', 'beslutet', 'Ekonomiskt bistånd', 'ekonomiskt']) {
    expect(mail.raw).not.toContain(secret);
    expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
  }

  const [sent, ...moreSms] = smsWithKey(smsKey);
  expect(moreSms).toEqual([]);
  expect(sent.authorization).toBe('Bearer test-key');
  expect(sent.body.to).toBe('+46701234567');
  expect(sent.body.reference).toBe(smsKey);
  expect(sent.body.text).toContain('nytt meddelande');
  expect(sent.body.text).toContain(PUBLIC_URL);
  for (const secret of ['XQ-4711', 'ZZ-9931', 'Kontonummer', 'beslut', 'bistånd'])
    expect(sent.body.text!.toLowerCase()).not.toContain(secret.toLowerCase());

  expect((await deliveries(message.id)).map((d) => d.channel).sort()).toEqual(['email', 'sms']);
  const history = await historyOf(message.id, message.conversationId);
  expect(
    history
      .filter((h) => h.kind === 'NOTIFIED')
      .map((h) => h.detail)
      .sort(),
  ).toEqual(['E-post', 'SMS']);
});

test('N2 no notification to staff recipients, only the chosen channel for a relation, none for a citizen who turned them off', async () => {
  const toColleague = await sendOk(DEMO.caseworker, { staffIds: [ids.anna] });
  expect(await jobsOf(toColleague.id)).toEqual([]);

  const tolvan = await asCitizen(DEMO.tolvan);
  const inbox = await tolvan.query(citizen.ConversationsDocument, {});
  const anyMessage = inbox.data!.conversations.nodes[0];
  const conv = await tolvan.query(citizen.ConversationDocument, { id: anyMessage.id });
  const reply = await tolvan.mutate(citizen.ReplyToMessageDocument, {
    messageId: conv.data!.conversation.messages[0].id,
    input: { idempotencyKey: randomUUID(), body: 'Tack' },
  });
  expect(reply.codes).toEqual([]);
  expect(await jobsOf(reply.data!.replyToMessage.id)).toEqual([]);

  const toJosefine = await sendOk(DEMO.caseworker, { personIds: [ids.josefine] });
  expect((await jobsOf(toJosefine.id)).map((j) => `${j.data.channel}/${j.data.kind}`)).toEqual([
    'email/new',
    'email/reminder',
  ]);
  await settled(toJosefine.id);
  expect(mailsWithKey(dedupKey(toJosefine.id, ids.josefine, 'email', 'new')).map((m) => m.to)).toEqual([
    ['josefine.testek@example.se'],
  ]);

  const [relation] = await t
    .em()
    .getConnection()
    .execute<{ id: string }[]>('select id from relation where person_id = ?', [ids.josefine]);
  const off = await (
    await as(DEMO.caseworker)
  ).mutate(staff.ActivateRelationDocument, {
    relationId: relation.id,
    input: { notifyByEmail: false, notifyBySms: false },
  });
  expect(off.codes).toEqual([]);
  const silent = await sendOk(DEMO.caseworker, { personIds: [ids.josefine] });
  expect(await jobsOf(silent.id)).toEqual([]);
});

test('N3 the jobs are written with the message: present with no worker running, delivered once a worker starts; a rolled-back send leaves none', async () => {
  const q = await startTestServer(ENV); // no worker
  try {
    await seedDemoData(q.em());
    const tolvanId = (await q.em().findOneOrFail(Person, { personnummer: DEMO.tolvan })).id;
    const kalleId = (await q.em().findOneOrFail(Person, { personnummer: DEMO.otherUnitPerson })).id;
    const marita = apiAs(q, await q.token.staff(DEMO.caseworker));
    const r = await marita.mutate(staff.SendMessageDocument, {
      input: { idempotencyKey: randomUUID(), to: { personIds: [tolvanId] }, subject: 'Hej', body: 'Hej' },
    });
    expect(r.codes).toEqual([]);
    const messageId = r.data!.sendMessage[0].id;
    const jobs = await jobsOf(messageId, q.em());
    expect(jobs.map((j) => `${j.data.channel}/${j.data.kind}/${j.state}`)).toEqual([
      'email/new/created',
      'email/reminder/created',
      'sms/new/created',
      'sms/reminder/created',
    ]);

    const count = async () =>
      Number(
        (
          await q
            .em()
            .getConnection()
            .execute<{ n: string }[]>(`select count(*) as n from pgboss.job where name = 'notify'`)
        )[0].n,
      );
    const before = await count();
    const refused = await marita.mutate(staff.SendMessageDocument, {
      input: { idempotencyKey: randomUUID(), to: { personIds: [tolvanId, kalleId] }, subject: 'Hej', body: 'Hej' },
    });
    expect(refused.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
    // A failure after the jobs were written in the transaction takes them back with it.
    await expect(
      q.em().transactional(async (em) => {
        const n = await enqueueNotifications(em as EntityManager, q.runtime.boss, q.config, [
          {
            type: 'message.sent',
            messageId,
            conversationId: r.data!.sendMessage[0].conversationId,
            subject: 'x',
            senderName: 'x',
            sentAt: new Date(),
            recipients: [{ kind: 'PERSON', id: tolvanId } as never],
          },
        ]);
        expect(n).toBe(4);
        expect(await jobsOf(messageId, em as EntityManager)).toHaveLength(8);
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await count()).toBe(before);

    const worker = await startNotificationWorker({
      orm: q.orm,
      boss: q.runtime.boss,
      config: q.config,
      senders: sendersFromConfig({
        ...q.config,
        notify: { ...q.config.notify, smtpUrl: smtp.url, smsApiUrl: sms.url },
      }),
    });
    try {
      const done = await until(
        async () => {
          const js = (await jobsOf(messageId, q.em())).filter((j) => j.data.kind === 'new');
          return js.every((j) => j.state === 'completed') ? js : undefined;
        },
        10_000,
        'the queued jobs to complete',
      );
      expect(done).toHaveLength(2);
      expect(mailsWithKey(dedupKey(messageId, tolvanId, 'email', 'new'))).toHaveLength(1);
      expect(smsWithKey(dedupKey(messageId, tolvanId, 'sms', 'new'))).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  } finally {
    await q.close();
  }
});

test('Q3 an SMS enqueued at 23:00 Swedish time waits until 07:00; the e-mail goes at once; reminders follow the same rule', async () => {
  const message = await sendOk(DEMO.caseworker, { personIds: [ids.tolvan] });
  await settled(message.id);
  const quiet = { ...t.config, notify: { ...t.config.notify, quietHours: [22, 7] as [number, number] } };
  const now = new Date('2030-01-15T22:00:00Z'); // 23:00 CET
  await expect(
    t.em().transactional(async (em) => {
      await enqueueNotifications(
        em as EntityManager,
        t.runtime.boss,
        quiet,
        [
          {
            type: 'message.sent',
            messageId: message.id,
            conversationId: message.conversationId,
            subject: 'x',
            senderName: 'x',
            sentAt: now,
            recipients: [{ kind: 'PERSON', id: ids.tolvan } as never],
          },
        ],
        now,
      );
      const jobs = (await jobsOf(message.id, em as EntityManager)).filter(
        (j) => j.start_after.getUTCFullYear() === 2030,
      );
      expect(jobs.map((j) => [j.data.channel, j.data.kind, j.start_after.toISOString()])).toEqual([
        ['email', 'new', '2030-01-15T22:00:00.000Z'],
        ['email', 'reminder', '2030-01-18T22:00:00.000Z'],
        ['sms', 'new', '2030-01-16T06:00:00.000Z'],
        ['sms', 'reminder', '2030-01-19T06:00:00.000Z'],
      ]);
      throw new Error('rollback'); // keep them away from the running worker
    }),
  ).rejects.toThrow('rollback');
});

test('Q4 deliver() of an SMS during quiet hours sends nothing and queues it again for 07:00', async () => {
  const message = await sendOk(DEMO.caseworker, { personIds: [ids.josefine] }); // e-mail only: no SMS jobs of its own
  const job: NotifyJob = {
    dedupKey: dedupKey(message.id, ids.tolvan, 'sms', 'new'),
    channel: 'sms',
    kind: 'new',
    messageId: message.id,
    personId: ids.tolvan,
    from: 'socialtjänsten',
  };
  const quiet = { ...t.config, notify: { ...t.config.notify, quietHours: [22, 7] as [number, number] } };
  const senders = sendersFromConfig(t.config);
  const requestsBefore = sms.requests.length;
  expect(await deliver(t.em(), t.runtime.boss, quiet, senders, job, new Date('2030-01-15T22:30:00Z'))).toBe('deferred');
  expect(sms.requests.length).toBe(requestsBefore);
  const deferred = (await jobsOf(message.id)).filter((j) => j.data.channel === 'sms');
  expect(deferred.map((j) => [j.data.dedupKey, j.state, j.start_after.toISOString()])).toEqual([
    [job.dedupKey, 'created', '2030-01-16T06:00:00.000Z'],
  ]);
  await t.em().getConnection().execute('delete from pgboss.job where id = ?', [deferred[0].id]);
});

test('NR1 a reminder goes while the message is unread and not after it was read', async () => {
  const message = await sendOk(DEMO.caseworker, { personIds: [ids.tolvan] });
  await settled(message.id);
  const reminders = (await jobsOf(message.id)).filter((j) => j.data.kind === 'reminder');
  expect(reminders.map((j) => [j.data.channel, j.state])).toEqual([
    ['email', 'created'],
    ['sms', 'created'],
  ]);
  expect(reminders[0].start_after.getTime() - Date.now()).toBeGreaterThan(2.9 * 86_400_000);
  const senders: Senders = sendersFromConfig(t.config);
  const [emailReminder, smsReminder] = reminders.map((j) => j.data);

  expect(await deliver(t.em(), t.runtime.boss, t.config, senders, emailReminder)).toBe('sent');
  const [mail, ...more] = mailsWithKey(emailReminder.dedupKey);
  expect(more).toEqual([]);
  expect(readable(mail)).toContain('Påminnelse: du har ett oläst meddelande');
  expect(await deliver(t.em(), t.runtime.boss, t.config, senders, emailReminder)).toBe('already-sent');
  expect(mailsWithKey(emailReminder.dedupKey)).toHaveLength(1);

  const tolvan = await asCitizen(DEMO.tolvan);
  expect((await tolvan.mutate(citizen.MarkMessageReadDocument, { messageId: message.id })).codes).toEqual([]);
  expect(await deliver(t.em(), t.runtime.boss, t.config, senders, smsReminder)).toBe('skipped');
  expect(smsWithKey(smsReminder.dedupKey)).toEqual([]);
  const history = await historyOf(message.id, message.conversationId);
  expect(
    history
      .filter((h) => h.kind === 'NOTIFIED')
      .map((h) => h.detail)
      .sort(),
  ).toEqual(['E-post', 'E-post (påminnelse)', 'SMS']);
  (senders.email as { close?(): void }).close?.();
});

test('NP1 a protected person is notified only at contact details staff entered: not after changing their own e-mail, again once staff set it', async () => {
  const anna = await as(DEMO.secondCaseworker);
  const on = await anna.mutate(staff.SetEServiceDocument, {
    personId: ids.sanna,
    input: { messagingEnabled: true, notifyByEmail: true, notifyBySms: false, email: 'sanna.ny@example.se' },
  });
  expect(on.codes).toEqual([]);
  const first = await sendOk(DEMO.secondCaseworker, { personIds: [ids.sanna] });
  await settled(first.id);
  expect(mailsWithKey(dedupKey(first.id, ids.sanna, 'email', 'new')).map((m) => m.to)).toEqual([
    ['sanna.ny@example.se'],
  ]);

  const sanna = await asCitizen(DEMO.protectedPerson);
  expect(
    (await sanna.mutate(citizen.UpdateMyContactDetailsDocument, { input: { email: 'sanna.privat@example.se' } })).codes,
  ).toEqual([]);
  expect((await t.em().findOneOrFail(Person, ids.sanna)).emailVerified).toBe(false);
  const second = await sendOk(DEMO.secondCaseworker, { personIds: [ids.sanna] });
  await settled(second.id);
  expect(mailsWithKey(dedupKey(second.id, ids.sanna, 'email', 'new'))).toEqual([]);
  expect(await deliveries(second.id)).toEqual([]);
  expect((await historyOf(second.id, second.conversationId, DEMO.secondCaseworker)).map((h) => h.kind)).not.toContain(
    'NOTIFIED',
  );

  const confirmed = await anna.mutate(staff.UpdatePersonContactDetailsDocument, {
    personId: ids.sanna,
    input: { email: 'sanna.privat@example.se' },
  });
  expect(confirmed.codes).toEqual([]);
  expect((await t.em().findOneOrFail(Person, ids.sanna)).emailVerified).toBe(true);
  const third = await sendOk(DEMO.secondCaseworker, { personIds: [ids.sanna] });
  await settled(third.id);
  expect(mailsWithKey(dedupKey(third.id, ids.sanna, 'email', 'new')).map((m) => m.to)).toEqual([
    ['sanna.privat@example.se'],
  ]);
});

test('ND1 an SMS the provider keeps refusing is retried, then dead-lettered; administrators list and retry it, and it is sent exactly once', async () => {
  sms.failWith(500);
  let message: Awaited<ReturnType<typeof sendOk>>;
  try {
    message = await sendOk(DEMO.caseworker, { personIds: [ids.tolvan] });
    await settled(message.id, 15_000);
  } finally {
    sms.failWith(null);
  }
  const key = dedupKey(message.id, ids.tolvan, 'sms', 'new');
  const jobs = await jobsOf(message.id);
  const smsJob = jobs.find((j) => j.data.channel === 'sms' && j.data.kind === 'new')!;
  expect(smsJob.state).toBe('failed');
  expect(smsWithKey(key).map((r) => r.status)).toEqual([500, 500]); // first attempt + NOTIFY_RETRY_LIMIT=1 retry
  expect(jobs.find((j) => j.data.channel === 'email' && j.data.kind === 'new')!.state).toBe('completed');

  const marita = await as(DEMO.caseworker);
  expect((await marita.query(staff.FailedNotificationsDocument, {})).codes).toEqual(['FORBIDDEN']);
  expect((await marita.mutate(staff.RetryNotificationDocument, { id: smsJob.id })).codes).toEqual(['FORBIDDEN']);

  const admin = await as(DEMO.admin);
  const failed = await admin.query(staff.FailedNotificationsDocument, {});
  expect(failed.codes).toEqual([]);
  const listed = failed.data!.failedNotifications.find((f) => f.id === smsJob.id)!;
  expect(listed).toMatchObject({
    channel: 'sms',
    kind: 'new',
    messageId: message.id,
    personId: ids.tolvan,
    attempts: 2,
  });
  expect(listed.lastError).toContain('500');

  const retried = await admin.mutate(staff.RetryNotificationDocument, { id: smsJob.id });
  expect(retried.codes).toEqual([]);
  expect(retried.data!.retryNotification).toBe(true);
  await until(
    async () => ((await jobsOf(message.id)).find((j) => j.id === smsJob.id)!.state === 'completed' ? true : undefined),
    10_000,
    'the retried job',
  );
  expect(sms.delivered.filter((d) => d.idempotencyKey === key)).toHaveLength(1);
  expect(smsWithKey(key).map((r) => r.status)).toEqual([500, 500, 200]);
  expect(
    (await admin.query(staff.FailedNotificationsDocument, {})).data!.failedNotifications.map((f) => f.id),
  ).not.toContain(smsJob.id);
  expect((await admin.mutate(staff.RetryNotificationDocument, { id: smsJob.id })).codes).toEqual(['NOT_FOUND']);
  const history = await historyOf(message.id, message.conversationId);
  expect(
    history
      .filter((h) => h.kind === 'NOTIFIED')
      .map((h) => h.detail)
      .sort(),
  ).toEqual(['E-post', 'SMS']);
});

test('ND2 an SMS the provider refuses for good (400) is not retried: straight to the dead letters', async () => {
  sms.failWith(400);
  let message: Awaited<ReturnType<typeof sendOk>>;
  try {
    message = await sendOk(DEMO.caseworker, { personIds: [ids.tolvan] });
    await settled(message.id);
  } finally {
    sms.failWith(null);
  }
  const key = dedupKey(message.id, ids.tolvan, 'sms', 'new');
  const smsJob = (await jobsOf(message.id)).find((j) => j.data.channel === 'sms' && j.data.kind === 'new')!;
  expect(smsJob.state).toBe('failed');
  expect(smsWithKey(key).map((r) => r.status)).toEqual([400]);
  const failed = await (await as(DEMO.admin)).query(staff.FailedNotificationsDocument, {});
  expect(failed.data!.failedNotifications.find((f) => f.id === smsJob.id)).toMatchObject({
    attempts: 1,
    lastError: 'SMS provider answered 400',
  });
});
