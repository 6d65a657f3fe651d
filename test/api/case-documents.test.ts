import { createHash, randomUUID } from 'node:crypto';
import {
  CaseDocumentsDocument,
  CreateCaseDocumentDocument,
  LockCaseDocumentDocument,
  SendCaseDocumentDocument,
  UpdateCaseDocumentDocument,
} from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Case, CaseStatus } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { download, pdfText } from '../testkit/files';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
let base: string;
let ek: Case;
let sannaCase: Case;
const sql = async <T = any>(query: string, params: unknown[] = []): Promise<T[]> => t.em().getConnection().execute(query, params);
const staff = async (username: string) => apiAs(t, await t.token.staff(username));

beforeAll(async () => {
  t = await startTestServer();
  base = t.url.replace(/\/graphql$/, '');
  await seedDemoData(t.em());
  ek = await t.em().findOneOrFail(Case, { title: 'Ekonomiskt bistånd' });
  sannaCase = await t.em().findOneOrFail(Case, { title: 'Skydd och stöd' });
});
afterAll(() => t.close());

const kallelse = {
  title: 'Kallelse till möte om ekonomiskt bistånd',
  type: 'LETTER' as const,
  date: '2024-08-26',
  text: 'Hej Tolvan!\n\nDu är välkommen till ett möte torsdag 23/8 kl 14.00 på Storgatan 1.\nTa med kontoutdrag för de senaste tre månaderna. Åäö – “citat” 🙂',
};

describe('case documents', () => {
  test('D1/D2 a caseworker writes and edits a document; once locked it cannot change, in the API or the database; locking again changes nothing', async () => {
    const marita = await staff(DEMO.caseworker);
    const created = await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, title: 'Utkast' } });
    expect(created.codes).toEqual([]);
    const doc = created.data!.createCaseDocument;
    expect(doc).toMatchObject({ locked: false, pdfUrl: null, author: { name: 'Marita Aronsson' } });

    const edited = await marita.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { title: 'Andra utkastet' } });
    expect(edited.data!.updateCaseDocument.title).toBe('Andra utkastet');

    const locked = await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    expect(locked.codes).toEqual([]);
    expect(locked.data!.lockCaseDocument).toMatchObject({ locked: true, lockedBy: { name: 'Marita Aronsson' }, pdfUrl: `/case-documents/${doc.id}/pdf` });
    expect(locked.data!.lockCaseDocument.pdfSize).toBeGreaterThan(500);

    const refused = await marita.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { text: 'ändrat' } });
    expect(refused.codes).toEqual(['CASE_DOCUMENT_LOCKED']);
    expect(refused.errors[0].message).toMatch(/Write a new document instead/);
    await expect(sql(`update case_document set text = 'ändrat' where id = ?`, [doc.id])).rejects.toThrow(/locked/);
    await expect(sql(`delete from case_document where id = ?`, [doc.id])).rejects.toThrow(/locked/);

    const again = await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    expect(again.data!.lockCaseDocument.pdfSha256).toBe(locked.data!.lockCaseDocument.pdfSha256);
    expect(again.data!.lockCaseDocument.lockedAt).toBe(locked.data!.lockCaseDocument.lockedAt);

    const list = await marita.query(CaseDocumentsDocument, { caseId: ek.id });
    expect(list.data!.caseDocuments.map((d) => d.id)).toContain(doc.id);
    const logged = await sql(`select action, count(*)::int as n from access_log_entry where person_id = ? and action in ('DOCUMENT_READ', 'DOCUMENT_WRITE') group by action order by action`, [ek.holder.id]);
    expect(logged.map((r) => r.action)).toEqual(['DOCUMENT_READ', 'DOCUMENT_WRITE']);
  });

  test('D3 the locked document renders to a PDF whose text parses back: municipality, unit, date, heading, person, text with å ä ö', async () => {
    const marita = await staff(DEMO.caseworker);
    const doc = (await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).data!.createCaseDocument;
    const locked = (await marita.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument;
    const file = await download(base, await t.token.staff(DEMO.caseworker), locked.pdfUrl!);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(locked.pdfSha256);

    const pdf = await pdfText(file.bytes);
    expect(pdf.numPages).toBe(1);
    expect(pdf.title).toBe(kallelse.title);
    const lines = pdf.pages[0].split('\n').map((l) => l.trim());
    expect(lines.slice(0, 8)).toEqual([
      'Söderköpings kommun',
      'IFO Vuxen – Försörjningsstöd',
      '2024-08-26',
      'Tolvan Tolvansson',
      'Storgatan 12',
      '614 30 Söderköping',
      'BREV',
      'Kallelse till möte om ekonomiskt bistånd',
    ]);
    expect(pdf.pages[0]).toContain('Du är välkommen till ett möte torsdag 23/8 kl 14.00 på Storgatan 1.');
    // WinAnsi has the Swedish letters and typographic quotes; the emoji is replaced, not fatal.
    expect(pdf.pages[0]).toContain('Åäö – “citat” ?');
    expect(pdf.pages[0]).toContain('Marita Aronsson');

    // Other staff cannot fetch it; an unlocked document has no PDF.
    expect((await download(base, await t.token.staff(DEMO.otherUnitCaseworker), locked.pdfUrl!)).status).toBe(404);
    expect((await download(base, await t.token.citizen(DEMO.tolvan), locked.pdfUrl!)).status).toBe(404);
    const draft = (await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, title: 'Ej låst' } })).data!.createCaseDocument;
    expect((await download(base, await t.token.staff(DEMO.caseworker), `/case-documents/${draft.id}/pdf`)).status).toBe(409);
  });

  test('D3 a protected person\'s address is never printed', async () => {
    const anna = await staff(DEMO.secondCaseworker);
    const doc = (await anna.mutate(CreateCaseDocumentDocument, { caseId: sannaCase.id, input: { title: 'Beslut om skyddat boende', type: 'DECISION', text: 'Beslutet gäller från och med i dag.' } })).data!.createCaseDocument;
    const locked = (await anna.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument;
    const file = await download(base, await t.token.staff(DEMO.secondCaseworker), locked.pdfUrl!);
    const text = (await pdfText(file.bytes)).pages.join('\n');
    expect(text).toContain('Sanna Skyddad');
    expect(text).toContain('Beslut om skyddat boende');
    for (const secret of ['Hemlig adress', '600 00', 'Okänd ort', '+46709998877', 'sanna@example.se']) expect(text).not.toContain(secret);
    // Nor is it anywhere in the file's bytes (metadata included).
    expect(file.bytes.toString('latin1')).not.toContain('Hemlig');
  });

  test('D4 send from the case: the locked document\'s PDF reaches the case holder in one step; a retry returns the same message', async () => {
    const marita = await staff(DEMO.caseworker);
    const doc = (await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, title: 'Beslut om bistånd', type: 'DECISION' } })).data!.createCaseDocument;

    const early = await marita.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } });
    expect(early.codes).toEqual(['CASE_DOCUMENT_NOT_LOCKED']);
    expect(early.errors[0].message).toMatch(/Lock/);

    const locked = (await marita.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument;
    const tolvanToken = await t.token.citizen(DEMO.tolvan);
    const tolvan = apiAs(t, tolvanToken);
    const { cursor } = (await tolvan.query(citizen.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const key = randomUUID();
    const sent = await marita.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: key, readReceiptRequested: true } });
    expect(sent.codes).toEqual([]);
    const message = sent.data!.sendCaseDocument;
    expect(message.subject).toBe('Beslut om bistånd');
    expect(message.bodyText).toContain('Beslut om bistånd');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ filename: 'Beslut om bistånd 2024-08-26.pdf', sha256: locked.pdfSha256, size: locked.pdfSize });

    const retry = await marita.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: key, readReceiptRequested: true } });
    expect(retry.data!.sendCaseDocument.id).toBe(message.id);
    const rows = await sql(`select count(*)::int as n from attachment where sha256 = ?`, [locked.pdfSha256]);
    expect(rows[0].n).toBe(1);
    const reused = await marita.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: key, subject: 'Annat' } });
    expect(reused.codes).toEqual(['IDEMPOTENCY_KEY_REUSED']);

    // Tolvan is told at once, like for any message (one notice, also after the retry).
    const notices = (await tolvan.query(citizen.NoticesSinceDocument, { cursor })).data!.noticesSince.notices;
    expect(notices.filter((n) => n.kind === 'NEW_MESSAGE').map((n) => [n.messageId, n.subject])).toEqual([[message.id, 'Beslut om bistånd']]);

    // Tolvan finds it in the inbox and downloads the very PDF, which parses back.
    const conv = await tolvan.query(citizen.ConversationDocument, { id: message.conversationId });
    expect(conv.codes).toEqual([]);
    const received = conv.data!.conversation.messages[0];
    expect(received.sender.name).toBe('Marita Aronsson');
    const file = await download(base, tolvanToken, received.attachments[0].downloadUrl);
    expect(file.status).toBe(200);
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(locked.pdfSha256);
    const pdf = await pdfText(file.bytes);
    expect(pdf.pages[0]).toContain('Beslut om bistånd');
    expect(pdf.pages[0]).toContain('Tolvan Tolvansson');
    expect(pdf.pages[0]).toContain('BESLUT');
  });

  test('D4 a refused send writes nothing: the holder without the e-service gets RECIPIENT_NOT_ACTIVATED and no attachment or message is left', async () => {
    const anna = await staff(DEMO.secondCaseworker);
    const doc = (await anna.mutate(CreateCaseDocumentDocument, { caseId: sannaCase.id, input: { title: 'Kallelse', type: 'LETTER', text: 'Välkommen.' } })).data!.createCaseDocument;
    const locked = (await anna.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument;
    const before = await sql(`select (select count(*) from message)::int as m, (select count(*) from attachment)::int as a`);
    const r = await anna.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } });
    expect(r.codes).toEqual(['RECIPIENT_NOT_ACTIVATED']);
    const after = await sql(`select (select count(*) from message)::int as m, (select count(*) from attachment)::int as a`);
    expect(after).toEqual(before);
    expect(locked.locked).toBe(true);
  });

  test('D1 only caseworkers with the case in their caseload, and only on ongoing cases', async () => {
    const per = await staff(DEMO.executor);
    expect((await per.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).codes).toEqual(['FORBIDDEN']);
    const bo = await staff(DEMO.otherUnitCaseworker);
    expect((await bo.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).codes).toEqual(['NOT_FOUND']);
    expect((await bo.query(CaseDocumentsDocument, { caseId: ek.id })).codes).toEqual(['NOT_FOUND']);

    const em = t.em();
    const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
    const closed = em.create(Case, { title: 'Avslutat', holder: ek.holder.id, unit: marita.unit, caseworker: marita, openedOn: '2020-01-01', status: CaseStatus.CLOSED, closedOn: '2020-06-01' });
    await em.flush();
    const r = await (await staff(DEMO.caseworker)).mutate(CreateCaseDocumentDocument, { caseId: closed.id, input: kallelse });
    expect(r.codes).toEqual(['CASE_CLOSED']);
    const empty = await (await staff(DEMO.caseworker)).mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, text: '  ' } });
    expect(empty.codes).toEqual(['BAD_USER_INPUT']);
  });
});
