import { createHash, randomUUID } from 'node:crypto';
import {
  CaseDocumentsDocument,
  CreateCaseDocumentDocument,
  CreateCaseDocumentPdfDocument,
  LockCaseDocumentDocument,
  SendCaseDocumentDocument,
  UpdateCaseDocumentDocument,
} from '../../clients/staff/src';
import { Client } from 'pg';
import * as citizen from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { initOrm } from '../../src/db/orm';
import { Case, CaseStatus } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { download, pdfText } from '../testkit/files';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let base: string;
let ek: Case;
let sannaCase: Case;
const sql = <T = any>(query: string, params: unknown[] = []) => w.sql<T>(query, params);
const staff = (username: string) => w.staff(username);

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  base = w.base;
  ek = await t.em().findOneOrFail(Case, { title: 'Ekonomiskt bistånd' });
  sannaCase = await t.em().findOneOrFail(Case, { title: 'Skydd och stöd' });
});
afterAll(() => w.close());

const kallelse = {
  title: 'Kallelse till möte om ekonomiskt bistånd',
  type: 'LETTER' as const,
  date: '2024-08-26',
  text: 'Hej Tolvan!\n\nDu är välkommen till ett möte torsdag 23/8 kl 14.00 på Storgatan 1.\nTa med kontoutdrag för de senaste tre månaderna. Åäö – “citat” 🙂',
};

describe('case documents', () => {
  test('CD1/CD2 a caseworker writes and edits a document; once locked it cannot change, in the API or the database; locking again changes nothing and makes no PDF', async () => {
    const marita = await staff(DEMO.caseworker);
    const created = await marita.mutate(CreateCaseDocumentDocument, {
      caseId: ek.id,
      input: { ...kallelse, title: 'Utkast' },
    });
    expect(created.codes).toEqual([]);
    const doc = created.data!.createCaseDocument;
    expect(doc).toMatchObject({
      locked: false,
      origin: 'WRITTEN',
      pdfs: [],
      assignment: null,
      author: { name: 'Marita Aronsson' },
    });

    const edited = await marita.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { title: 'Andra utkastet' } });
    expect(edited.data!.updateCaseDocument.title).toBe('Andra utkastet');

    const locked = await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    expect(locked.codes).toEqual([]);
    // Locking makes no PDF: that is "Skapa PDF", with a template and a name.
    expect(locked.data!.lockCaseDocument).toMatchObject({
      locked: true,
      lockedBy: { name: 'Marita Aronsson' },
      pdfs: [],
    });

    const refused = await marita.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { text: 'ändrat' } });
    expect(refused.codes).toEqual(['CASE_DOCUMENT_LOCKED']);
    expect(refused.errors[0].message).toMatch(/Write a new document instead/);
    await expect(sql(`update case_document set text = 'ändrat' where id = ?`, [doc.id])).rejects.toThrow(/locked/);
    await expect(sql(`delete from case_document where id = ?`, [doc.id])).rejects.toThrow(/locked/);

    const again = await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    expect(again.data!.lockCaseDocument.lockedAt).toBe(locked.data!.lockCaseDocument.lockedAt);

    const list = await marita.query(CaseDocumentsDocument, { caseId: ek.id });
    expect(list.data!.caseDocuments.map((d) => d.id)).toContain(doc.id);
    const logged = await sql(
      `select action, count(*)::int as n from access_log_entry where person_id = ? and action in ('DOCUMENT_READ', 'DOCUMENT_WRITE') group by action order by action`,
      [ek.holder.id],
    );
    expect(logged.map((r) => r.action)).toEqual(['DOCUMENT_READ', 'DOCUMENT_WRITE']);
  });

  test('CD3 "Skapa PDF" renders the locked document with a template; its text parses back: letterhead, reference, recipient, heading, text with å ä ö; several PDFs, newest first, each unchanged', async () => {
    const marita = await staff(DEMO.caseworker);
    const doc = (await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).data!
      .createCaseDocument;
    const early = await marita.mutate(CreateCaseDocumentPdfDocument, {
      documentId: doc.id,
      input: { template: 'BREV', name: 'För tidigt' },
    });
    expect(early.codes).toEqual(['CASE_DOCUMENT_NOT_LOCKED']);
    await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    const noName = await marita.mutate(CreateCaseDocumentPdfDocument, {
      documentId: doc.id,
      input: { template: 'BREV', name: '  ' },
    });
    expect(noName.codes).toEqual(['BAD_USER_INPUT']);
    expect(noName.errors[0].message).toMatch(/name \(benämning\)/);

    const made = await marita.mutate(CreateCaseDocumentPdfDocument, {
      documentId: doc.id,
      input: { template: 'KALLELSE', name: 'Kallelse 23/8: möte' },
    });
    expect(made.codes).toEqual([]);
    const pdf = made.data!.createCaseDocumentPdf;
    expect(pdf).toMatchObject({
      template: 'KALLELSE',
      name: 'Kallelse 23/8: möte',
      filename: 'Kallelse 23-8_ möte.pdf',
      signature: DEMO.caseworker,
      createdBy: { name: 'Marita Aronsson' },
      documentId: doc.id,
    });
    expect(pdf.url).toBe(`/case-documents/${doc.id}/pdfs/${pdf.id}`);
    const file = await download(base, await t.token.staff(DEMO.caseworker), pdf.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toContain('Kallelse 23-8_ m');
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(pdf.sha256);
    expect(file.bytes.length).toBe(pdf.size);

    const text = await pdfText(file.bytes);
    expect(text.numPages).toBe(1);
    expect(text.title).toBe(kallelse.title);
    const page = text.pages[0];
    const lines = page.split('\n').map((l) => l.trim());
    expect(lines.slice(0, 2)).toEqual(['Söderköpings kommun', 'IFO Vuxen – Försörjningsstöd']);
    // Letterhead (municipality, unit; the template, date and reference), the recipient block, the title block.
    expect(lines.slice(0, 14)).toEqual([
      'Söderköpings kommun',
      'IFO Vuxen – Försörjningsstöd',
      'KALLELSE',
      'Datum: 2024-08-26',
      'Ärende: Ekonomiskt bistånd',
      `Referens: IFO-${ek.id.replace(/-/g, '').slice(0, 8).toUpperCase()}`,
      'Vår referens: Marita Aronsson',
      'Tolvan Tolvansson',
      'Storgatan 12',
      '614 30 Söderköping',
      'KALLELSE TILL MÖTE',
      'Kallelse till möte om ekonomiskt bistånd',
      'Till Tolvan Tolvansson',
      'Kontaktperson Marita Aronsson, Socialsekreterare',
    ]);
    expect(page).toContain('Du är välkommen till ett möte torsdag 23/8 kl 14.00 på Storgatan 1.');
    // WinAnsi has the Swedish letters and typographic quotes; the emoji is replaced, not fatal.
    expect(page).toContain('Åäö – “citat” ?');
    expect(page).toContain('Marita Aronsson');
    expect(page).toContain(`Kallelse skapad`);
    expect(page).toContain(`av ${DEMO.caseworker}`);
    expect(page).toContain('Sida 1 av 1');

    // A second PDF with another template: listed first; the first stays as it was.
    const second = (
      await marita.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template: 'BREV', name: 'Brevet' },
      })
    ).data!.createCaseDocumentPdf;
    const listed = (await marita.query(CaseDocumentsDocument, { caseId: ek.id })).data!.caseDocuments.find(
      (d) => d.id === doc.id,
    )!;
    expect(listed.pdfs.map((p) => [p.id, p.template])).toEqual([
      [second.id, 'BREV'],
      [pdf.id, 'KALLELSE'],
    ]);
    expect(
      (await pdfText((await download(base, await t.token.staff(DEMO.caseworker), second.url)).bytes)).pages[0],
    ).toContain('Med vänliga hälsningar');
    await expect(sql(`update case_document_pdf set name = 'ändrat' where id = ?`, [pdf.id])).rejects.toThrow(
      /immutable/,
    );
    await expect(sql(`delete from case_document_pdf where id = ?`, [pdf.id])).rejects.toThrow(/immutable/);
    // The old path gives the newest PDF.
    const newest = await download(base, await t.token.staff(DEMO.caseworker), `/case-documents/${doc.id}/pdf`);
    expect(createHash('sha256').update(newest.bytes).digest('hex')).toBe(second.sha256);

    // Other staff cannot fetch it; an unlocked document has no PDF; a PDF of another document is not found under this one.
    expect((await download(base, await t.token.staff(DEMO.otherUnitCaseworker), pdf.url)).status).toBe(404);
    expect((await download(base, await t.token.staff(DEMO.executor), pdf.url)).status).toBe(404);
    expect((await download(base, await t.token.citizen(DEMO.tolvan), pdf.url)).status).toBe(404);
    const draft = (
      await marita.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, title: 'Ej låst' } })
    ).data!.createCaseDocument;
    expect((await download(base, await t.token.staff(DEMO.caseworker), `/case-documents/${draft.id}/pdf`)).status).toBe(
      409,
    );
    expect(
      (await download(base, await t.token.staff(DEMO.caseworker), `/case-documents/${draft.id}/pdfs/${pdf.id}`)).status,
    ).toBe(409);
  });

  test("CD3 a protected person's address is never printed, in any template", async () => {
    const anna = await staff(DEMO.secondCaseworker);
    const doc = (
      await anna.mutate(CreateCaseDocumentDocument, {
        caseId: sannaCase.id,
        input: { title: 'Beslut om skyddat boende', type: 'DECISION', text: 'Beslutet gäller från och med i dag.' },
      })
    ).data!.createCaseDocument;
    await anna.mutate(LockCaseDocumentDocument, { id: doc.id });
    const headers = {
      BREV: 'BREV',
      KALLELSE: 'KALLELSE',
      BESLUT: 'BESLUT',
      UTREDNING: 'UTREDNING',
      GENOMFORANDEPLAN: 'GENOMFÖRANDEPLAN',
    } as const;
    for (const [template, header] of Object.entries(headers) as [keyof typeof headers, string][]) {
      const made = await anna.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template, name: `Skyddad ${template}` },
      });
      expect(made.codes).toEqual([]);
      const file = await download(
        base,
        await t.token.staff(DEMO.secondCaseworker),
        made.data!.createCaseDocumentPdf.url,
      );
      const text = (await pdfText(file.bytes)).pages.join('\n');
      expect(text.split('\n').map((l) => l.trim())).toContain(header);
      expect(text).toContain('Sanna Skyddad');
      expect(text).toContain('Beslut om skyddat boende');
      for (const secret of ['Hemlig adress', '600 00', 'Okänd ort', '+46709998877', 'sanna@example.se'])
        expect(text).not.toContain(secret);
      // Nor is it anywhere in the file's bytes (metadata included).
      expect(file.bytes.toString('latin1')).not.toContain('Hemlig');
    }
  });

  test('CD4 send from the case: a PDF of the locked document reaches the case holder in one step, named by its Benämning; a retry returns the same message', async () => {
    const marita = await staff(DEMO.caseworker);
    const doc = (
      await marita.mutate(CreateCaseDocumentDocument, {
        caseId: ek.id,
        input: { ...kallelse, title: 'Beslut om bistånd', type: 'DECISION' },
      })
    ).data!.createCaseDocument;

    const early = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: randomUUID() },
    });
    expect(early.codes).toEqual(['CASE_DOCUMENT_NOT_LOCKED']);
    expect(early.errors[0].message).toMatch(/Lock/);
    await marita.mutate(LockCaseDocumentDocument, { id: doc.id });
    const noPdf = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: randomUUID() },
    });
    expect(noPdf.codes).toEqual(['CASE_DOCUMENT_NO_PDF']);
    expect(noPdf.errors[0].message).toMatch(/Skapa PDF/);

    const older = (
      await marita.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template: 'BREV', name: 'Utkast brev' },
      })
    ).data!.createCaseDocumentPdf;
    const pdf = (
      await marita.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template: 'BESLUT', name: 'Beslut om bistånd' },
      })
    ).data!.createCaseDocumentPdf;
    const tolvanToken = await t.token.citizen(DEMO.tolvan);
    const tolvan = apiAs(t, tolvanToken);
    const { cursor } = (await tolvan.query(citizen.NoticesSinceDocument, { cursor: null })).data!.noticesSince;
    const key = randomUUID();
    const sent = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: key, readReceiptRequested: true },
    });
    expect(sent.codes).toEqual([]);
    const message = sent.data!.sendCaseDocument;
    expect(message.subject).toBe('Beslut om bistånd');
    expect(message.bodyText).toContain('Beslut om bistånd');
    expect(message.attachments).toHaveLength(1);
    // The newest PDF by default, under its name.
    expect(message.attachments[0]).toMatchObject({
      filename: 'Beslut om bistånd.pdf',
      sha256: pdf.sha256,
      size: pdf.size,
    });

    const retry = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: key, readReceiptRequested: true },
    });
    expect(retry.data!.sendCaseDocument.id).toBe(message.id);
    const rows = await sql(`select count(*)::int as n from attachment where sha256 = ?`, [pdf.sha256]);
    expect(rows[0].n).toBe(1);
    const reused = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: key, subject: 'Annat' },
    });
    expect(reused.codes).toEqual(['IDEMPOTENCY_KEY_REUSED']);

    // Tolvan is told at once, like for any message (one notice, also after the retry).
    const notices = (await tolvan.query(citizen.NoticesSinceDocument, { cursor })).data!.noticesSince.notices;
    expect(notices.filter((n) => n.kind === 'NEW_MESSAGE').map((n) => [n.messageId, n.subject])).toEqual([
      [message.id, 'Beslut om bistånd'],
    ]);

    // Tolvan finds it in the inbox and downloads the very PDF, which parses back.
    const conv = await tolvan.query(citizen.ConversationDocument, { id: message.conversationId });
    expect(conv.codes).toEqual([]);
    const received = conv.data!.conversation.messages[0];
    expect(received.sender.name).toBe('Marita Aronsson');
    expect(received.attachments[0].filename).toBe('Beslut om bistånd.pdf');
    const file = await download(base, tolvanToken, received.attachments[0].downloadUrl);
    expect(file.status).toBe(200);
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(pdf.sha256);
    const text = await pdfText(file.bytes);
    expect(text.pages[0]).toContain('Beslut om bistånd');
    expect(text.pages[0]).toContain('Tolvan Tolvansson');
    expect(text.pages[0]).toContain('BESLUT');
    expect(text.pages[0]).toContain('Hur du överklagar');

    // An older PDF is sent when named; a PDF id of another document is NOT_FOUND.
    const chosen = await marita.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: { idempotencyKey: randomUUID(), pdfId: older.id },
    });
    expect(chosen.data!.sendCaseDocument.attachments[0]).toMatchObject({
      filename: 'Utkast brev.pdf',
      sha256: older.sha256,
    });
    const other = (
      await marita.mutate(CreateCaseDocumentDocument, {
        caseId: ek.id,
        input: { ...kallelse, title: 'Annat dokument' },
      })
    ).data!.createCaseDocument;
    await marita.mutate(LockCaseDocumentDocument, { id: other.id });
    const wrong = await marita.mutate(SendCaseDocumentDocument, {
      id: other.id,
      input: { idempotencyKey: randomUUID(), pdfId: older.id },
    });
    expect(wrong.codes).toEqual(['NOT_FOUND']);
  });

  test('CD4 a refused send writes nothing: the holder without the e-service gets RECIPIENT_NOT_ACTIVATED and no attachment or message is left', async () => {
    const anna = await staff(DEMO.secondCaseworker);
    const doc = (
      await anna.mutate(CreateCaseDocumentDocument, {
        caseId: sannaCase.id,
        input: { title: 'Kallelse', type: 'LETTER', text: 'Välkommen.' },
      })
    ).data!.createCaseDocument;
    const locked = (await anna.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument;
    await anna.mutate(CreateCaseDocumentPdfDocument, {
      documentId: doc.id,
      input: { template: 'KALLELSE', name: 'Kallelse' },
    });
    const before = await sql(
      `select (select count(*) from message)::int as m, (select count(*) from attachment)::int as a`,
    );
    const r = await anna.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } });
    expect(r.codes).toEqual(['RECIPIENT_NOT_ACTIVATED']);
    const after = await sql(
      `select (select count(*) from message)::int as m, (select count(*) from attachment)::int as a`,
    );
    expect(after).toEqual(before);
    expect(locked.locked).toBe(true);
  });

  test('CD1 caseworkers with the case in their caseload (executors only in an assignment), and only on ongoing cases', async () => {
    const per = await staff(DEMO.executor);
    const unlinked = await per.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse });
    expect(unlinked.codes).toEqual(['BAD_USER_INPUT']);
    expect(unlinked.errors[0].message).toMatch(/assignment \(Uppdrag IFO\)/);
    expect(
      (await (await staff(DEMO.admin)).mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).codes,
    ).toEqual(['FORBIDDEN']);
    const bo = await staff(DEMO.otherUnitCaseworker);
    expect((await bo.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: kallelse })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect((await bo.query(CaseDocumentsDocument, { caseId: ek.id })).codes).toEqual(['NOT_FOUND']);

    const em = t.em();
    const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
    const closed = em.create(Case, {
      title: 'Avslutat',
      holder: ek.holder.id,
      unit: marita.unit,
      caseworker: marita,
      openedOn: '2020-01-01',
      status: CaseStatus.CLOSED,
      closedOn: '2020-06-01',
    });
    await em.flush();
    const r = await (
      await staff(DEMO.caseworker)
    ).mutate(CreateCaseDocumentDocument, { caseId: closed.id, input: kallelse });
    expect(r.codes).toEqual(['CASE_CLOSED']);
    const empty = await (
      await staff(DEMO.caseworker)
    ).mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...kallelse, text: '  ' } });
    expect(empty.codes).toEqual(['BAD_USER_INPUT']);
  });
});

describe('Migration20261202000030CaseDocumentPdfs', () => {
  test('migration: the PDF a document got when it was locked becomes its first CaseDocumentPdf (template from its kind, name "title date"), and down puts it back', async () => {
    const name = `ifo_t_${process.env.IFO_TEST_RUN_ID}_cdpdf_${randomUUID().slice(0, 8)}`;
    const adminClient = new Client({ connectionString: process.env.IFO_TEST_ADMIN_URL });
    await adminClient.connect();
    await adminClient.query(`create database "${name}"`);
    const url = new URL(process.env.IFO_TEST_ADMIN_URL!);
    url.pathname = `/${name}`;
    const orm = await initOrm(url.toString(), { poolMax: 1 });
    try {
      const run = (q: string, p: unknown[] = []) => orm.em.getConnection().execute(q, p);
      await orm.getMigrator().up({ to: 'Migration20261202000020Retention' });
      const [unit, staffId, person, caseId, doc, draft] = Array.from({ length: 6 }, () => randomUUID());
      await run(
        `insert into unit (id, created_at, name, municipality) values (?, now(), 'IFO', 'Söderköpings kommun')`,
        [unit],
      );
      await run(
        `insert into staff (id, created_at, username, given_name, family_name, role, unit_id, active) values (?, now(), 'mararo01', 'Marita', 'Aronsson', 'CASEWORKER', ?, true)`,
        [staffId, unit],
      );
      await run(
        `insert into person (id, created_at, personnummer, given_name, family_name, protected_identity, confidentiality_marking, secret_phone_number, needs_interpreter, messaging_enabled, notify_by_sms, notify_by_email, mobile_verified, email_verified, updated_at) values (?, now(), '191212121212', 'Tolvan', 'Tolvansson', false, false, false, false, false, false, false, false, false, now())`,
        [person],
      );
      await run(
        `insert into case_file (id, created_at, title, holder_id, unit_id, caseworker_id, status, opened_on) values (?, now(), 'Ekonomiskt bistånd', ?, ?, ?, 'OPEN', '2024-02-15')`,
        [caseId, person, unit, staffId],
      );
      await run(`insert into attachment_blob (key, bytes, created_at) values ('pg:old', '\\x255044462d312e37', now())`);
      await run(
        `insert into case_document (id, created_at, case_id, title, type, date, text, author_id, locked_at, locked_by_id, pdf_storage_key, pdf_sha256, pdf_size, updated_at)
         values (?, now(), ?, 'Beslut/om bistånd', 'DECISION', '2024-08-26', 'Text', ?, '2024-08-26T08:00:00Z', ?, 'pg:old', 'abc', 8, now()),
                (?, now(), ?, 'Utkast', 'LETTER', '2024-08-27', 'Text', ?, null, null, null, null, null, now())`,
        [doc, caseId, staffId, staffId, draft, caseId, staffId],
      );

      await orm.getMigrator().up({ to: 'Migration20261202000030CaseDocumentPdfs' });
      const pdfs = await run(
        `select document_id, template, name, filename, storage_key, sha256, size, created_by_id, created_at = timestamptz '2024-08-26T08:00:00Z' as made_at_lock from case_document_pdf`,
      );
      expect(pdfs).toEqual([
        {
          document_id: doc,
          template: 'BESLUT',
          name: 'Beslut/om bistånd 2024-08-26',
          filename: 'Beslut-om bistånd 2024-08-26.pdf',
          storage_key: 'pg:old',
          sha256: 'abc',
          size: 8,
          created_by_id: staffId,
          made_at_lock: true,
        },
      ]);
      const docs = await run(`select id, origin, assignment_id from case_document order by date`);
      expect(docs).toEqual([
        { id: doc, origin: 'WRITTEN', assignment_id: null },
        { id: draft, origin: 'WRITTEN', assignment_id: null },
      ]);

      await orm.getMigrator().down({ to: 'Migration20261202000030CaseDocumentPdfs' });
      const back = await run(`select id, pdf_storage_key, pdf_sha256, pdf_size from case_document order by date`);
      expect(back).toEqual([
        { id: doc, pdf_storage_key: 'pg:old', pdf_sha256: 'abc', pdf_size: 8 },
        { id: draft, pdf_storage_key: null, pdf_sha256: null, pdf_size: null },
      ]);
      // The locked-document trigger is back on.
      await expect(run(`update case_document set text = 'ändrat' where id = ?`, [doc])).rejects.toThrow(/locked/);
    } finally {
      await orm.close();
      await adminClient.query(`drop database if exists "${name}" with (force)`);
      await adminClient.end();
    }
  });
});
