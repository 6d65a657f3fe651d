import { randomUUID } from 'node:crypto';
import { CaseJournalDocument } from '../../clients/staff/src';
import {
  ConversationsDocument,
  MessageTargetsDocument,
  ReplyToMessageDocument,
  SendMessageDocument,
} from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from './api';
import { upload } from './files';
import type { TestServer } from './server';

/** A citizen writes to their caseworker (Marita) through the citizen API, as the citizen UI does. */
export async function citizenSends(
  t: TestServer,
  personnummer: string,
  msg: { subject: string; body: string; pdf?: { name: string; bytes: Buffer } },
): Promise<{ messageId: string; conversationId: string }> {
  const token = await t.token.citizen(personnummer);
  const api = apiAs(t, token);
  try {
    const targets = await api.query(MessageTargetsDocument, {});
    const marita = targets.data!.messageTargets.find((p) => p.name.startsWith('Marita'))!;
    const attachmentIds: string[] = [];
    if (msg.pdf) {
      const up = await upload(t.url.replace(/\/graphql$/, ''), token, msg.pdf.bytes, msg.pdf.name);
      if (up.status !== 201) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
      attachmentIds.push(up.body.id);
    }
    const sent = await api.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { staffIds: [marita.id] },
        subject: msg.subject,
        body: msg.body,
        attachmentIds,
      },
    });
    if (!sent.data) throw new Error(`sendMessage failed: ${sent.codes.join(', ')}`);
    return { messageId: sent.data.sendMessage[0].id, conversationId: sent.data.sendMessage[0].conversationId };
  } finally {
    await api.close();
  }
}

/**
 * `count` colleague conversations (Marita → Anna), all read, arranged in one
 * SQL statement per table: an inbox far larger than a page, for the paging test.
 */
export async function arrangeManyConversations(t: TestServer, count: number): Promise<void> {
  const em = t.em();
  const conn = em.getConnection();
  const [marita] = await conn.execute(`select id from staff where username = ?`, [DEMO.caseworker]);
  const [anna] = await conn.execute(`select id from staff where username = ?`, [DEMO.secondCaseworker]);
  await conn.execute(
    `with c as (
       insert into conversation (id, created_at, subject, last_message_at)
       select gen_random_uuid(), now() - make_interval(days => 30, mins => i), 'Kollegial fråga ' || i, now() - make_interval(days => 30, mins => i)
         from generate_series(1, ?) i
       returning id, created_at, subject
     ), p as (
       insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id)
       select gen_random_uuid(), c.created_at, c.id, 'STAFF', 'STAFF:' || s.id, s.id from c cross join (values (?::uuid), (?::uuid)) s(id)
     ), m as (
       insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, subject, body_html, body_text)
       select gen_random_uuid(), c.created_at, c.id, 'STAFF', ?::uuid, c.subject, '<p>Hej!</p>', 'Hej!' from c
       returning id, conversation_id, created_at
     )
     insert into message_recipient (id, created_at, message_id, conversation_id, kind, party_key, staff_id, read_at)
     select gen_random_uuid(), m.created_at, m.id, m.conversation_id, 'STAFF', 'STAFF:' || ?::text, ?::uuid, m.created_at from m`,
    [count, marita.id, anna.id, marita.id, anna.id, anna.id],
  );
  await conn.execute('analyze');
}

/** The citizen's conversations with a subject, as the citizen API lists them. */
export async function citizenConversations(t: TestServer, personnummer: string, subject: string) {
  const api = apiAs(t, await t.token.citizen(personnummer));
  try {
    const res = await api.query(ConversationsDocument, { first: 50 });
    return res.data!.conversations.nodes.filter((c) => c.subject === subject);
  } finally {
    await api.close();
  }
}

/** The case journal as Marita reads it through the staff API. */
export async function caseJournal(t: TestServer, caseId: string) {
  const api = apiAs(t, await t.token.staff(DEMO.caseworker));
  try {
    const res = await api.query(CaseJournalDocument, { caseId, first: 50 });
    return res.data!.caseJournal.nodes;
  } finally {
    await api.close();
  }
}

/** A citizen answers a message through the citizen API. */
export async function citizenReplies(
  t: TestServer,
  personnummer: string,
  messageId: string,
  body: string,
): Promise<void> {
  const api = apiAs(t, await t.token.citizen(personnummer));
  try {
    const res = await api.mutate(ReplyToMessageDocument, { messageId, input: { idempotencyKey: randomUUID(), body } });
    if (!res.data) throw new Error(`reply failed: ${res.codes.join(', ')}`);
  } finally {
    await api.close();
  }
}

/** The journal entries of an executor's assignment in a case, read as the executor. */
export async function journalAs(t: TestServer, username: string, caseId: string) {
  const api = apiAs(t, await t.token.staff(username));
  try {
    const res = await api.query(CaseJournalDocument, { caseId, first: 50 });
    return res.data!.caseJournal.nodes;
  } finally {
    await api.close();
  }
}
