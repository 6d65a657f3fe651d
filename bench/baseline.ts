import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { freeListenPort, isAddressInUse } from '../src/ports';
import type { TokenVerifier } from '../src/auth/tokens';

/**
 * The inbox page as one hand-written SQL statement that builds the response
 * JSON itself, behind a bare `node:http` server: the floor the GraphQL API is
 * measured against. Same 50 conversations, same fields, same order, same
 * unread rule as MessageService.conversationRows (distinct messages addressed
 * to the mailbox, unread, not sent by it).
 *
 * `duties` adds what the API must also do for this page and the floor
 * otherwise skips: verify the bearer token, look the caller up, and write the
 * access-log rows (one per citizen listed) — still in the one statement.
 */
const displayName = (staff: string, mailbox: string, person: string) =>
  `coalesce(${mailbox}.name, ${person}.given_name || ' ' || ${person}.family_name, ${staff}.given_name || ' ' || ${staff}.family_name)`;

function inboxSql(duties: boolean): string {
  // $1: the mailbox's party key (bare) or the caller's username (duties); $2: request id (duties).
  const me = duties
    ? `me as (select id, role, 'STAFF:' || id::text as key from staff where username = $1 and active)`
    : `me as (select $1::text as key)`;
  const logged = duties
    ? `, logged as (
         insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
         select gen_random_uuid(), now(), me.id, me.role, d.citizen_id, 'CONVERSATION_LIST', $2
           from me, (select distinct citizen_id from page where citizen_id is not null) d)`
    : '';
  return `
    with ${me},
    page as (
      select c.id, c.subject, c.citizen_id, c.last_message_at
        from conversation c, me
       where exists (select 1 from conversation_participant p where p.conversation_id = c.id and p.party_key = me.key)
       order by c.last_message_at desc, c.id desc
       limit 50)${logged}
    select coalesce(json_agg(json_build_object(
             'id', pg.id,
             'subject', pg.subject,
             'unreadCount', u.unread,
             'lastMessage', case when lm.id is null then null else json_build_object(
               'id', lm.id,
               'subject', lm.subject,
               'sentAt', to_char(lm.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
               'sender', json_build_object('name', lm.sender_name)) end,
             'participants', pa.list
           ) order by pg.last_message_at desc, pg.id desc), '[]')::text as nodes
      from page pg
      cross join me
      left join lateral (
        select m.id, m.subject, m.created_at, ${displayName('st', 'mb', 'pe')} as sender_name
          from message m
          left join staff st on st.id = m.sender_staff_id
          left join shared_mailbox mb on mb.id = m.sender_mailbox_id
          left join person pe on pe.id = m.sender_person_id
         where m.conversation_id = pg.id
         order by m.created_at desc, m.id desc
         limit 1) lm on true
      cross join lateral (
        select count(distinct r.message_id)::int as unread
          from message_recipient r join message um on um.id = r.message_id
         where r.conversation_id = pg.id and r.party_key = me.key and r.read_at is null
           and (um.sender_kind::text || ':' || coalesce(um.sender_mailbox_id, um.sender_person_id, um.sender_staff_id)::text) <> me.key) u
      cross join lateral (
        select json_agg(json_build_object('kind', p.kind, 'name', ${displayName('st', 'mb', 'pe')}) order by p.created_at, p.id) as list
          from conversation_participant p
          left join staff st on st.id = p.staff_id
          left join shared_mailbox mb on mb.id = p.mailbox_id
          left join person pe on pe.id = p.person_id
         where p.conversation_id = pg.id) pa`;
}

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

export async function startBaseline(
  databaseUrl: string,
  opts: { partyKey: string; poolMax: number } | { duties: { verifier: TokenVerifier }; poolMax: number },
): Promise<Baseline> {
  const pool = new Pool({ connectionString: databaseUrl, max: opts.poolMax });
  const duties = 'duties' in opts ? opts.duties : undefined;
  const sql = inboxSql(!!duties);
  const answer = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    // The body is the GraphQL document; the floor knows its one query already.
    req.resume();
    req.on('end', async () => {
      try {
        let params: string[];
        if (duties) {
          const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
          const principal = token ? await duties.verifier.verify(token).catch(() => undefined) : undefined;
          if (principal?.kind !== 'staff') return answer(res, 401, '{"errors":[{"message":"unauthenticated"}]}');
          params = [principal.username, randomUUID()];
        } else {
          params = [(opts as { partyKey: string }).partyKey];
        }
        // Named: PostgreSQL plans it once per connection, as the API's stores do (src/stores/query.ts).
        const { rows } = await pool.query<{ nodes: string }>({
          name: duties ? 'floor-duties' : 'floor',
          text: sql,
          values: params,
        });
        answer(res, 200, `{"data":{"conversations":{"nodes":${rows[0].nodes}}}}`);
      } catch (err) {
        answer(res, 500, JSON.stringify({ errors: [{ message: String(err) }] }));
      }
    });
  });
  // A port below the OS's ephemeral range (src/ports.ts), another one if it was taken meanwhile.
  for (let attempt = 1; ; attempt++) {
    const port = await freeListenPort();
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (err) => (isAddressInUse(err) && attempt < 5 ? resolve(false) : reject(err)));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) break;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
