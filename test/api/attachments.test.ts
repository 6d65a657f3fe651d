import { createHash, randomUUID } from 'node:crypto';
import { ConversationDocument, SendMessageDocument } from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { MAX_FILE_BYTES } from '../../src/domain/attachment.service';
import { AccessAction, AccessLogEntry } from '../../src/entities/access-log-entry';
import { Attachment } from '../../src/entities/attachment';
import { Person } from '../../src/entities/person';
import { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import { startTestServer, type TestServer } from '../testkit/server';

// Attachments: PDFs only (by their bytes), at most 16 MB and 5 per message,
// stored behind the BlobStore with a SHA-256, downloaded by participants only.

let t: TestServer;
let base: string;
let tolvanId: string;
let marita: string;
let tolvan: string;
let josefine: string;
let anna: string;
let bo: string;

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  base = t.url.replace(/\/graphql$/, '');
  tolvanId = (await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan })).id;
  [marita, tolvan, josefine, anna, bo] = await Promise.all([
    t.token.staff(DEMO.caseworker),
    t.token.citizen(DEMO.tolvan),
    t.token.citizen(DEMO.relation),
    t.token.staff(DEMO.secondCaseworker),
    t.token.staff(DEMO.otherUnitCaseworker),
  ]);
});
afterAll(() => t.close());

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function rows(
  table: 'attachment' | 'attachment_blob' | 'message' | 'message_event' | 'access_log_entry',
  where = 'true',
): Promise<number> {
  const [r] = await t.em().getConnection().execute(`select count(*)::int as n from ${table} where ${where}`);
  return r.n;
}
const stored = async () => ({ attachments: await rows('attachment'), blobs: await rows('attachment_blob') });

/** A real PDF followed by padding (a PDF comment after %%EOF, which readers ignore) to exactly `size` bytes. */
async function pdfOfSize(size: number): Promise<Buffer> {
  const pdf = await makePdf('Stor bilaga');
  const pad = Buffer.alloc(size - pdf.length, 0x20);
  pad[0] = 0x25; // '%'
  return Buffer.concat([pdf, pad]);
}

/** Marita sends Tolvan a message carrying the given uploads. */
async function sendToTolvan(attachmentIds: string[], token = marita) {
  return apiAs(t, token).mutate(SendMessageDocument, {
    input: {
      idempotencyKey: randomUUID(),
      to: { personIds: [tolvanId] },
      subject: 'Bilagor',
      body: '<p>Se bilagan.</p>',
      attachmentIds,
    },
  });
}

/** POST /uploads with any body, answering status, headers and the parsed JSON. */
async function rawUpload(
  body: RequestInit['body'],
  opts: { token?: string; headers?: Record<string, string>; duplex?: boolean } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/pdf', ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body };
  if (opts.duplex) init.duplex = 'half';
  const res = await fetch(new URL('/uploads?filename=x.pdf', base), init);
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => undefined)) as any };
}

describe('upload, send, download', () => {
  let pdf: Buffer;
  let attachmentId: string;
  let conversationId: string;
  let messageId: string;

  beforeAll(async () => {
    pdf = await makePdf('Beslut om ekonomiskt bistånd');
    const up = await upload(base, marita, pdf, 'Beslut – bistånd åäö ÅÄÖ.pdf');
    expect(up.status).toBe(201);
    attachmentId = up.body.id;
    const sent = await sendToTolvan([attachmentId]);
    expect(sent.codes).toEqual([]);
    conversationId = sent.data!.sendMessage[0].conversationId;
    messageId = sent.data!.sendMessage[0].id;
  });

  test('the upload answers its id, sanitized name, size and SHA-256', async () => {
    const again = await upload(base, marita, pdf, 'Beslut – bistånd åäö ÅÄÖ.pdf');
    expect(again.status).toBe(201);
    expect(again.body).toEqual({
      id: expect.any(String),
      filename: 'Beslut _ bistånd åäö ÅÄÖ.pdf',
      size: pdf.length,
      sha256: sha256(pdf),
      contentType: 'application/pdf',
    });
  });

  test('the recipient sees the attachment on the message and downloads the very same bytes', async () => {
    const conv = await apiAs(t, tolvan).query(citizen.ConversationDocument, { id: conversationId });
    expect(conv.codes).toEqual([]);
    const [a] = conv.data!.conversation.messages[0].attachments;
    expect(a).toEqual({
      id: attachmentId,
      filename: 'Beslut _ bistånd åäö ÅÄÖ.pdf',
      size: pdf.length,
      sha256: sha256(pdf),
      contentType: 'application/pdf',
      downloadUrl: `/attachments/${attachmentId}`,
    });

    const file = await download(base, tolvan, a.downloadUrl);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(pdf)).toBe(true);
    expect(sha256(file.bytes)).toBe(a.sha256);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('cache-control')).toBe('no-store');
    expect(file.headers.get('content-length')).toBe(String(pdf.length));
    const disposition = file.headers.get('content-disposition')!;
    expect(disposition).toBe(
      `attachment; filename="Beslut _ bistand aao AAO.pdf"; filename*=UTF-8''${encodeURIComponent(a.filename)}`,
    );
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1])).toBe(a.filename);
  });

  test('each download is recorded in the message history the citizen can read', async () => {
    const before = await rows('message_event', `message_id = '${messageId}' and kind = 'DOWNLOADED'`);
    expect((await download(base, tolvan, `/attachments/${attachmentId}`)).status).toBe(200);
    expect(await rows('message_event', `message_id = '${messageId}' and kind = 'DOWNLOADED'`)).toBe(before + 1);

    const conv = await apiAs(t, tolvan).query(citizen.ConversationDocument, { id: conversationId });
    const downloads = conv.data!.conversation.messages[0].history.filter((h) => h.kind === 'DOWNLOADED');
    expect(downloads.length).toBe(before + 1);
    expect(downloads.at(-1)).toMatchObject({ actorName: 'Tolvan Tolvansson', detail: 'Beslut _ bistånd åäö ÅÄÖ.pdf' });
  });

  test('a staff download is recorded in the history and in the access log (ATTACHMENT_DOWNLOAD)', async () => {
    const maritaId = (await t.em().findOneOrFail(Staff, { username: DEMO.caseworker })).id;
    const logged = () =>
      t.em().count(AccessLogEntry, { actor: maritaId, person: tolvanId, action: AccessAction.ATTACHMENT_DOWNLOAD });
    const before = await logged();
    const file = await download(base, marita, `/attachments/${attachmentId}`);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(pdf)).toBe(true);
    expect(await logged()).toBe(before + 1);
    const entry = await t
      .em()
      .findOneOrFail(
        AccessLogEntry,
        { actor: maritaId, action: AccessAction.ATTACHMENT_DOWNLOAD },
        { orderBy: { createdAt: 'desc' } },
      );
    expect(entry.requestId).toBe(file.headers.get('x-request-id'));

    const conv = await apiAs(t, marita).query(ConversationDocument, { id: conversationId });
    expect(conv.data!.conversation.messages[0].history.filter((h) => h.kind === 'DOWNLOADED').at(-1)!.actorName).toBe(
      'Marita Aronsson',
    );
  });

  describe('no one outside the conversation can download it: 404 NOT_FOUND, as for an id that does not exist', () => {
    let notFoundBody: unknown;
    beforeAll(async () => {
      const res = await fetch(new URL(`/attachments/${randomUUID()}`, base), {
        headers: { authorization: `Bearer ${marita}` },
      });
      expect(res.status).toBe(404);
      notFoundBody = await res.json();
      expect(notFoundBody).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    });

    test.each([
      ['another citizen (Josefine, a relation on the same case)', () => josefine],
      ['a caseworker in another unit (Bo)', () => bo],
      ['a colleague in the same unit who is not in the conversation (Anna)', () => anna],
    ])('%s', async (_who, token) => {
      const events = await rows('message_event');
      const logs = await rows('access_log_entry');
      const res = await fetch(new URL(`/attachments/${attachmentId}`, base), {
        headers: { authorization: `Bearer ${token()}` },
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('content-disposition')).toBeNull();
      expect(await res.json()).toEqual(notFoundBody);
      expect(await rows('message_event')).toBe(events);
      expect(await rows('access_log_entry')).toBe(logs);
    });

    test('an id that is not a UUID', async () => {
      const res = await fetch(new URL('/attachments/..%2F..%2Fetc%2Fpasswd', base), {
        headers: { authorization: `Bearer ${tolvan}` },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(notFoundBody);
    });

    test("someone else's upload that is not sent yet", async () => {
      const up = await upload(base, marita, await makePdf('Utkast'), 'utkast.pdf');
      expect((await download(base, marita, `/attachments/${up.body.id}`)).status).toBe(200);
      const res = await fetch(new URL(`/attachments/${up.body.id}`, base), {
        headers: { authorization: `Bearer ${tolvan}` },
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(notFoundBody);
    });

    test('without a token: 401 UNAUTHENTICATED', async () => {
      const res = await fetch(new URL(`/attachments/${attachmentId}`, base));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
      const bad = await fetch(new URL(`/attachments/${attachmentId}`, base), {
        headers: { authorization: 'Bearer not-a-token' },
      });
      expect(bad.status).toBe(401);
    });
  });

  test('a citizen can attach a PDF to a reply and the caseworker downloads it', async () => {
    const theirs = await makePdf('Kontoutdrag');
    const up = await upload(base, tolvan, theirs, 'kontoutdrag mars.pdf');
    expect(up.status).toBe(201);
    const reply = await apiAs(t, tolvan).mutate(citizen.ReplyToMessageDocument, {
      messageId,
      input: { idempotencyKey: randomUUID(), body: 'Här är kontoutdraget.', attachmentIds: [up.body.id] },
    });
    expect(reply.codes).toEqual([]);
    expect(reply.data!.replyToMessage.attachments.map((a) => a.filename)).toEqual(['kontoutdrag mars.pdf']);
    const file = await download(base, marita, `/attachments/${up.body.id}`);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(theirs)).toBe(true);
  });
});

describe('who downloads what', () => {
  test("a message to several citizens: each downloads their own copy and not the other's", async () => {
    const josefineId = (await t.em().findOneOrFail(Person, { personnummer: DEMO.relation })).id;
    const pdf = await makePdf('Kallelse');
    const up = await upload(base, marita, pdf, 'kallelse.pdf');
    const sent = await apiAs(t, marita).mutate(SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { personIds: [tolvanId, josefineId] },
        subject: 'Kallelse',
        body: 'Se bilagan.',
        attachmentIds: [up.body.id],
      },
    });
    expect(sent.codes).toEqual([]);
    const [toTolvan, toJosefine] = sent.data!.sendMessage.map((m) => m.attachments[0]);
    expect(toTolvan.id).not.toBe(toJosefine.id);
    expect(toJosefine.sha256).toBe(sha256(pdf));

    const own = await download(base, josefine, toJosefine.downloadUrl);
    expect(own.status).toBe(200);
    expect(own.bytes.equals(pdf)).toBe(true);
    expect((await download(base, josefine, toTolvan.downloadUrl)).status).toBe(404);
    expect((await download(base, tolvan, toJosefine.downloadUrl)).status).toBe(404);
    expect((await download(base, tolvan, toTolvan.downloadUrl)).status).toBe(200);
  });

  test('a member of a shared mailbox in the conversation may download; a non-member may not', async () => {
    const mailbox = await t
      .em()
      .getConnection()
      .execute(`select id from shared_mailbox where name = 'Försörjningsstöd mottagning'`);
    const pdf = await makePdf('Schema');
    const up = await upload(base, tolvan, pdf, 'schema.pdf');
    const sent = await apiAs(t, tolvan).mutate(citizen.SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { sharedMailboxIds: [mailbox[0].id] },
        subject: 'Schema',
        body: 'Mitt schema.',
        attachmentIds: [up.body.id],
      },
    });
    expect(sent.codes).toEqual([]);
    const url = sent.data!.sendMessage[0].attachments[0].downloadUrl;
    const viaMailbox = await download(base, anna, url);
    expect(viaMailbox.status).toBe(200);
    expect(viaMailbox.bytes.equals(pdf)).toBe(true);
    expect((await download(base, bo, url)).status).toBe(404);
  });

  test('a citizen without the e-service cannot upload: E_SERVICE_NOT_ACTIVATED (403), nothing stored', async () => {
    const kalle = await t.token.citizen(DEMO.otherUnitPerson);
    const before = await stored();
    const res = await upload(base, kalle, await makePdf(), 'a.pdf');
    expect(res.status).toBe(403);
    expect(res.body.errors[0].extensions.code).toBe('E_SERVICE_NOT_ACTIVATED');
    expect(await stored()).toEqual(before);
  });
});

describe('bad files are refused with a code and nothing is stored', () => {
  test('a text file renamed .pdf: 415 UNSUPPORTED_FILE_TYPE', async () => {
    const before = await stored();
    const res = await upload(base, marita, Buffer.from('Detta är ingen PDF, bara text.\n'.repeat(50)), 'beslut.pdf');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE', field: 'file' });
    expect(await stored()).toEqual(before);
  });

  test('an HTML page sent as application/pdf: 415 UNSUPPORTED_FILE_TYPE', async () => {
    const before = await stored();
    const res = await upload(
      base,
      marita,
      Buffer.from('<html><script>alert(document.cookie)</script></html>'),
      'a.pdf',
      'application/pdf',
    );
    expect(res.status).toBe(415);
    expect(res.body.errors[0].extensions.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(await stored()).toEqual(before);
  });

  test('an empty body is refused', async () => {
    const before = await stored();
    const res = await upload(base, marita, Buffer.alloc(0), 'tom.pdf');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].extensions.code).toBe('UNSUPPORTED_FILE_TYPE');
    expect(res.body.errors[0].message).toMatch(/empty/i);
    expect(await stored()).toEqual(before);
  });

  test('exactly 16 MB is accepted', async () => {
    const big = await pdfOfSize(MAX_FILE_BYTES);
    const res = await upload(base, marita, big, 'precis 16 MB.pdf');
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(MAX_FILE_BYTES);
    expect(res.body.sha256).toBe(sha256(big));
  });

  test('one byte over 16 MB with a Content-Length: 413 FILE_TOO_LARGE', async () => {
    const before = await stored();
    const res = await rawUpload(await pdfOfSize(MAX_FILE_BYTES + 1), { token: marita });
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FILE_TOO_LARGE', field: 'file' });
    expect(await stored()).toEqual(before);
  });

  test('one byte over 16 MB streamed without a Content-Length (chunked): 413 FILE_TOO_LARGE', async () => {
    const before = await stored();
    const big = await pdfOfSize(MAX_FILE_BYTES + 1);
    const chunk = 256 * 1024;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= big.length) return controller.close();
        controller.enqueue(new Uint8Array(big.subarray(offset, offset + chunk)));
        offset += chunk;
      },
    });
    const res = await rawUpload(stream, { token: marita, duplex: true });
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('FILE_TOO_LARGE');
    expect(await stored()).toEqual(before);
  });

  test('without a token: 401 and nothing stored', async () => {
    const before = await stored();
    const res = await rawUpload(await makePdf());
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await stored()).toEqual(before);
  });

  test('a sixth attachment on one message: TOO_MANY_FILES, no message, the uploads stay unsent', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++)
      ids.push((await upload(base, marita, await makePdf(`Bilaga ${i}`), `bilaga ${i}.pdf`)).body.id);
    const messages = await rows('message');
    const res = await sendToTolvan(ids);
    expect(res.codes).toEqual(['TOO_MANY_FILES']);
    expect(res.errors[0].extensions).toMatchObject({ field: 'attachmentIds' });
    expect(await rows('message')).toBe(messages);
    expect(await t.em().count(Attachment, { id: { $in: ids }, message: null })).toBe(6);

    const five = await sendToTolvan(ids.slice(0, 5));
    expect(five.codes).toEqual([]);
    expect(five.data!.sendMessage[0].attachments.map((a) => a.filename)).toEqual(
      [1, 2, 3, 4, 5].map((i) => `bilaga ${i}.pdf`),
    );
  });

  test('a sixth attachment on a reply: TOO_MANY_FILES too', async () => {
    const [sent] = (await sendToTolvan([])).data!.sendMessage;
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++)
      ids.push((await upload(base, tolvan, await makePdf(`Svar ${i}`), `svar ${i}.pdf`)).body.id);
    const messages = await rows('message');
    const res = await apiAs(t, tolvan).mutate(citizen.ReplyToMessageDocument, {
      messageId: sent.id,
      input: { idempotencyKey: randomUUID(), body: 'Bilagor', attachmentIds: ids },
    });
    expect(res.codes).toEqual(['TOO_MANY_FILES']);
    expect(await rows('message')).toBe(messages);
  });

  test("someone else's upload id: NOT_FOUND, nothing sent", async () => {
    const theirs = await upload(base, tolvan, await makePdf('Tolvans fil'), 'tolvan.pdf');
    const messages = await rows('message');
    const res = await sendToTolvan([theirs.body.id]);
    expect(res.codes).toEqual(['NOT_FOUND']);
    expect(res.errors[0].extensions).toMatchObject({ field: 'attachmentIds' });
    expect(await rows('message')).toBe(messages);
    expect((await t.em().findOneOrFail(Attachment, theirs.body.id)).message).toBeNull();
  });

  test('an upload already sent cannot be sent again', async () => {
    const up = await upload(base, marita, await makePdf('En gång'), 'en gång.pdf');
    expect((await sendToTolvan([up.body.id])).codes).toEqual([]);
    const messages = await rows('message');
    const again = await sendToTolvan([up.body.id]);
    expect(again.codes).toEqual(['NOT_FOUND']);
    expect(await rows('message')).toBe(messages);
  });

  test('an attachment id that is not a UUID: NOT_FOUND on attachmentIds', async () => {
    const res = await sendToTolvan(['../../etc/passwd']);
    expect(res.codes).toEqual(['NOT_FOUND']);
    expect(res.errors[0].extensions).toMatchObject({ field: 'attachmentIds' });
  });
});

describe('file names from the client are sanitized on upload and in the download header', () => {
  test.each([
    ['../../etc/passwd', 'passwd.pdf'],
    ['<script>.pdf', 'script_.pdf'],
    ['rapport.exe', 'rapport.exe.pdf'],
    ['"; filename=evil.html', 'filename_evil.html.pdf'],
  ])('%j is stored as %j', async (name, expected) => {
    const pdf = await makePdf();
    const up = await upload(base, marita, pdf, name);
    expect(up.status).toBe(201);
    expect(up.body.filename).toBe(expected);
    const file = await download(base, marita, `/attachments/${up.body.id}`);
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="${expected}"; filename*=UTF-8''${encodeURIComponent(expected)}`,
    );
  });

  test('the name may also come in an X-Filename header (percent-encoded UTF-8)', async () => {
    const res = await fetch(new URL('/uploads', base), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${marita}`,
        'content-type': 'application/pdf',
        'x-filename': encodeURIComponent('Läkarintyg ö.pdf'),
      },
      body: await makePdf(),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { filename: string }).filename).toBe('Läkarintyg ö.pdf');
  });

  test('a malformed X-Filename (bad percent-encoding) is treated as a name to sanitize, not a server error', async () => {
    const res = await fetch(new URL('/uploads', base), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${marita}`,
        'content-type': 'application/pdf',
        'x-filename': 'rapport%E0%A4%A.pdf',
      },
      body: await makePdf(),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { filename: string }).filename).toBe('rapport_E0_A4_A.pdf');
  });
});
