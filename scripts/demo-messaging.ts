import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import * as citizen from '../clients/citizen/src';
import * as staff from '../clients/staff/src';
import { API, devToken, key, log, unwrap, uploadPdf, ws } from './demo-lib';

/**
 * `npm run demo:messaging` against a running server (npm start): Marita sends
 * Tolvan a message with a PDF and a read receipt; Tolvan sees it unread,
 * downloads the PDF, marks it read and replies; Marita sees the receipt and
 * the reply. Every call goes through the typed clients.
 */
async function main() {
  const maritaToken = await devToken('staff', 'mararo01');
  const tolvanToken = await devToken('citizen', '191212121212');
  const marita = staff.createStaffClient({
    url: API,
    token: maritaToken,
    webSocketImpl: ws,
    subscriptions: false,
  }).client;
  const tolvan = citizen.createCitizenClient({
    url: API,
    token: tolvanToken,
    webSocketImpl: ws,
    subscriptions: false,
  }).client;

  const doc = await PDFDocument.create();
  doc
    .addPage()
    .drawText('Beslut om ekonomiskt bistand', { x: 50, y: 750, font: await doc.embedFont(StandardFonts.Helvetica) });
  const file = path.join(os.tmpdir(), 'Beslut.pdf');
  await fs.writeFile(file, await doc.save());
  const uploadId = await uploadPdf(API, maritaToken, file);
  log('1. Marita uploaded Beslut.pdf:', uploadId);

  const found = unwrap(await marita.query(staff.PersonsDocument, { search: '191212121212' }).toPromise(), 'persons');
  const tolvanId = found.persons.nodes[0].id;
  const [sent] = unwrap(
    await marita
      .mutation(staff.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { personIds: [tolvanId] },
          subject: 'Beslut om ekonomiskt bistånd',
          body: '<p>Hej Tolvan! Beslutet finns bifogat.</p>',
          readReceiptRequested: true,
          attachmentIds: [uploadId],
        },
      })
      .toPromise(),
    'sendMessage',
  ).sendMessage;
  log('2. Marita sent', JSON.stringify(sent.subject), 'with a read receipt request');

  const inbox = unwrap(
    await tolvan.query(citizen.ConversationsDocument, { unreadOnly: true }).toPromise(),
    'conversations',
  );
  const conv = inbox.conversations.nodes.find((c) => c.id === sent.conversationId)!;
  log('3. Tolvan sees it unread:', conv.subject, `(${conv.unreadCount} unread)`);

  const thread = unwrap(await tolvan.query(citizen.ConversationDocument, { id: conv.id }).toPromise(), 'conversation');
  const message = thread.conversation.messages[thread.conversation.messages.length - 1];
  const res = await fetch(new URL(message.attachments[0].downloadUrl, API), {
    headers: { authorization: `Bearer ${tolvanToken}` },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  log(
    '4. Tolvan downloaded',
    message.attachments[0].filename,
    `${bytes.length} bytes,`,
    res.headers.get('content-disposition'),
  );

  unwrap(
    await tolvan.mutation(citizen.MarkMessageReadDocument, { messageId: message.id }).toPromise(),
    'markMessageRead',
  );
  log('5. Tolvan marked it read (the sender will see that, since a receipt was asked)');
  unwrap(
    await tolvan
      .mutation(citizen.ReplyToMessageDocument, {
        messageId: message.id,
        input: { idempotencyKey: key(), body: '<p>Tack, jag har läst beslutet.</p>' },
      })
      .toPromise(),
    'reply',
  );
  log('6. Tolvan replied');

  const seen = unwrap(await marita.query(staff.ConversationDocument, { id: conv.id }).toPromise(), 'conversation');
  const original = seen.conversation.messages.find((m) => m.id === sent.id)!;
  const reply = seen.conversation.messages[seen.conversation.messages.length - 1];
  log(
    '7. Marita sees the receipt:',
    original.readReceipts!.map((r) => `${r.recipient.name} read it at ${r.readAt}`).join('; '),
  );
  log('   history:', original.history.map((h) => h.kind).join(' → '));
  log('   and the reply:', JSON.stringify(reply.subject), '—', reply.bodyText);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
