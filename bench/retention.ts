import './log-env';
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadOrCreateDevKeys } from '../src/auth/dev-keys';
import { createTokenVerifier, signDevToken } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { freeListenPort } from '../src/ports';
import { DEMO, seedDemoData } from '../src/db/demo-data';
import { initOrm, migrate } from '../src/db/orm';
import { RetentionService } from '../src/domain/retention.service';
import { RetentionRule } from '../src/entities/retention-run';
import { startRuntime } from '../src/runtime';
import { startServer } from '../src/server';
import { startBenchDatabase } from './database';

/**
 * `npm run bench:retention`: gallring of 100,000 old messages (arranged in
 * bulk SQL) while a caseworker keeps sending, against the same sends with no
 * gallring running (the baseline), in the same run on the same data. Prints
 * latencies and ratios, asserts nothing.
 */
const CONVERSATIONS = Number(process.env.BENCH_RETENTION_CONVERSATIONS ?? 20_000);
const PER_CONVERSATION = 5;
const BASELINE_SENDS = Number(process.env.BENCH_RETENTION_SENDS ?? 150);
const say = (m: string) => process.stderr.write(`bench: ${m}\n`);

const SEND = `mutation Send($i: SendMessageInput!) { sendMessage(input: $i) { id } }`;

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function arrangeOld(em: EntityManager, tolvan: string, caseId: string, staffId: string): Promise<void> {
  const run = (text: string, values: unknown[] = []) => em.getConnection().execute(text, values as never[], 'run');
  const old = `now() - interval '3 years'`;
  await run(
    `insert into conversation (id, created_at, subject, citizen_id, case_id, last_message_at)
             select gen_random_uuid(), ${old}, 'Gammalt ärende ' || g, ?, ?, ${old} from generate_series(1, ?) g`,
    [tolvan, caseId, CONVERSATIONS],
  );
  await run(
    `insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id, person_id)
             select gen_random_uuid(), c.created_at, c.id, 'STAFF'::party_kind, 'STAFF:' || ?, ?::uuid, null from conversation c where c.subject like 'Gammalt ärende %'
             union all
             select gen_random_uuid(), c.created_at, c.id, 'PERSON'::party_kind, 'PERSON:' || ?, null, ?::uuid from conversation c where c.subject like 'Gammalt ärende %'`,
    [staffId, staffId, tolvan, tolvan],
  );
  await run(
    `insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, subject, body_html, body_text)
             select gen_random_uuid(), c.created_at + make_interval(mins => n), c.id, 'STAFF', ?, c.subject, '<p>Hej, här kommer beslutet.</p>', 'Hej, här kommer beslutet.'
               from conversation c cross join generate_series(1, ?) n where c.subject like 'Gammalt ärende %'`,
    [staffId, PER_CONVERSATION],
  );
  const oldMessages = `select m.id, m.conversation_id, m.created_at from message m join conversation c on c.id = m.conversation_id where c.subject like 'Gammalt ärende %'`;
  await run(
    `insert into message_recipient (id, created_at, message_id, conversation_id, kind, party_key, person_id, read_at)
             select gen_random_uuid(), m.created_at, m.id, m.conversation_id, 'PERSON', 'PERSON:' || ?, ?::uuid, m.created_at from (${oldMessages}) m`,
    [tolvan, tolvan],
  );
  await run(`insert into message_event (id, created_at, message_id, kind, actor_name)
             select gen_random_uuid(), m.created_at, m.id, k::message_event_kind, 'Marita Aronsson' from (${oldMessages}) m cross join unnest(array['SENT', 'READ']) k`);
  await run(
    `insert into notice (party_key, kind, payload, created_at)
             select 'PERSON:' || ?, 'NEW_MESSAGE', json_build_object('conversationId', m.conversation_id, 'messageId', m.id, 'at', m.created_at)::jsonb, m.created_at from (${oldMessages}) m`,
    [tolvan],
  );
  // Every tenth conversation has a PDF on its first message; every hundredth first message is journaled.
  await run(
    `create temporary table bench_first as select distinct on (m.conversation_id) m.id, m.created_at, row_number() over () as n from (${oldMessages}) m order by m.conversation_id, m.created_at`,
  );
  await run(
    `insert into attachment_blob (key, bytes, created_at) select 'pg:bench-' || f.id, convert_to('%PDF-1.4 bench ' || f.id, 'UTF8'), now() from bench_first f where f.n % 10 = 0`,
  );
  await run(
    `insert into attachment (id, created_at, filename, size, sha256, storage_key, uploaded_by_staff_id, message_id)
             select gen_random_uuid(), f.created_at, 'Beslut.pdf', 40, 'x', 'pg:bench-' || f.id, ?, f.id from bench_first f where f.n % 10 = 0`,
    [staffId],
  );
  await run(
    `insert into journal_entry (id, created_at, person_id, case_id, document_type, sender_kind, heading, date, text, message_id, author_id, target_label)
             select gen_random_uuid(), f.created_at, ?, ?, 'OUTGOING_DOCUMENT', 'STAFF', 'Beslut', f.created_at::date, 'Hej, här kommer beslutet.', f.id, ?, 'Ärende' from bench_first f where f.n % 100 = 0`,
    [tolvan, caseId, staffId],
  );
  await run(`drop table bench_first`);
  await run('analyze');
}

async function main() {
  const started = Date.now();
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const db = await startBenchDatabase(say);
    cleanup.push(() => db.drop());
    const orm = await initOrm(db.url);
    cleanup.push(() => orm.close());
    await migrate(orm);
    await seedDemoData(orm.em.fork());
    const em = orm.em.fork() as EntityManager;
    const [{ tolvan, case_id: caseId, staff_id: staffId }] = await em
      .getConnection()
      .execute(
        `select p.id as tolvan, c.id as case_id, s.id as staff_id from person p join case_file c on c.holder_id = p.id join staff s on s.username = ? where p.personnummer = ?`,
        [DEMO.caseworker, DEMO.tolvan],
      );
    say(`arranging ${CONVERSATIONS * PER_CONVERSATION} old messages in ${CONVERSATIONS} conversations (bulk SQL)`);
    const t0 = Date.now();
    await arrangeOld(em, tolvan, caseId, staffId);
    say(`arranged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ifo-bench-keys-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      NODE_ENV: 'development',
      PORT: String(await freeListenPort()),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      AUTH_MODE: 'dev',
      WORKER: 'off',
      SEED_DEMO_DATA: 'false',
      RETENTION_BATCH_SIZE: process.env.RETENTION_BATCH_SIZE ?? '500',
    });
    const verifier = await createTokenVerifier(config);
    const runtime = await startRuntime(config, orm, db.url);
    cleanup.push(() => runtime.close());
    const server = await startServer({
      config,
      orm,
      verifier,
      sink: runtime.sink,
      bus: runtime.bus,
      boss: runtime.boss,
    });
    cleanup.push(() => server.close());
    const keys = await loadOrCreateDevKeys(config.dataDir);
    const token = await signDevToken(
      keys,
      { kind: 'staff', username: DEMO.caseworker },
      { audience: config.auth.audience },
    );

    const send = async (): Promise<number> => {
      const body = JSON.stringify({
        query: SEND,
        variables: {
          i: {
            idempotencyKey: randomUUID(),
            to: { personIds: [tolvan] },
            subject: 'Kallelse',
            body: '<p>Välkommen på möte.</p>',
          },
        },
      });
      const t = performance.now();
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      const json = (await res.json()) as { errors?: unknown };
      if (res.status !== 200 || json.errors) throw new Error(`send failed: HTTP ${res.status} ${JSON.stringify(json)}`);
      return performance.now() - t;
    };

    // Warm-up, then the baseline: one send after another, nothing else running.
    for (let i = 0; i < 30; i++) await send();
    const baseline: number[] = [];
    for (let i = 0; i < BASELINE_SENDS; i++) baseline.push(await send());

    // The run, in this process as WORKER=on runs it, while the same sends go on until it ends.
    const during: number[] = [];
    let running = true;
    const t1 = Date.now();
    const gallring = new RetentionService(orm.em.fork() as EntityManager, config.retention)
      .run(RetentionRule.CONVERSATIONS)
      .finally(() => {
        running = false;
      });
    while (running) during.push(await send());
    const run = await gallring;
    const runSeconds = (Date.now() - t1) / 1000;
    const left = await em
      .getConnection()
      .execute(
        `select count(*)::int as n from message m join conversation c on c.id = m.conversation_id where c.subject like 'Gammalt ärende %'`,
      );

    const b = [...baseline].sort((x, y) => x - y);
    const d = [...during].sort((x, y) => x - y);
    const row = (name: string, s: number[]) =>
      `${name.padEnd(36)} ${String(s.length).padStart(6)} ${quantile(s, 0.5).toFixed(1).padStart(8)} ${quantile(s, 0.99).toFixed(1).padStart(8)} ${s[s.length - 1].toFixed(1).padStart(8)}`;
    const lines = [
      '',
      `Gallring (CONVERSATIONS) of ${CONVERSATIONS * PER_CONVERSATION} messages in ${CONVERSATIONS} conversations older than ${config.retention.conversationMonths} months, batches of ${config.retention.batchSize}, while ${DEMO.caseworker} sends one message after another.`,
      `Node ${process.version}, ${os.cpus().length} CPUs, ${db.origin}.`,
      '',
      `${''.padEnd(36)} ${'sends'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)}`,
      row('baseline: sends, no gallring', b),
      row('sends during gallring', d),
      '',
      `during / baseline: p50 ${(quantile(d, 0.5) / quantile(b, 0.5)).toFixed(2)}   p99 ${(quantile(d, 0.99) / quantile(b, 0.99)).toFixed(2)}   max ${(d[d.length - 1] / b[b.length - 1]).toFixed(2)}`,
      `Run: ${runSeconds.toFixed(1)} s, ${run?.status}; removed ${JSON.stringify(run?.removed)}; kept ${JSON.stringify(run?.kept)}; old messages left: ${left[0].n} (the journaled ones).`,
      `Whole bench: ${((Date.now() - started) / 1000).toFixed(0)} s (before cleanup).`,
      '',
    ];
    await new Promise((done) => process.stdout.write(lines.join('\n'), () => done(undefined)));
  } finally {
    for (const step of cleanup.reverse())
      await step().catch((err) => say(`cleanup step failed: ${err instanceof Error ? err.message : err}`));
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
