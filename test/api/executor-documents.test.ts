import { createHash, randomUUID } from 'node:crypto';
import {
  AssignmentDocumentsDocument,
  CaseDocumentDocument,
  CaseDocumentsDocument,
  CreateCaseDocumentDocument,
  CreateCaseDocumentPdfDocument,
  EndAssignmentDocument,
  InsertCaseDocumentDocument,
  LockCaseDocumentDocument,
  MyAssignmentsWithDocumentsDocument,
  SendCaseDocumentDocument,
  UpdateCaseDocumentDocument,
} from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { Attachment } from '../../src/entities/attachment';
import { Assignment, Case } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import { todayInSweden } from '../../src/domain/time';
import { PostgresBlobStore } from '../../src/storage/blob-store';
import { apiAs } from '../testkit/api';
import { download, makePdf, pdfText, upload } from '../testkit/files';
import { addCaseHolder, isoDay } from '../testkit/messaging';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * The case-document rules CD1–CD5 as the seed's section 3 plays them for an
 * executor ("Uppdrag IFO" → Dokument → Nytt dokument / Infoga dokument →
 * Skapa PDF → the letter icon): documents in the executor's assignment,
 * print templates and names, and the executor's access ending with the
 * assignment.
 */
let w: DemoWorld;
let t: TestServer;
let base: string;
let ek: Case;
let sannaCase: Case;
let perAssignment: string;
const sql = <T = any>(query: string, params: unknown[] = []) => w.sql<T>(query, params);
const staff = (username: string) => w.staff(username);
const lines = (text: string) => text.split('\n').map((l) => l.trim());

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  base = w.base;
  ek = await t.em().findOneOrFail(Case, { title: 'Ekonomiskt bistånd' });
  sannaCase = await t.em().findOneOrFail(Case, { title: 'Skydd och stöd' });
  [{ id: perAssignment }] = await sql('select id from assignment where case_id = ?', [ek.id]);
});
afterAll(() => w.close());

/** A new ongoing assignment for Per on a case, as a caseworker would give it. */
async function newAssignment(caseId: string, description: string): Promise<string> {
  const em = t.em();
  const per = await em.findOneOrFail(Staff, { username: DEMO.executor });
  const a = em.create(Assignment, {
    case: em.getReference(Case, caseId),
    executor: per,
    description,
    startDate: isoDay(-10),
  });
  await em.flush();
  return a.id;
}

const gfp = {
  title: 'TEST Uppdrag Genomförandeplan Vux',
  type: 'DOCUMENT' as const,
  text: 'Mål: en budget som håller.\n\nVi ses varannan vecka och går igenom utgifterna.',
};

describe("executors' documents (Uppdrag IFO → Dokument)", () => {
  test('E1 (CD1, CD3, CD4) the executor writes a document in his assignment, locks it, makes a PDF with template Brev and a name, and sends it: Tolvan receives it under that name', async () => {
    const per = await staff(DEMO.executor);
    const created = await per.mutate(CreateCaseDocumentDocument, {
      caseId: ek.id,
      input: { ...gfp, text: 'Utkast', assignmentId: perAssignment },
    });
    expect(created.codes).toEqual([]);
    const doc = created.data!.createCaseDocument;
    expect(doc).toMatchObject({
      locked: false,
      assignment: { id: perAssignment, description: 'Budgetrådgivning' },
      author: { username: DEMO.executor },
      pdfs: [],
    });
    expect(
      (await per.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { text: gfp.text } })).data!.updateCaseDocument
        .text,
    ).toBe(gfp.text);
    expect((await per.mutate(LockCaseDocumentDocument, { id: doc.id })).data!.lockCaseDocument).toMatchObject({
      locked: true,
      lockedBy: { username: DEMO.executor },
    });

    const made = await per.mutate(CreateCaseDocumentPdfDocument, {
      documentId: doc.id,
      input: { template: 'BREV', name: 'TEST skicka ut GFP via e-tjänst' },
    });
    expect(made.codes).toEqual([]);
    const pdf = made.data!.createCaseDocumentPdf;
    // The seed's PDF list: Skapat, Benämning, Signatur.
    expect(pdf).toMatchObject({
      template: 'BREV',
      name: 'TEST skicka ut GFP via e-tjänst',
      filename: 'TEST skicka ut GFP via e-tjänst.pdf',
      signature: DEMO.executor,
    });
    expect(pdf.createdAt.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));

    // He finds it under his assignment, in the list and through the edge.
    const listed = (await per.query(AssignmentDocumentsDocument, { assignmentId: perAssignment })).data!
      .assignmentDocuments;
    expect(listed.map((d) => [d.id, d.pdfs.map((p) => p.id)])).toEqual([[doc.id, [pdf.id]]]);
    const mine = (await per.query(MyAssignmentsWithDocumentsDocument, {})).data!.myAssignments.find(
      (a) => a.id === perAssignment,
    )!;
    expect(mine.documents.map((d) => d.id)).toEqual([doc.id]);

    const tolvanToken = await t.token.citizen(DEMO.tolvan);
    const sent = await per.mutate(SendCaseDocumentDocument, {
      id: doc.id,
      input: {
        idempotencyKey: randomUUID(),
        subject: 'TEST utskick av GFP via e-tjänst',
        body: '<p>Här kommer genomförandeplanen.</p>',
      },
    });
    expect(sent.codes).toEqual([]);
    const message = sent.data!.sendCaseDocument;
    expect(message.attachments.map((a) => [a.filename, a.sha256])).toEqual([
      ['TEST skicka ut GFP via e-tjänst.pdf', pdf.sha256],
    ]);

    const conv = await apiAs(t, tolvanToken).query(citizen.ConversationDocument, { id: message.conversationId });
    expect(conv.codes).toEqual([]);
    const received = conv.data!.conversation.messages[0];
    expect(received.sender.name).toBe('Per Utförsson');
    expect(received.subject).toBe('TEST utskick av GFP via e-tjänst');
    expect(received.attachments[0].filename).toBe('TEST skicka ut GFP via e-tjänst.pdf');
    const file = await download(base, tolvanToken, received.attachments[0].downloadUrl);
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(pdf.sha256);
    const page = lines((await pdfText(file.bytes)).pages[0]);
    // The executor's letterhead (his unit), the template, the recipient with address, the heading, the signature.
    expect(page.slice(0, 3)).toEqual(['Söderköpings kommun', 'Öppenvård vuxna (utförare)', 'BREV']);
    expect(page).toEqual(
      expect.arrayContaining([
        'Tolvan Tolvansson',
        'Storgatan 12',
        '614 30 Söderköping',
        'TEST Uppdrag Genomförandeplan Vux',
        'Vår referens: Per Utförsson',
        'Med vänliga hälsningar',
        'Per Utförsson',
        'Budget- och skuldrådgivare',
      ]),
    );
    expect(page.indexOf('Tolvan Tolvansson')).toBeLessThan(page.indexOf('TEST Uppdrag Genomförandeplan Vux'));
    expect(page.join('\n')).toContain('Vi ses varannan vecka och går igenom utgifterna.');

    // The caseworker sees the executor's document in the case and under the assignment.
    const marita = await staff(DEMO.caseworker);
    expect(
      (await marita.query(CaseDocumentsDocument, { caseId: ek.id })).data!.caseDocuments.map((d) => d.id),
    ).toContain(doc.id);
    expect(
      (await marita.query(AssignmentDocumentsDocument, { assignmentId: perAssignment })).data!.assignmentDocuments.map(
        (d) => d.id,
      ),
    ).toEqual([doc.id]);
    // Every step was recorded as a read or write of Tolvan by Per.
    const logged = await sql(
      `select distinct action from access_log_entry where person_id = ? and actor_id = (select id from staff where username = ?) and action in ('DOCUMENT_READ', 'DOCUMENT_WRITE') order by action`,
      [ek.holder.id, DEMO.executor],
    );
    expect(logged.map((r) => r.action)).toEqual(['DOCUMENT_READ', 'DOCUMENT_WRITE']);
  });

  test("E2 (CD1) the executor sees only his assignments' documents: the caseworker's own documents of the same case are NOT_FOUND to him", async () => {
    const marita = await staff(DEMO.caseworker);
    const theirs = (
      await marita.mutate(CreateCaseDocumentDocument, {
        caseId: ek.id,
        input: { title: 'Utredning (handläggare)', type: 'INVESTIGATION', text: 'Intern.' },
      })
    ).data!.createCaseDocument;
    const per = await staff(DEMO.executor);
    expect((await per.query(CaseDocumentDocument, { id: theirs.id })).codes).toEqual(['NOT_FOUND']);
    expect((await per.mutate(LockCaseDocumentDocument, { id: theirs.id })).codes).toEqual(['NOT_FOUND']);
    const visible = (await per.query(CaseDocumentsDocument, { caseId: ek.id })).data!.caseDocuments;
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((d) => d.assignment?.id === perAssignment)).toBe(true);
    // A case he holds no assignment in: NOT_FOUND, whatever assignment he names.
    expect((await per.query(CaseDocumentsDocument, { caseId: sannaCase.id })).codes).toEqual(['NOT_FOUND']);
    expect(
      (
        await per.mutate(CreateCaseDocumentDocument, {
          caseId: sannaCase.id,
          input: { ...gfp, assignmentId: perAssignment },
        })
      ).codes,
    ).toEqual(['NOT_FOUND']);
    // Another case's assignment named in this case: NOT_FOUND on the assignment.
    const other = await addCaseHolder(t.em(), DEMO.caseworker, { givenName: 'Olle', familyName: 'Annan' });
    const elsewhere = await newAssignment(other.caseId, 'Stödsamtal');
    const mismatch = await per.mutate(CreateCaseDocumentDocument, {
      caseId: ek.id,
      input: { ...gfp, assignmentId: elsewhere },
    });
    expect(mismatch.codes).toEqual(['NOT_FOUND']);
    expect(mismatch.errors[0].extensions?.field).toBe('assignmentId');
  });

  test('E3 (CD3) Genomförandeplan prints the assignment: what, the intervention, the period and the executor', async () => {
    const per = await staff(DEMO.executor);
    const doc = (
      await per.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...gfp, assignmentId: perAssignment } })
    ).data!.createCaseDocument;
    await per.mutate(LockCaseDocumentDocument, { id: doc.id });
    const pdf = (
      await per.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template: 'GENOMFORANDEPLAN', name: 'GFP budget' },
      })
    ).data!.createCaseDocumentPdf;
    const page = lines(
      (await pdfText((await download(base, await t.token.staff(DEMO.executor), pdf.url)).bytes)).pages[0],
    );
    expect(page).toEqual(
      expect.arrayContaining([
        'GENOMFÖRANDEPLAN',
        'TEST Uppdrag Genomförandeplan Vux',
        'Planen gäller Tolvan Tolvansson',
        'Uppdrag Budgetrådgivning',
        'Insats EK Ekonomiskt bistånd',
        'Period 2024-03-01 – tills vidare',
        'Utförare Per Utförsson, Öppenvård vuxna (utförare)',
      ]),
    );
  });

  test("E4 (CD1) the executor's access ends with the assignment: its documents, their PDFs and sending them are NOT_FOUND after; the caseworker keeps them", async () => {
    const per = await staff(DEMO.executor);
    const assignmentId = await newAssignment(ek.id, 'Boendestöd');
    const doc = (
      await per.mutate(CreateCaseDocumentDocument, {
        caseId: ek.id,
        input: { ...gfp, title: 'Plan boendestöd', assignmentId },
      })
    ).data!.createCaseDocument;
    const draft = (
      await per.mutate(CreateCaseDocumentDocument, {
        caseId: ek.id,
        input: { ...gfp, title: 'Utkast boendestöd', assignmentId },
      })
    ).data!.createCaseDocument;
    await per.mutate(LockCaseDocumentDocument, { id: doc.id });
    const pdf = (
      await per.mutate(CreateCaseDocumentPdfDocument, {
        documentId: doc.id,
        input: { template: 'BREV', name: 'Plan boendestöd' },
      })
    ).data!.createCaseDocumentPdf;
    expect((await download(base, await t.token.staff(DEMO.executor), pdf.url)).status).toBe(200);

    const ended = await (
      await staff(DEMO.caseworker)
    ).mutate(EndAssignmentDocument, { assignmentId, endDate: isoDay(-1) });
    expect(ended.codes).toEqual([]);

    expect((await per.query(CaseDocumentDocument, { id: doc.id })).codes).toEqual(['NOT_FOUND']);
    expect((await per.query(AssignmentDocumentsDocument, { assignmentId })).codes).toEqual(['NOT_FOUND']);
    expect((await per.mutate(UpdateCaseDocumentDocument, { id: draft.id, input: { text: 'sent' } })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect((await per.mutate(LockCaseDocumentDocument, { id: draft.id })).codes).toEqual(['NOT_FOUND']);
    expect(
      (
        await per.mutate(CreateCaseDocumentPdfDocument, {
          documentId: doc.id,
          input: { template: 'BREV', name: 'Igen' },
        })
      ).codes,
    ).toEqual(['NOT_FOUND']);
    expect(
      (await per.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } })).codes,
    ).toEqual(['NOT_FOUND']);
    expect(
      (await per.mutate(CreateCaseDocumentDocument, { caseId: ek.id, input: { ...gfp, assignmentId } })).codes,
    ).toEqual(['NOT_FOUND']);
    expect((await download(base, await t.token.staff(DEMO.executor), pdf.url)).status).toBe(404);
    const listed = (await per.query(CaseDocumentsDocument, { caseId: ek.id })).data!.caseDocuments.map((d) => d.id);
    expect(listed).not.toContain(doc.id);
    // His other, ongoing assignment in the same case is unaffected.
    expect(listed.length).toBeGreaterThan(0);
    expect((await per.query(AssignmentDocumentsDocument, { assignmentId: perAssignment })).codes).toEqual([]);

    const marita = await staff(DEMO.caseworker);
    expect((await marita.query(CaseDocumentDocument, { id: doc.id })).data!.caseDocument.pdfs.map((p) => p.id)).toEqual(
      [pdf.id],
    );
  });

  test('E5 (CD5) "Infoga dokument": the executor adds a PDF from disk to his assignment (file, type, heading, sender, date); it is locked, its file is its PDF, and it can be sent', async () => {
    const perToken = await t.token.staff(DEMO.executor);
    const per = apiAs(t, perToken);
    const bytes = await makePdf('Kontoutdrag augusti');
    const up = await upload(base, perToken, bytes, 'saasasasasa.pdf');
    expect(up.status).toBe(201);
    const input = {
      uploadId: up.body.id,
      type: 'DOCUMENT' as const,
      title: 'Kontoutdrag från Tolvan',
      senderKind: 'INDIVIDUAL' as const,
      senderDesignation: 'Tolvan Tolvansson',
      date: '2024-09-09',
      assignmentId: perAssignment,
    };

    expect(
      (await per.mutate(InsertCaseDocumentDocument, { caseId: ek.id, input: { ...input, assignmentId: null } })).codes,
    ).toEqual(['BAD_USER_INPUT']);
    const inserted = await per.mutate(InsertCaseDocumentDocument, { caseId: ek.id, input });
    expect(inserted.codes).toEqual([]);
    const doc = inserted.data!.insertCaseDocument;
    expect(doc).toMatchObject({
      origin: 'INSERTED',
      title: 'Kontoutdrag från Tolvan',
      type: 'DOCUMENT',
      date: '2024-09-09',
      senderKind: 'INDIVIDUAL',
      senderDesignation: 'Tolvan Tolvansson',
      locked: true,
      text: '',
      assignment: { id: perAssignment },
    });
    expect(doc.pdfs).toHaveLength(1);
    expect(doc.pdfs[0]).toMatchObject({
      template: null,
      filename: 'saasasasasa.pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      signature: DEMO.executor,
    });
    const file = await download(base, perToken, doc.pdfs[0].url);
    expect(file.bytes.equals(bytes)).toBe(true);
    expect(
      (await per.query(AssignmentDocumentsDocument, { assignmentId: perAssignment })).data!.assignmentDocuments.map(
        (d) => d.id,
      ),
    ).toContain(doc.id);

    // A retry with the same upload is the same document.
    expect((await per.mutate(InsertCaseDocumentDocument, { caseId: ek.id, input })).data!.insertCaseDocument.id).toBe(
      doc.id,
    );
    expect(
      (await sql('select count(*)::int as n from case_document where source_upload_id = ?', [up.body.id]))[0].n,
    ).toBe(1);
    // The same upload elsewhere (another assignment of his) is a conflict, not a second document; twice at once makes one.
    const second = await newAssignment(ek.id, 'Skuldsanering');
    const elsewhere = await per.mutate(InsertCaseDocumentDocument, {
      caseId: ek.id,
      input: { ...input, assignmentId: second },
    });
    expect(elsewhere.codes).toEqual(['CONFLICT']);
    expect(elsewhere.errors[0].message).toMatch(/upload it again/);
    const again = await upload(base, perToken, bytes, 'samtidigt.pdf');
    const together = await Promise.all(
      [1, 2].map(() =>
        per.mutate(InsertCaseDocumentDocument, {
          caseId: ek.id,
          input: { ...input, uploadId: again.body.id, date: null },
        }),
      ),
    );
    expect(together.map((r) => r.codes)).toEqual([[], []]);
    expect(together[0].data!.insertCaseDocument.id).toBe(together[1].data!.insertCaseDocument.id);
    expect(together[0].data!.insertCaseDocument.date).toBe(todayInSweden());
    // No template PDF of an inserted file; it cannot change.
    expect(
      (await per.mutate(CreateCaseDocumentPdfDocument, { documentId: doc.id, input: { template: 'BREV', name: 'x' } }))
        .codes,
    ).toEqual(['CASE_DOCUMENT_INSERTED']);
    expect((await per.mutate(UpdateCaseDocumentDocument, { id: doc.id, input: { title: 'Annat' } })).codes).toEqual([
      'CASE_DOCUMENT_LOCKED',
    ]);

    // Someone else's upload, or one that is not a PDF, is refused and writes nothing.
    const maritaUpload = await upload(
      base,
      await t.token.staff(DEMO.caseworker),
      await makePdf('Maritas'),
      'maritas.pdf',
    );
    const notMine = await per.mutate(InsertCaseDocumentDocument, {
      caseId: ek.id,
      input: { ...input, uploadId: maritaUpload.body.id },
    });
    expect(notMine.codes).toEqual(['NOT_FOUND']);
    expect(notMine.errors[0].extensions?.field).toBe('uploadId');
    const em = t.em();
    const fake = em.create(Attachment, {
      filename: 'inte-pdf.pdf',
      size: 9,
      sha256: createHash('sha256').update('not a pdf').digest('hex'),
      storageKey: await new PostgresBlobStore().put(em, Buffer.from('not a pdf')),
      uploadedByStaff: await em.findOneOrFail(Staff, { username: DEMO.executor }),
    });
    await em.flush();
    const before = (await sql('select count(*)::int as n from case_document'))[0].n;
    expect(
      (await per.mutate(InsertCaseDocumentDocument, { caseId: ek.id, input: { ...input, uploadId: fake.id } })).codes,
    ).toEqual(['UNSUPPORTED_FILE_TYPE']);
    expect((await sql('select count(*)::int as n from case_document'))[0].n).toBe(before);

    // Sent like any PDF: Tolvan gets the file under its own name.
    const sent = await per.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } });
    expect(sent.codes).toEqual([]);
    expect(sent.data!.sendCaseDocument.attachments.map((a) => a.filename)).toEqual(['saasasasasa.pdf']);

    // A caseworker inserts into the case itself, no assignment needed.
    const marita = await staff(DEMO.caseworker);
    const hers = await marita.mutate(InsertCaseDocumentDocument, {
      caseId: ek.id,
      input: {
        ...input,
        uploadId: maritaUpload.body.id,
        assignmentId: null,
        senderKind: 'OTHER_AUTHORITY',
        senderDesignation: 'Försäkringskassan',
        title: null,
      },
    });
    expect(hers.codes).toEqual([]);
    expect(hers.data!.insertCaseDocument).toMatchObject({
      title: 'maritas',
      assignment: null,
      senderKind: 'OTHER_AUTHORITY',
    });
  });

  test("E6 (CD3, CD4) a protected person's address is never printed in an executor's PDF either, and the send is refused without the e-service", async () => {
    const assignmentId = await newAssignment(sannaCase.id, 'Stöd i boendet');
    const per = await staff(DEMO.executor);
    const doc = (
      await per.mutate(CreateCaseDocumentDocument, {
        caseId: sannaCase.id,
        input: { ...gfp, title: 'Plan för Sanna', assignmentId },
      })
    ).data!.createCaseDocument;
    await per.mutate(LockCaseDocumentDocument, { id: doc.id });
    for (const template of ['BREV', 'GENOMFORANDEPLAN'] as const) {
      const pdf = (
        await per.mutate(CreateCaseDocumentPdfDocument, {
          documentId: doc.id,
          input: { template, name: `Sanna ${template}` },
        })
      ).data!.createCaseDocumentPdf;
      const file = await download(base, await t.token.staff(DEMO.executor), pdf.url);
      const text = (await pdfText(file.bytes)).pages.join('\n');
      expect(text).toContain('Sanna Skyddad');
      for (const secret of ['Hemlig adress', '600 00', 'Okänd ort', '+46709998877', 'sanna@example.se'])
        expect(text).not.toContain(secret);
      expect(file.bytes.toString('latin1')).not.toContain('Hemlig');
    }
    expect(
      (await per.mutate(SendCaseDocumentDocument, { id: doc.id, input: { idempotencyKey: randomUUID() } })).codes,
    ).toEqual(['RECIPIENT_NOT_ACTIVATED']);
  });

  test('E7 the documents lists are batched: the same number of SQL statements for 2 documents as for 8 (with PDFs, authors, assignments)', async () => {
    const holder = await addCaseHolder(t.em(), DEMO.caseworker, { givenName: 'Siri', familyName: 'Räknad' });
    const assignmentId = await newAssignment(holder.caseId, 'Räkneuppdrag');
    const marita = await staff(DEMO.caseworker);
    const per = await staff(DEMO.executor);
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const who = i % 2 ? per : marita;
        const doc = (
          await who.mutate(CreateCaseDocumentDocument, {
            caseId: holder.caseId,
            input: { title: `Dokument ${i}`, type: 'LETTER', text: 'Text.', assignmentId: i % 2 ? assignmentId : null },
          })
        ).data!.createCaseDocument;
        await who.mutate(LockCaseDocumentDocument, { id: doc.id });
        await who.mutate(CreateCaseDocumentPdfDocument, {
          documentId: doc.id,
          input: { template: 'BREV', name: `Brev ${i}` },
        });
        await who.mutate(CreateCaseDocumentPdfDocument, {
          documentId: doc.id,
          input: { template: 'KALLELSE', name: `Kallelse ${i}` },
        });
      }
    };
    const counts = async () => {
      const out: number[] = [];
      for (const [api, doc, vars] of [
        [marita, CaseDocumentsDocument, { caseId: holder.caseId }],
        [marita, AssignmentDocumentsDocument, { assignmentId }],
        [per, AssignmentDocumentsDocument, { assignmentId }],
        [per, MyAssignmentsWithDocumentsDocument, {}],
      ] as const) {
        t.sql.reset();
        const r = await api.query(doc as never, vars as never);
        expect(r.codes).toEqual([]);
        out.push(t.sql.count());
      }
      return out;
    };
    await add(2);
    const few = await counts();
    await add(6);
    const many = await counts();
    expect((await marita.query(CaseDocumentsDocument, { caseId: holder.caseId })).data!.caseDocuments).toHaveLength(8);
    expect(many).toEqual(few);
  });
});
