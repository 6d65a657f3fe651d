import { createHash, randomUUID } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import {
  CaseJournalDocument,
  JournalAttachmentDocument,
  JournalMessageDocument,
  JournalTargetsDocument,
  MessageJournalEntriesDocument,
  SendMessageDocument,
  WriteJournalNoteDocument,
  type JournalInput,
} from '../../clients/staff/src';
import * as citizen from '../../clients/citizen/src';
import { DEMO, seedDemoConversations } from '../../src/db/demo-data';
import { Assignment, Case, CaseStatus, Intervention } from '../../src/entities/case';
import { Message } from '../../src/entities/message';
import { Person } from '../../src/entities/person';
import { Staff } from '../../src/entities/staff';
import { apiAs, postRaw } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import type { TestServer } from '../testkit/server';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
let t: TestServer;
let base: string;
let tolvan: Person;
let ek: Case;
let ekInsats: Intervention;
let assignment: Assignment;
let sannaCase: Case;
let welcomeId: string;
let josefineMessageId: string;
let mailboxMessageId: string;
/** Tolvan's reply with a PDF, made in beforeAll through the API. */
let replyId: string;
let replyAttachmentId: string;

const sql = <T = any>(query: string, params: unknown[] = []) => w.sql<T>(query, params);
const CALLERS: Record<string, Caller> = {
  marita: 'caseworker',
  anna: 'secondCaseworker',
  per: 'executor',
  admin: 'admin',
  tolvan: 'citizen',
};
const as = (who: 'marita' | 'anna' | 'per' | 'admin' | 'tolvan') => w.as(CALLERS[who]);

const incoming = (target: JournalInput['target'], extra: Partial<JournalInput> = {}): JournalInput => ({
  target,
  documentType: 'INCOMING_DOCUMENT',
  senderKind: 'INDIVIDUAL',
  heading: 'Svar från klient',
  senderDesignation: 'Tolvan Tolvansson',
  ...extra,
});

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  base = w.base;
  await seedDemoConversations(t.em());
  const em = t.em();
  tolvan = await em.findOneOrFail(Person, { personnummer: DEMO.tolvan });
  ek = await em.findOneOrFail(Case, { title: 'Ekonomiskt bistånd' });
  ekInsats = await em.findOneOrFail(Intervention, { case: ek.id });
  assignment = await em.findOneOrFail(Assignment, { case: ek.id });
  sannaCase = await em.findOneOrFail(Case, { title: 'Skydd och stöd' });
  const welcome = await em.findOneOrFail(Message, { subject: 'Påminnelse om mötestid' });
  welcomeId = welcome.id;
  josefineMessageId = (await em.findOneOrFail(Message, { subject: 'Fråga om ansökan' })).id;
  mailboxMessageId = (await em.findOneOrFail(Message, { subject: 'Bemanning i receptionen' })).id;

  // Tolvan answers with a signed consent form as PDF (the seed's "Registrera Samtycke.pdf").
  const up = await upload(
    base,
    await t.token.citizen(DEMO.tolvan),
    await makePdf('Samtycke Tolvan Tolvansson'),
    'Registrera Samtycke.pdf',
  );
  expect(up.status).toBe(201);
  const reply = await (
    await as('tolvan')
  ).mutate(citizen.ReplyToMessageDocument, {
    messageId: welcomeId,
    input: { idempotencyKey: randomUUID(), body: '<p>Här kommer mitt samtycke.</p>', attachmentIds: [up.body.id] },
  });
  expect(reply.codes).toEqual([]);
  replyId = reply.data!.replyToMessage.id;
  replyAttachmentId = reply.data!.replyToMessage.attachments[0].id;
});
afterAll(() => w.close());

describe('journaling messages and attachments', () => {
  test("Done when: Marita journals Tolvan's reply and its PDF into the EK intervention as an incoming document from the individual; the message shows where, when and by whom; Tolvan's history shows JOURNALED", async () => {
    const marita = await as('marita');
    const targets = await marita.query(JournalTargetsDocument, { messageId: replyId });
    expect(targets.codes).toEqual([]);
    expect(targets.data!.journalTargets).toEqual([
      {
        kind: 'CASE',
        caseId: ek.id,
        interventionId: null,
        assignmentId: null,
        label: 'Ärende Ekonomiskt bistånd 2024-02-15',
      },
      {
        kind: 'INTERVENTION',
        caseId: ek.id,
        interventionId: ekInsats.id,
        assignmentId: null,
        label: 'Insats EK Ekonomiskt bistånd 2024-02-15',
      },
    ]);
    const target = { caseId: ek.id, interventionId: ekInsats.id };

    const entry = await marita.mutate(JournalMessageDocument, { messageId: replyId, input: incoming(target) });
    expect(entry.codes).toEqual([]);
    const e = entry.data!.journalMessage;
    expect(e).toMatchObject({
      documentType: 'INCOMING_DOCUMENT',
      senderKind: 'INDIVIDUAL',
      heading: 'Svar från klient',
      senderDesignation: 'Tolvan Tolvansson',
      text: 'Här kommer mitt samtycke.',
      targetLabel: 'Insats EK Ekonomiskt bistånd 2024-02-15',
      messageId: replyId,
      attachment: null,
      intervention: { id: ekInsats.id },
      case: { id: ek.id },
      author: { name: 'Marita Aronsson' },
    });
    expect(e.date).toBe(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date()));

    const file = await marita.mutate(JournalAttachmentDocument, {
      attachmentId: replyAttachmentId,
      input: incoming(target, { heading: 'Samtycke från klient', date: '2024-08-16' }),
    });
    expect(file.codes).toEqual([]);
    expect(file.data!.journalAttachment).toMatchObject({
      heading: 'Samtycke från klient',
      date: '2024-08-16',
      attachment: { id: replyAttachmentId, filename: 'Registrera Samtycke.pdf' },
      messageId: replyId,
    });

    const conversationId = (await t.em().findOneOrFail(Message, replyId)).conversation.id;
    const seen = await marita.query(MessageJournalEntriesDocument, { conversationId });
    const reply = seen.data!.conversation.messages.find((m) => m.id === replyId)!;
    expect(reply.journalEntries!.map((j) => [j.targetLabel, j.author.name, j.attachment?.filename ?? null])).toEqual([
      ['Insats EK Ekonomiskt bistånd 2024-02-15', 'Marita Aronsson', null],
      ['Insats EK Ekonomiskt bistånd 2024-02-15', 'Marita Aronsson', 'Registrera Samtycke.pdf'],
    ]);
    expect(reply.journalEntries![0].journaledAt).toBeTruthy();
    const journaled = reply.history.filter((h) => h.kind === 'JOURNALED');
    expect(journaled.map((h) => [h.actorName, h.detail])).toEqual([
      ['Marita Aronsson', 'Insats EK Ekonomiskt bistånd 2024-02-15'],
      ['Marita Aronsson', 'Registrera Samtycke.pdf: Insats EK Ekonomiskt bistånd 2024-02-15'],
    ]);

    const mine = await (await as('tolvan')).query(citizen.ConversationDocument, { id: conversationId });
    const tolvansReply = mine.data!.conversation.messages.find((m) => m.id === replyId)!;
    expect(tolvansReply.history.filter((h) => h.kind === 'JOURNALED')).toHaveLength(2);

    const logged = await sql(
      `select count(*)::int as n from access_log_entry where person_id = ? and action = 'JOURNAL_WRITE'`,
      [tolvan.id],
    );
    expect(logged[0].n).toBeGreaterThanOrEqual(2);

    // The journal entries of the case list both, newest first.
    const journal = await marita.query(CaseJournalDocument, { caseId: ek.id, interventionId: ekInsats.id });
    expect(journal.data!.caseJournal.nodes.slice(0, 2).map((j) => j.heading)).toEqual([
      'Samtycke från klient',
      'Svar från klient',
    ]);
  });

  test("J1 Marita's own sent message can be journaled as an outgoing document", async () => {
    const r = await (
      await as('marita')
    ).mutate(JournalMessageDocument, {
      messageId: welcomeId,
      input: {
        target: { caseId: ek.id },
        documentType: 'OUTGOING_DOCUMENT',
        senderKind: 'STAFF',
        heading: 'Kallelse till möte',
      },
    });
    expect(r.codes).toEqual([]);
    expect(r.data!.journalMessage).toMatchObject({
      targetLabel: 'Ärende Ekonomiskt bistånd 2024-02-15',
      intervention: null,
      documentType: 'OUTGOING_DOCUMENT',
    });
  });

  test('J1 only staff taking part in the conversation may journal: a colleague who sees the case gets NOT_FOUND; admins and citizens are refused', async () => {
    const input = incoming({ caseId: ek.id });
    const anna = await (await as('anna')).mutate(JournalMessageDocument, { messageId: replyId, input });
    expect(anna.codes).toEqual(['NOT_FOUND']);
    const annaFile = await (
      await as('anna')
    ).mutate(JournalAttachmentDocument, { attachmentId: replyAttachmentId, input });
    expect(annaFile.codes).toEqual(['NOT_FOUND']);
    const targets = await (await as('anna')).query(JournalTargetsDocument, { messageId: replyId });
    expect(targets.codes).toEqual(['NOT_FOUND']);
    const admin = await (await as('admin')).mutate(JournalMessageDocument, { messageId: replyId, input });
    expect(admin.codes).toEqual(['FORBIDDEN']);
    const citizenTry = await postRaw(
      t.url,
      {
        query: 'mutation($m: ID!, $i: JournalInput!) { journalMessage(messageId: $m, input: $i) { id } }',
        variables: { m: replyId, i: input },
      },
      { token: await t.token.citizen(DEMO.tolvan) },
    );
    expect(citizenTry.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('J2 only open cases (and their interventions that have not ended) of the conversation citizen as case holder are selectable', async () => {
    const em = t.em();
    const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
    const closed = em.create(Case, {
      title: 'Gammalt ärende',
      holder: tolvan.id,
      unit: marita.unit,
      caseworker: marita,
      openedOn: '2020-01-01',
      status: CaseStatus.CLOSED,
      closedOn: '2021-01-01',
    });
    const closedInsats = em.create(Intervention, {
      case: closed,
      code: 'EK',
      name: 'Ekonomiskt bistånd',
      startDate: '2020-01-01',
      endDate: '2020-12-31',
    });
    await em.flush();
    const sannaInsats = em.create(Intervention, {
      case: sannaCase.id,
      code: 'SK',
      name: 'Skyddat boende',
      startDate: '2025-01-10',
    });
    const endedInsats = em.create(Intervention, {
      case: ek.id,
      code: 'BO',
      name: 'Boendestöd',
      startDate: '2023-01-01',
      endDate: '2023-06-30',
    }); // ended, on the open case
    await em.flush();

    const api = await as('marita');
    const targets = (await api.query(JournalTargetsDocument, { messageId: replyId })).data!.journalTargets;
    expect(targets.map((x) => x.caseId)).toEqual([ek.id, ek.id]);

    for (const target of [
      { caseId: closed.id },
      { caseId: closed.id, interventionId: closedInsats.id },
      { caseId: sannaCase.id }, // another person's case in Marita's unit
      { caseId: ek.id, interventionId: sannaInsats.id }, // another case's intervention under Tolvan's case
      { caseId: ek.id, interventionId: endedInsats.id }, // an intervention that has ended takes no new entries
      { caseId: ek.id, assignmentId: assignment.id }, // caseworkers do not write in the executor's documentation
      { caseId: randomUUID() },
    ]) {
      const r = await api.mutate(JournalMessageDocument, {
        messageId: replyId,
        input: incoming(target, { heading: `försök ${JSON.stringify(target)}` }),
      });
      expect({ target, codes: r.codes }).toEqual({ target, codes: ['JOURNAL_TARGET_NOT_ALLOWED'] });
      expect(r.errors[0].message).toMatch(/journalTargets/);
    }
    const none = await sql(`select count(*)::int as n from journal_entry where case_id = any(?::uuid[])`, [
      `{${closed.id},${sannaCase.id}}`,
    ]);
    expect(none[0].n).toBe(0);
  });

  test("J3 the relation's message is refused with JOURNALING_FORBIDDEN_FOR_RELATION and told to write a note by hand; the note can be written", async () => {
    const api = await as('marita');
    const before = await sql(`select count(*)::int as n from journal_entry`);
    const targets = await api.query(JournalTargetsDocument, { messageId: josefineMessageId });
    expect(targets.codes).toEqual(['JOURNALING_FORBIDDEN_FOR_RELATION']);
    const r = await api.mutate(JournalMessageDocument, {
      messageId: josefineMessageId,
      input: incoming({ caseId: ek.id, interventionId: ekInsats.id }, { senderKind: 'RELATION' }),
    });
    expect(r.codes).toEqual(['JOURNALING_FORBIDDEN_FOR_RELATION']);
    expect(r.errors[0].message).toMatch(/Josefine Test Ek is a relation of the case holder/);
    expect(r.errors[0].message).toMatch(/Copy the text and write a journal note in the case by hand/);
    const after = await sql(`select count(*)::int as n from journal_entry`);
    expect(after[0].n).toBe(before[0].n);
    const events = await sql(
      `select count(*)::int as n from message_event where message_id = ? and kind = 'JOURNALED'`,
      [josefineMessageId],
    );
    expect(events[0].n).toBe(0);

    const note = await api.mutate(WriteJournalNoteDocument, {
      input: {
        target: { caseId: ek.id, interventionId: ekInsats.id },
        heading: 'Fråga från Josefine (relation)',
        text: 'Hej! Jag hjälper Tolvan med ansökan. Vilka papper behövs?',
        senderKind: 'RELATION',
        senderDesignation: 'Josefine Test Ek, god man',
      },
    });
    expect(note.codes).toEqual([]);
    expect(note.data!.writeJournalNote).toMatchObject({
      documentType: 'NOTE',
      senderKind: 'RELATION',
      messageId: null,
      targetLabel: 'Insats EK Ekonomiskt bistånd 2024-02-15',
    });
  });

  test('a conversation between staff only has no file to journal into (NO_CASE_FILE)', async () => {
    const r = await (
      await as('marita')
    ).mutate(JournalMessageDocument, {
      messageId: mailboxMessageId,
      input: incoming({ caseId: ek.id }, { senderKind: 'STAFF' }),
    });
    expect(r.codes).toEqual(['NO_CASE_FILE']);
  });

  test('J4 the executor journals into the documentation of their assignment, and reads only that in the case journal', async () => {
    const per = await as('per');
    const sent = await per.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { personIds: [tolvan.id] },
        subject: 'Budgetrådgivning',
        body: '<p>Ta med kontoutdrag till mötet.</p>',
      },
    });
    expect(sent.codes).toEqual([]);
    const messageId = sent.data!.sendMessage[0].id;

    const targets = await per.query(JournalTargetsDocument, { messageId });
    expect(targets.data!.journalTargets).toEqual([
      {
        kind: 'ASSIGNMENT',
        caseId: ek.id,
        interventionId: null,
        assignmentId: assignment.id,
        label: 'Uppdrag Budgetrådgivning 2024-03-01',
      },
    ]);
    const input = {
      documentType: 'OUTGOING_DOCUMENT' as const,
      senderKind: 'STAFF' as const,
      heading: 'Inför budgetmöte',
    };
    const withoutAssignment = await per.mutate(JournalMessageDocument, {
      messageId,
      input: { ...input, target: { caseId: ek.id } },
    });
    expect(withoutAssignment.codes).toEqual(['JOURNAL_TARGET_NOT_ALLOWED']);
    expect(withoutAssignment.errors[0].message).toMatch(/assignment/);
    const intoIntervention = await per.mutate(JournalMessageDocument, {
      messageId,
      input: { ...input, target: { caseId: ek.id, interventionId: ekInsats.id } },
    });
    expect(intoIntervention.codes).toEqual(['JOURNAL_TARGET_NOT_ALLOWED']);

    const ok = await per.mutate(JournalMessageDocument, {
      messageId,
      input: { ...input, target: { caseId: ek.id, assignmentId: assignment.id } },
    });
    expect(ok.codes).toEqual([]);
    expect(ok.data!.journalMessage).toMatchObject({
      assignment: { id: assignment.id, description: 'Budgetrådgivning' },
      author: { name: 'Per Utförsson' },
      intervention: null,
    });

    const perJournal = await per.query(CaseJournalDocument, { caseId: ek.id, first: 100 });
    expect(perJournal.codes).toEqual([]);
    expect(perJournal.data!.caseJournal.nodes.map((j) => j.heading)).toEqual(['Inför budgetmöte']);
    const maritaJournal = await (await as('marita')).query(CaseJournalDocument, { caseId: ek.id, first: 100 });
    expect(maritaJournal.data!.caseJournal.nodes.map((j) => j.heading)).toContain('Inför budgetmöte');
    expect(maritaJournal.data!.caseJournal.nodes.length).toBeGreaterThan(1);
  });

  test('J5 entries are immutable: no update or delete in the API or the database; a correction is a new entry, once per entry', async () => {
    const res = await postRaw(t.url, { query: getIntrospectionQuery() });
    const mutation = res.body.data.__schema.types.find((x: any) => x.name === 'Mutation');
    expect(
      mutation.fields
        .map((f: any) => f.name)
        .filter((n: string) => /journal/i.test(n))
        .sort(),
    ).toEqual(['journalAttachment', 'journalMessage', 'writeJournalNote']);

    const api = await as('marita');
    const [original] = (
      await api.query(CaseJournalDocument, { caseId: ek.id, interventionId: ekInsats.id, first: 100 })
    ).data!.caseJournal.nodes.filter((j) => j.messageId === replyId && !j.attachment);
    await expect(sql(`update journal_entry set heading = 'ändrad' where id = ?`, [original.id])).rejects.toThrow(
      /immutable/,
    );
    await expect(sql(`delete from journal_entry where id = ?`, [original.id])).rejects.toThrow(/immutable/);
    await expect(sql(`delete from message where id = ?`, [replyId])).rejects.toThrow();

    const again = await api.mutate(JournalMessageDocument, {
      messageId: replyId,
      input: incoming({ caseId: ek.id, interventionId: ekInsats.id }),
    });
    expect(again.codes).toEqual(['ALREADY_JOURNALED']);
    expect(again.errors[0].message).toMatch(/correction/);

    const correction = await api.mutate(JournalMessageDocument, {
      messageId: replyId,
      input: incoming(
        { caseId: ek.id, interventionId: ekInsats.id },
        { heading: 'Svar från klient (rättad rubrik)', correctsId: original.id },
      ),
    });
    expect(correction.codes).toEqual([]);
    expect(correction.data!.journalMessage.correctsId).toBe(original.id);
    const reread = (await api.query(CaseJournalDocument, { caseId: ek.id, first: 100 })).data!.caseJournal.nodes.find(
      (j) => j.id === original.id,
    )!;
    expect(reread.correctedById).toBe(correction.data!.journalMessage.id);
    expect(reread.heading).toBe('Svar från klient');

    const twice = await api.mutate(JournalMessageDocument, {
      messageId: replyId,
      input: incoming({ caseId: ek.id }, { correctsId: original.id }),
    });
    expect(twice.codes).toEqual(['JOURNAL_ENTRY_ALREADY_CORRECTED']);
    const otherMessage = await api.mutate(JournalMessageDocument, {
      messageId: welcomeId,
      input: incoming(
        { caseId: ek.id, interventionId: ekInsats.id },
        { correctsId: correction.data!.journalMessage.id },
      ),
    });
    expect(otherMessage.codes).toEqual(['BAD_USER_INPUT']);
  });

  test('a journaled PDF is a document in the file: caseworkers of the case may open it without being in the conversation; others still may not', async () => {
    const tolvanToken = await t.token.citizen(DEMO.tolvan);
    const up = await upload(base, tolvanToken, await makePdf('Kontoutdrag'), 'Kontoutdrag.pdf');
    const reply = await (
      await as('tolvan')
    ).mutate(citizen.ReplyToMessageDocument, {
      messageId: welcomeId,
      input: { idempotencyKey: randomUUID(), body: '<p>Kontoutdrag bifogat.</p>', attachmentIds: [up.body.id] },
    });
    const attachment = reply.data!.replyToMessage.attachments[0];
    const annaToken = await t.token.staff(DEMO.secondCaseworker);
    expect((await download(base, annaToken, attachment.downloadUrl)).status).toBe(404);

    const r = await (
      await as('marita')
    ).mutate(JournalAttachmentDocument, {
      attachmentId: attachment.id,
      input: incoming({ caseId: ek.id }, { heading: 'Kontoutdrag' }),
    });
    expect(r.codes).toEqual([]);
    expect(r.data!.journalAttachment.attachment!.downloadUrl).toBe(attachment.downloadUrl);

    const opened = await download(base, annaToken, attachment.downloadUrl);
    expect(opened.status).toBe(200);
    expect(createHash('sha256').update(opened.bytes).digest('hex')).toBe(attachment.sha256);
    expect((await download(base, await t.token.staff(DEMO.otherUnitCaseworker), attachment.downloadUrl)).status).toBe(
      404,
    );
    expect((await download(base, await t.token.staff(DEMO.executor), attachment.downloadUrl)).status).toBe(404);
  });

  test('input is checked: heading required, no future date, a valid target', async () => {
    const api = await as('marita');
    const empty = await api.mutate(JournalMessageDocument, {
      messageId: welcomeId,
      input: incoming({ caseId: ek.id, interventionId: ekInsats.id }, { heading: '  ' }),
    });
    expect(empty.codes).toEqual(['BAD_USER_INPUT']);
    const future = await api.mutate(JournalMessageDocument, {
      messageId: welcomeId,
      input: incoming({ caseId: ek.id, interventionId: ekInsats.id }, { date: '2999-01-01' }),
    });
    expect(future.codes).toEqual(['BAD_USER_INPUT']);
    expect(future.errors[0].message).toMatch(/future/);
    const both = await api.mutate(JournalMessageDocument, {
      messageId: welcomeId,
      input: incoming({ caseId: ek.id, interventionId: ekInsats.id, assignmentId: assignment.id }),
    });
    expect(both.codes).toEqual(['BAD_USER_INPUT']);
    const unsent = await api.mutate(JournalAttachmentDocument, {
      attachmentId: randomUUID(),
      input: incoming({ caseId: ek.id }),
    });
    expect(unsent.codes).toEqual(['NOT_FOUND']);
  });
});

describe('the case journal', () => {
  let caseId: string;
  beforeAll(async () => {
    const em = t.em();
    const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
    const person = em.create(Person, { personnummer: '194001012384', givenName: 'Greta', familyName: 'Journalsson' });
    const c = em.create(Case, {
      title: 'Äldreärende',
      holder: person,
      unit: marita.unit,
      caseworker: marita,
      openedOn: '2025-01-01',
    });
    em.create(Intervention, { case: c, code: 'HT', name: 'Hemtjänst', startDate: '2025-01-01' });
    await em.flush();
    caseId = c.id;
  });

  const writeNotes = async (n: number, from: number) => {
    const api = await as('marita');
    const intervention = await t.em().findOneOrFail(Intervention, { case: caseId });
    for (let i = from; i < from + n; i++) {
      const r = await api.mutate(WriteJournalNoteDocument, {
        input: {
          target: { caseId, interventionId: i % 2 ? intervention.id : null },
          heading: `Anteckning ${i}`,
          text: `Text ${i}`,
        },
      });
      expect(r.codes).toEqual([]);
    }
  };

  test('pages newest first, and every read is in the access log', async () => {
    await writeNotes(5, 0);
    const api = await as('marita');
    const holder = (await t.em().findOneOrFail(Case, caseId)).holder.id;
    const logBefore = await sql(
      `select count(*)::int as n from access_log_entry where person_id = ? and action = 'JOURNAL_READ'`,
      [holder],
    );
    const first = await api.query(CaseJournalDocument, { caseId, first: 2 });
    expect(first.data!.caseJournal.nodes.map((j) => j.heading)).toEqual(['Anteckning 4', 'Anteckning 3']);
    expect(first.data!.caseJournal.pageInfo.hasNextPage).toBe(true);
    const second = await api.query(CaseJournalDocument, {
      caseId,
      first: 2,
      after: first.data!.caseJournal.pageInfo.endCursor,
    });
    expect(second.data!.caseJournal.nodes.map((j) => j.heading)).toEqual(['Anteckning 2', 'Anteckning 1']);
    const last = await api.query(CaseJournalDocument, {
      caseId,
      first: 2,
      after: second.data!.caseJournal.pageInfo.endCursor,
    });
    expect(last.data!.caseJournal.nodes.map((j) => j.heading)).toEqual(['Anteckning 0']);
    expect(last.data!.caseJournal.pageInfo.hasNextPage).toBe(false);
    const logAfter = await sql(
      `select count(*)::int as n from access_log_entry where person_id = ? and action = 'JOURNAL_READ'`,
      [holder],
    );
    expect(logAfter[0].n - logBefore[0].n).toBe(3);

    // A cursor this API did not give out (well-formed, but not a time and an id) is refused as such, and logs nothing.
    for (const key of [
      ['x', 'y'],
      [1, 2],
      ['2026-01-01T00:00:00Z', 'not-a-uuid'],
    ]) {
      const forged = await api.query(CaseJournalDocument, {
        caseId,
        first: 2,
        after: Buffer.from(JSON.stringify(key)).toString('base64url'),
      });
      expect(forged.codes).toEqual(['BAD_USER_INPUT']);
    }
    expect(
      (
        await sql(`select count(*)::int as n from access_log_entry where person_id = ? and action = 'JOURNAL_READ'`, [
          holder,
        ])
      )[0].n,
    ).toBe(logAfter[0].n);

    const stranger = await (
      await apiAs(t, await t.token.staff(DEMO.otherUnitCaseworker))
    ).query(CaseJournalDocument, { caseId });
    expect(stranger.codes).toEqual(['NOT_FOUND']);
  });

  test('the SQL sent for the journal list is the same for 2 and for 20 entries (no N+1)', async () => {
    const api = await as('marita');
    const count = async () => {
      t.sql.reset();
      const r = await api.query(CaseJournalDocument, { caseId, first: 100 });
      expect(r.codes).toEqual([]);
      return { n: t.sql.count(), entries: r.data!.caseJournal.nodes.length };
    };
    const existing = (await count()).entries;
    // Bring the case to exactly 2, then 20 entries.
    expect(existing).toBe(5);
    const em = t.em();
    const other = em.create(Case, {
      title: 'Tvåärende',
      holder: (await em.findOneOrFail(Case, caseId)).holder,
      unit: (await em.findOneOrFail(Staff, { username: DEMO.caseworker })).unit,
      caseworker: await em.findOneOrFail(Staff, { username: DEMO.caseworker }),
      openedOn: '2025-02-01',
    });
    em.create(Intervention, { case: other, code: 'HT', name: 'Hemtjänst', startDate: '2025-02-01' });
    await em.flush();
    caseId = other.id;
    await writeNotes(2, 0);
    const two = await count();
    await writeNotes(18, 2);
    const twenty = await count();
    expect([two.entries, twenty.entries]).toEqual([2, 20]);
    expect(twenty.n).toBe(two.n);
    // Measured: 6 (auth; the case's visibility, the page and the access log of the holder in one statement; the
    // entries' corrections, case, intervention and author, batched). 10 before (a transaction around the case, the
    // page and the log's insert).
    expect(two.n).toBeLessThanOrEqual(6);
  });
});
