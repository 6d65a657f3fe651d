import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Records arranged in bulk SQL, with any age: conversations with messages,
 * recipients, read receipts, history, notices, notification deliveries,
 * attachments with their bytes, and journal entries. For gallring and
 * register-extract tests (and the bench), where going through the API for
 * years-old data is impossible.
 */
export interface ArrangedConversation {
  conversationId: string;
  messageIds: string[];
  attachmentIds: string[];
  storageKeys: string[];
  journalEntryId?: string;
}

const exec = (em: EntityManager, text: string, values: unknown[] = []) =>
  em.getConnection().execute(text, values as never[], 'all');

export async function arrangeConversation(
  em: EntityManager,
  o: {
    citizenId: string;
    caseId?: string | null;
    staffId: string;
    ageDays: number;
    messages?: number;
    /** PDFs on the first message. */
    attachments?: number;
    /** Reuse these bytes for the first attachment (a sent copy shares its bytes). */
    sharedStorageKey?: string;
    /** Journal the first message, or its first attachment. */
    journal?: 'message' | 'attachment' | null;
    subject?: string;
    body?: string;
  },
): Promise<ArrangedConversation> {
  const at = `now() - make_interval(days => ${Number(o.ageDays)})`;
  const conversationId = randomUUID();
  const subject = o.subject ?? 'Beslut';
  await exec(
    em,
    `insert into conversation (id, created_at, subject, citizen_id, case_id, last_message_at) values (?, ${at}, ?, ?, ?, ${at})`,
    [conversationId, subject, o.citizenId, o.caseId ?? null],
  );
  await exec(
    em,
    `insert into conversation_participant (id, created_at, conversation_id, kind, party_key, staff_id, person_id) values
       (?, ${at}, ?, 'STAFF', ?, ?, null), (?, ${at}, ?, 'PERSON', ?, null, ?)`,
    [
      randomUUID(),
      conversationId,
      `STAFF:${o.staffId}`,
      o.staffId,
      randomUUID(),
      conversationId,
      `PERSON:${o.citizenId}`,
      o.citizenId,
    ],
  );
  const messageIds: string[] = [];
  const attachmentIds: string[] = [];
  const storageKeys: string[] = [];
  for (let i = 0; i < (o.messages ?? 2); i++) {
    const id = randomUUID();
    messageIds.push(id);
    const fromStaff = i % 2 === 0;
    const body = o.body ?? `Meddelande ${i + 1}`;
    await exec(
      em,
      `insert into message (id, created_at, conversation_id, sender_kind, sender_staff_id, sender_person_id, subject, body_html, body_text, read_receipt_requested, in_reply_to_id)
       values (?, ${at}, ?, ?, ?, ?, ?, ?, ?, true, ?)`,
      [
        id,
        conversationId,
        fromStaff ? 'STAFF' : 'PERSON',
        fromStaff ? o.staffId : null,
        fromStaff ? null : o.citizenId,
        i ? `SV: ${subject}` : subject,
        `<p>${body}</p>`,
        body,
        messageIds[i - 1] ?? null,
      ],
    );
    const to = fromStaff
      ? { kind: 'PERSON', key: `PERSON:${o.citizenId}`, staff: null, person: o.citizenId }
      : { kind: 'STAFF', key: `STAFF:${o.staffId}`, staff: o.staffId, person: null };
    await exec(
      em,
      `insert into message_recipient (id, created_at, message_id, conversation_id, kind, party_key, staff_id, person_id, read_at) values (?, ${at}, ?, ?, ?, ?, ?, ?, ${at})`,
      [randomUUID(), id, conversationId, to.kind, to.key, to.staff, to.person],
    );
    await exec(
      em,
      `insert into message_event (id, created_at, message_id, kind, actor_name) values (?, ${at}, ?, 'SENT', 'Avsändare'), (?, ${at}, ?, 'READ', 'Läsare')`,
      [randomUUID(), id, randomUUID(), id],
    );
    await exec(
      em,
      `insert into notice (party_key, kind, payload, created_at) values (?, 'NEW_MESSAGE', ?::jsonb, ${at})`,
      [to.key, JSON.stringify({ conversationId, messageId: id, subject, at: new Date().toISOString() })],
    );
    if (fromStaff)
      await exec(
        em,
        `insert into notification_delivery (job_id, channel, message_id, person_id, delivered_at) values (?, 'sms', ?, ?, ${at})`,
        [randomUUID(), id, o.citizenId],
      );
  }
  for (let k = 0; k < (o.attachments ?? 0); k++) {
    const id = randomUUID();
    let key = k === 0 ? o.sharedStorageKey : undefined;
    if (!key) {
      key = `pg:${randomUUID()}`;
      await exec(em, `insert into attachment_blob (key, bytes, created_at) values (?, ?, now())`, [
        key,
        Buffer.from(`%PDF-1.4 bilaga ${k + 1} ${id}\n%%EOF\n`),
      ]);
    }
    await exec(
      em,
      `insert into attachment (id, created_at, filename, size, sha256, storage_key, uploaded_by_staff_id, message_id) values (?, ${at}, ?, 40, 'x', ?, ?, ?)`,
      [id, `Bilaga ${k + 1}.pdf`, key, o.staffId, messageIds[0]],
    );
    attachmentIds.push(id);
    storageKeys.push(key);
  }
  let journalEntryId: string | undefined;
  if (o.journal) {
    if (!o.caseId) throw new Error('journaling needs a case');
    journalEntryId = randomUUID();
    await exec(
      em,
      `insert into journal_entry (id, created_at, person_id, case_id, document_type, sender_kind, heading, date, text, message_id, attachment_id, author_id, target_label)
       values (?, ${at}, ?, ?, 'OUTGOING_DOCUMENT', 'STAFF', 'Journalfört', (${at})::date, ?, ?, ?, ?, 'Ärende')`,
      [
        journalEntryId,
        o.citizenId,
        o.caseId,
        'Meddelande 1',
        messageIds[0],
        o.journal === 'attachment' ? attachmentIds[0] : null,
        o.staffId,
      ],
    );
  }
  return { conversationId, messageIds, attachmentIds, storageKeys, journalEntryId };
}

/** Row counts of the tables gallring touches, to show a dry run changed nothing. */
export async function tableCounts(em: EntityManager): Promise<Record<string, number>> {
  const tables = [
    'conversation',
    'conversation_participant',
    'message',
    'message_recipient',
    'message_event',
    'attachment',
    'attachment_blob',
    'notice',
    'draft',
    'notification_delivery',
    'access_log_entry',
    'journal_entry',
  ];
  const rows: Record<string, string>[] = await exec(
    em,
    `select ${tables.map((t) => `(select count(*) from "${t}") as "${t}"`).join(', ')}`,
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
}

export async function rowExists(em: EntityManager, table: string, column: string, value: string): Promise<boolean> {
  return (await exec(em, `select 1 from "${table}" where "${column}" = ?`, [value])).length > 0;
}
