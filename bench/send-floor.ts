import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { freeListenPort, isAddressInUse } from '../src/ports';

/**
 * The floor for `sendMessage` (issue 12, item 3): a bare `node:http` server
 * whose handler runs one raw pg transaction with the inserts a send makes —
 * the idempotency key, per citizen a conversation, its participants, the
 * message, its recipients, its SENT event and the access-log row, and a
 * NEW_MESSAGE and an UNREAD_COUNT notice per recipient — one multi-row insert
 * per table (unnest of bound arrays). No rules, no reads: what the API's send
 * costs beyond this is the framework's and the rules' share.
 *
 * The unread count is the API's own way: the recipients' rows leave deltas
 * (the triggers of message_recipient, which fire for any writer), and a second
 * statement folds them into unread_count as it writes the notices. Counting
 * the rows instead (as both did before 2026-12-03) costs every unread row of
 * every recipient, and the triggers' deltas would then pile up unfolded.
 */
export interface SendFloor {
  url: string;
  close(): Promise<void>;
}

const SQL = `
with req as (insert into send_request (id, created_at, sender_key, key, payload_hash, message_ids)
             values (gen_random_uuid(), now(), $1, $2, 'floor', to_jsonb($4::uuid[]))),
conv as (insert into conversation (id, created_at, subject, citizen_id, case_id, last_message_at)
         select c.id, now(), 'Bench', c.citizen, null, now() from unnest($3::uuid[], $5::uuid[]) as c(id, citizen)),
part as (insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id, mailbox_id, person_id)
         select gen_random_uuid(), now(), c.id, k.kind::party_kind, k.kind || ':' || k.pid, case when k.kind = 'STAFF' then k.pid end, null, case when k.kind = 'PERSON' then k.pid end
           from unnest($3::uuid[], $5::uuid[]) as c(id, citizen), lateral (values ('STAFF', $6::uuid), ('PERSON', c.citizen)) as k(kind, pid)),
msg as (insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, subject, body_html, body_text, read_receipt_requested, is_auto_reply)
        select m.id, now(), m.conv, 'STAFF', $6, 'Bench', '<p>Hej</p>', 'Hej', false, false from unnest($4::uuid[], $3::uuid[]) as m(id, conv)),
rcpt as (insert into message_recipient (id, created_at, message_id, conversation_id, kind, party_key, person_id, forwarded)
         select gen_random_uuid(), now(), m.id, m.conv, 'PERSON', 'PERSON:' || m.citizen, m.citizen, false from unnest($4::uuid[], $3::uuid[], $5::uuid[]) as m(id, conv, citizen)),
ev as (insert into message_event (id, created_at, message_id, kind, actor_name)
       select gen_random_uuid(), now(), m.id, 'SENT', 'Bench' from unnest($4::uuid[]) as m(id)),
al as (insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
       select gen_random_uuid(), now(), $6, 'CASEWORKER', c.citizen, 'MESSAGE_SENT', $2 from unnest($5::uuid[]) as c(citizen))
select 1`;

const NOTICES = `
with k as (select 'PERSON:' || c.citizen as party_key from unnest($3::uuid[]) as c(citizen)),
folded as (delete from unread_delta d where d.party_key in (select party_key from k) returning d.party_key, d.delta),
counted as (insert into unread_count (party_key, unread)
            select k.party_key, coalesce((select sum(f.delta) from folded f where f.party_key = k.party_key), 0)::int from k order by k.party_key
            on conflict (party_key) do update set unread = unread_count.unread + excluded.unread
            returning party_key, unread)
insert into notice (party_key, kind, payload, created_at)
select 'PERSON:' || m.citizen, 'NEW_MESSAGE'::notice_kind, jsonb_build_object('conversationId', m.conv, 'messageId', m.id, 'subject', 'Bench', 'senderName', 'Bench', 'at', now()), now()
  from unnest($1::uuid[], $2::uuid[], $3::uuid[]) as m(id, conv, citizen)
union all
select c.party_key, 'UNREAD_COUNT'::notice_kind, jsonb_build_object('unreadCount', c.unread, 'at', now()), now() from counted c`;

export async function startSendFloor(
  databaseUrl: string,
  opts: { staffId: string; poolMax: number },
): Promise<SendFloor> {
  const pool = new Pool({ connectionString: databaseUrl, max: opts.poolMax });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const client = await pool.connect();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const input = body.variables.input as { idempotencyKey: string; to: { personIds: string[] } };
        const citizens = input.to.personIds;
        const conversations = citizens.map(() => randomUUID());
        const messages = citizens.map(() => randomUUID());
        await client.query('begin');
        // Named: planned once per connection, as the API's stores do (src/stores/query.ts).
        await client.query({
          name: 'send-floor',
          text: SQL,
          values: [`STAFF:${opts.staffId}`, input.idempotencyKey, conversations, messages, citizens, opts.staffId],
        });
        await client.query({ name: 'send-floor-notices', text: NOTICES, values: [messages, conversations, citizens] });
        await client.query('commit');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { sendMessage: messages.map((id) => ({ id })) } }));
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: String(err) }] }));
      } finally {
        client.release();
      }
    });
  });
  for (let attempt = 1; ; attempt++) {
    const port = await freeListenPort();
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err) => (isAddressInUse(err) && attempt < 5 ? resolve(false) : reject(err)));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok)
      return {
        url: `http://127.0.0.1:${port}/graphql`,
        close: async () => (await new Promise((r) => server.close(r)), await pool.end()),
      };
  }
}
