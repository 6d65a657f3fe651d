import { randomUUID } from 'node:crypto';
import {
  ConversationDocument,
  ConversationsDocument,
  MailboxesDocument,
  MarkMessageReadDocument,
  ReplyToMessageDocument,
  SendMessageDocument,
} from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { apiAs } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
let tolvanId: string;
beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  tolvanId = (await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan })).id;
});
afterAll(() => t.close());

test('Marita sends Tolvan a PDF with a read receipt; Tolvan reads, downloads and replies; Marita sees the receipt and the reply', async () => {
  const maritaToken = await t.token.staff(DEMO.caseworker);
  const tolvanToken = await t.token.citizen(DEMO.tolvan);
  const marita = apiAs(t, maritaToken);
  const tolvan = apiAs(t, tolvanToken);
  const base = t.url.replace(/\/graphql$/, '');

  const pdf = await makePdf('Beslut');
  const up = await upload(base, maritaToken, pdf, 'Beslut 2024.pdf');
  expect(up.status).toBe(201);

  const sent = await marita.mutate(SendMessageDocument, {
    input: {
      idempotencyKey: randomUUID(),
      to: { personIds: [tolvanId] },
      subject: 'Beslut om ekonomiskt bistånd',
      body: '<p>Hej Tolvan, här är beslutet.</p><script>alert(1)</script>',
      readReceiptRequested: true,
      attachmentIds: [up.body.id],
    },
  });
  expect(sent.codes).toEqual([]);
  const message = sent.data!.sendMessage[0];
  expect(message.bodyHtml).toBe('<p>Hej Tolvan, här är beslutet.</p>');

  const inbox = await tolvan.query(citizen.ConversationsDocument, {});
  expect(inbox.codes).toEqual([]);
  expect(inbox.data!.conversations.nodes[0].unreadCount).toBe(1);

  const conv = await tolvan.query(citizen.ConversationDocument, { id: message.conversationId });
  const received = conv.data!.conversation.messages[0];
  expect(received.readByMe).toBe(false);
  expect(received.readReceiptRequested).toBe(true);
  const file = await download(base, tolvanToken, received.attachments[0].downloadUrl);
  expect(file.status).toBe(200);
  expect(file.bytes.equals(pdf)).toBe(true);
  expect(file.headers.get('content-disposition')).toMatch(/^attachment;/);

  const read = await tolvan.mutate(citizen.MarkMessageReadDocument, { messageId: received.id });
  expect(read.data!.markMessageRead.readByMe).toBe(true);

  const reply = await tolvan.mutate(citizen.ReplyToMessageDocument, {
    messageId: received.id,
    input: { idempotencyKey: randomUUID(), body: 'Tack!' },
  });
  expect(reply.codes).toEqual([]);
  expect(reply.data!.replyToMessage.subject).toBe('SV: Beslut om ekonomiskt bistånd');

  const seen = await marita.query(ConversationDocument, { id: message.conversationId });
  expect(seen.codes).toEqual([]);
  const [original, answer] = seen.data!.conversation.messages;
  expect(original.readReceipts![0].readAt).not.toBeNull();
  expect(original.history.map((h) => h.kind)).toEqual(['SENT', 'DOWNLOADED', 'READ']);
  expect(answer.bodyText).toBe('Tack!');
  const boxes = await marita.query(MailboxesDocument, {});
  expect(boxes.data!.mailboxes[0].unreadCount).toBe(1);
  const list = await marita.query(ConversationsDocument, { folder: 'INBOX' });
  expect(list.data!.conversations.nodes).toHaveLength(1);
  await marita.mutate(MarkMessageReadDocument, { messageId: answer.id });
  void ReplyToMessageDocument;
});
