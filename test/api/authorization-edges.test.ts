import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Assignment } from '../../src/entities/case';
import { Draft } from '../../src/entities/draft';
import { Relation } from '../../src/entities/relation';
import { MailboxMembershipChange, SharedMailboxMember } from '../../src/entities/shared-mailbox';
import { apiAs } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import { addRelation, isoDay, key } from '../testkit/messaging';
import { demoWorld, type Api, type DemoWorld } from '../testkit/world';

/**
 * R1–R5 and M6 on every edge: every edge of the graph applies the policy of the root query for
 * the object it returns, and what a relation or an assignment gave is gone at
 * once when it ends. Each observation of the security review is one test here.
 */

const gql = (text: string) => parse(text) as TypedDocumentNode<any, any>;
const RANDOM_ID = '5d7e0a52-3c7f-4c1e-9a55-0a1b2c3d4e5f';

const SEND = gql(`mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id conversationId } }`);
const REPLY = gql(
  `mutation R($messageId: ID!, $input: ReplyInput!) { replyToMessage(messageId: $messageId, input: $input) { id } }`,
);
const JOURNAL = gql(
  `mutation J($messageId: ID!, $input: JournalInput!) { journalMessage(messageId: $messageId, input: $input) { id } }`,
);
const CASE = gql(`query C($id: ID!) { case(id: $id) { id title } }`);
const CASE_JOURNAL = gql(`query CJ($caseId: ID!) { caseJournal(caseId: $caseId) { nodes { id heading } } }`);
const PERSON = gql(`query P($id: ID!) { person(id: $id) { id name } }`);
const CONVERSATION = gql(
  `query Conv($id: ID!) { conversation(id: $id) { id messages { id subject attachments { id } } } }`,
);
const CONVERSATIONS = gql(`query Convs { conversations(first: 100) { nodes { id } } }`);
const MARK_READ = gql(`mutation MR($messageId: ID!) { markMessageRead(messageId: $messageId) { id } }`);
const DEEP = gql(`query Deep($id: ID!) {
  conversation(id: $id) {
    messages {
      journalEntries {
        heading
        person { personnummer }
        case {
          title
          interventions { label }
          assignments { executor { name } }
          relations { person { name personnummer } }
        }
      }
    }
  }
}`);

let w: DemoWorld;
let base: string;
let tolvansCase: string;
let marita: Api;

beforeAll(async () => {
  w = await demoWorld();
  await seedDemoData(w.t.em());
  base = w.t.url.replace(/\/graphql$/, '');
  tolvansCase = w.caseId[DEMO.tolvan];
  marita = await w.as('caseworker');
});
afterAll(() => w.close());

async function send(
  api: Api,
  to: Record<string, string[]>,
  subject = 'Angående ditt ärende',
  attachmentIds?: string[],
) {
  const r = await api.mutate(SEND, {
    input: { idempotencyKey: key(), to, subject, body: '<p>Hej!</p>', attachmentIds },
  });
  expect(r.errors).toEqual([]);
  return r.data.sendMessage[0] as { id: string; conversationId: string };
}

const journalInput = (target: Record<string, string>) => ({
  target,
  documentType: 'OUTGOING_DOCUMENT',
  senderKind: 'STAFF',
  heading: 'Hemlig rubrik i akten',
});

describe('observation 1: the case file does not leak one hop away from a message', () => {
  let conversationId: string;
  let maritaEntry: string;

  beforeAll(async () => {
    const sent = await send(marita, {
      personIds: [w.personId[DEMO.tolvan]],
      staffIds: [w.staffId[DEMO.otherUnitCaseworker], w.staffId[DEMO.executor]],
    });
    conversationId = sent.conversationId;
    const j = await marita.mutate(JOURNAL, { messageId: sent.id, input: journalInput({ caseId: tolvansCase }) });
    expect(j.errors).toEqual([]);
    maritaEntry = j.data.journalMessage.id;
  });

  test('the caseworker who journaled sees the entry with its case behind the message (the control)', async () => {
    const r = await marita.query(DEEP, { id: conversationId });
    expect(r.errors).toEqual([]);
    const entries = r.data.conversation.messages.flatMap((m: any) => m.journalEntries);
    expect(entries).toEqual([
      expect.objectContaining({
        heading: 'Hemlig rubrik i akten',
        case: expect.objectContaining({ title: 'Ekonomiskt bistånd' }),
      }),
    ]);
  });

  test('bobarn01 (another unit, copied) gets no journal entry, case, intervention, executor or relation through the message; case(id) stays NOT_FOUND', async () => {
    const bo = await w.as('otherUnitCaseworker');
    const r = await bo.query(DEEP, { id: conversationId });
    expect(r.errors).toEqual([]);
    expect(r.data.conversation.messages.flatMap((m: any) => m.journalEntries)).toEqual([]);
    const seen = JSON.stringify(r.data);
    for (const leak of ['Hemlig rubrik', 'Ekonomiskt bistånd', 'Per Utförsson', DEMO.tolvan, DEMO.relation, 'Josefine'])
      expect(seen).not.toContain(leak);
    expect((await bo.query(CASE, { id: tolvansCase })).codes).toEqual(['NOT_FOUND']);
  });

  test('the message history tells bobarn01 that it was journaled, not where (the case title); the caseworker sees where', async () => {
    const HISTORY = gql(
      `query Hist($id: ID!) { conversation(id: $id) { messages { history { kind actorName detail } } } }`,
    );
    const journaled = async (api: Api) =>
      (await api.query(HISTORY, { id: conversationId })).data.conversation.messages
        .flatMap((m: any) => m.history)
        .filter((h: any) => h.kind === 'JOURNALED');
    expect(await journaled(await w.as('otherUnitCaseworker'))).toEqual([
      { kind: 'JOURNALED', actorName: 'Marita Aronsson', detail: null },
    ]);
    expect(await journaled(marita)).toEqual([
      { kind: 'JOURNALED', actorName: 'Marita Aronsson', detail: expect.stringContaining('Ekonomiskt bistånd') },
    ]);
  });

  test("the executor (copied) sees through the message exactly what caseJournal shows him: not the caseworker's entry", async () => {
    const per = await w.as('executor');
    const journal = await per.query(CASE_JOURNAL, { caseId: tolvansCase });
    expect(journal.errors).toEqual([]);
    const inJournal = journal.data.caseJournal.nodes.map((n: any) => n.id);
    expect(inJournal).not.toContain(maritaEntry);
    const r = await per.query(DEEP, { id: conversationId });
    expect(r.errors).toEqual([]);
    expect(r.data.conversation.messages.flatMap((m: any) => m.journalEntries)).toEqual([]);
  });

  test("an executor's own entry under his assignment is shown to him behind the message, with its case", async () => {
    const per = await w.as('executor');
    const sent = await send(per, { personIds: [w.personId[DEMO.tolvan]] }, 'Budgetplan');
    const assignment = await w.t.em().findOneOrFail(Assignment, { case: tolvansCase });
    const j = await per.mutate(JOURNAL, {
      messageId: sent.id,
      input: journalInput({ caseId: tolvansCase, assignmentId: assignment.id }),
    });
    expect(j.errors).toEqual([]);
    const r = await per.query(DEEP, { id: sent.conversationId });
    expect(r.errors).toEqual([]);
    expect(r.data.conversation.messages.flatMap((m: any) => m.journalEntries)).toEqual([
      expect.objectContaining({
        person: { personnummer: DEMO.tolvan },
        case: expect.objectContaining({ title: 'Ekonomiskt bistånd' }),
      }),
    ]);
  });
});

test('cases, relations and journal entries read through the rule queries keep their calendar dates (LocalDate) and times', async () => {
  const r = await marita.query(
    gql(
      `query D($id: ID!) { case(id: $id) { openedOn relations { validFrom } holder { cases { openedOn } } } caseJournal(caseId: $id) { nodes { date journaledAt } } }`,
    ),
    { id: tolvansCase },
  );
  expect(r.errors).toEqual([]);
  expect(r.data.case.openedOn).toBe('2024-02-15');
  expect(r.data.case.holder.cases[0].openedOn).toBe('2024-02-15');
  expect(r.data.case.relations[0].validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(r.data.caseJournal.nodes.length).toBeGreaterThan(0); // observation 1 journaled into it
  for (const n of r.data.caseJournal.nodes) {
    expect(n.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(n.journaledAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  }
});

describe('observation 3: administrators manage shared mailboxes but are never members', () => {
  const ADD = gql(`mutation A($m: ID!, $s: ID!) { addSharedMailboxMember(mailboxId: $m, staffId: $s) { id } }`);
  const REMOVE = gql(`mutation R($m: ID!, $s: ID!) { removeSharedMailboxMember(mailboxId: $m, staffId: $s) { id } }`);
  const CHANGES = gql(
    `query H($m: ID!) { sharedMailboxMembershipChanges(mailboxId: $m) { change member { username } changedBy { username } createdAt mailboxId } }`,
  );

  test('an administrator cannot add themself (FORBIDDEN, nothing written)', async () => {
    const admin = await w.as('admin');
    const r = await admin.mutate(ADD, { m: w.mailboxId, s: w.staffId[DEMO.admin] });
    expect(r.codes).toEqual(['FORBIDDEN']);
    expect(await w.t.em().count(SharedMailboxMember, { staff: w.staffId[DEMO.admin] })).toBe(0);
    expect(await w.t.em().count(MailboxMembershipChange, { member: w.staffId[DEMO.admin] })).toBe(0);
  });

  test("a membership an administrator got anyway opens no citizen's messages", async () => {
    const em = w.t.em();
    em.create(SharedMailboxMember, { mailbox: w.mailboxId, staff: w.staffId[DEMO.admin] });
    await em.flush();
    try {
      const admin = await w.as('admin');
      const r = await admin.query(gql(`query Q($m: ID) { conversations(sharedMailboxId: $m) { nodes { id } } }`), {
        m: w.mailboxId,
      });
      expect(r.codes).toEqual(['NOT_FOUND']);
    } finally {
      await em.nativeDelete(SharedMailboxMember, { staff: w.staffId[DEMO.admin] });
    }
  });

  test('membership changes are recorded: who changed which member, when; an administrator reads them', async () => {
    const admin = await w.as('admin');
    expect((await admin.mutate(ADD, { m: w.mailboxId, s: w.staffId[DEMO.executor] })).errors).toEqual([]);
    expect((await admin.mutate(ADD, { m: w.mailboxId, s: w.staffId[DEMO.executor] })).errors).toEqual([]); // twice: harmless, recorded once
    expect((await admin.mutate(REMOVE, { m: w.mailboxId, s: w.staffId[DEMO.executor] })).errors).toEqual([]);
    const r = await admin.query(CHANGES, { m: w.mailboxId });
    expect(r.errors).toEqual([]);
    expect(r.data.sharedMailboxMembershipChanges).toEqual([
      expect.objectContaining({
        change: 'REMOVED',
        member: { username: DEMO.executor },
        changedBy: { username: DEMO.admin },
        mailboxId: w.mailboxId,
      }),
      expect.objectContaining({
        change: 'ADDED',
        member: { username: DEMO.executor },
        changedBy: { username: DEMO.admin },
        mailboxId: w.mailboxId,
      }),
    ]);
    expect((await marita.query(CHANGES, { m: w.mailboxId })).codes).toEqual(['FORBIDDEN']);
  });
});

describe('observation 4: a draft tells nothing about an id', () => {
  const SAVE = gql(
    `mutation S($input: SaveDraftInput!) { saveDraft(input: $input) { id to { parties { kind id name title } } } }`,
  );
  const partiesOf = async (api: Api, personId: string) => {
    const r = await api.mutate(SAVE, { input: { to: { personIds: [personId] } } });
    expect(r.errors).toEqual([]);
    return r.data.saveDraft.to.parties.map((p: any) => ({ ...p, id: 'X' }));
  };

  test.each([
    ['a citizen', 'citizen', DEMO.protectedPerson],
    ['a citizen', 'citizen', DEMO.relation],
    ["another unit's caseworker", 'otherUnitCaseworker', DEMO.tolvan],
    ['an administrator', 'admin', DEMO.tolvan],
  ] as const)('%s (%s) gets for a real person id (%s) exactly what a random id gets', async (_who, caller, pnr) => {
    const api = await w.as(caller);
    expect(await partiesOf(api, w.personId[pnr])).toEqual(await partiesOf(api, RANDOM_ID));
  });

  test('the caseworker of the person sees the name (the control)', async () => {
    expect((await partiesOf(marita, w.personId[DEMO.tolvan]))[0].name).toBe('Tolvan Tolvansson');
  });

  test('saveDraft(caseId) answers a real case the caller may not open exactly as a random id', async () => {
    const shape = (r: { codes: string[]; errors: { message: string }[] }) => ({
      codes: r.codes,
      messages: r.errors.map((e) => e.message),
    });
    const kallesCase = w.caseId[DEMO.otherUnitPerson];
    for (const [caller, caseId] of [
      ['otherUnitCaseworker', tolvansCase],
      ['admin', tolvansCase],
      ['citizen', kallesCase],
    ] as const) {
      const api = await w.as(caller);
      const random = await api.mutate(SAVE, { input: { caseId: RANDOM_ID } });
      expect(random.codes).toEqual(['NOT_FOUND']);
      expect(shape(await api.mutate(SAVE, { input: { caseId } }))).toEqual(shape(random));
    }
    // The controls: the case's caseworker and its holder may.
    expect((await marita.mutate(SAVE, { input: { caseId: tolvansCase } })).errors).toEqual([]);
    expect((await (await w.as('citizen')).mutate(SAVE, { input: { caseId: tolvansCase } })).errors).toEqual([]);
  });
});

describe('attachments behind an edge follow the download rule', () => {
  test('an attachment id planted in a draft shows only to who may open the file', async () => {
    const maritaToken = await w.t.token.staff(DEMO.caseworker);
    const up = await upload(base, maritaToken, await makePdf('Utredning'), 'Utredning.pdf');
    const sent = await send(marita, { personIds: [w.personId[DEMO.tolvan]] }, 'Utredningen', [up.body.id]);
    const em = w.t.em();
    for (const username of [DEMO.otherUnitCaseworker, DEMO.caseworker]) {
      em.create(Draft, { ownerStaff: w.staffId[username], attachmentIds: [up.body.id] });
    }
    await em.flush();
    const DRAFTS = gql(`query D { drafts(first: 100) { nodes { attachments { id filename } } } }`);
    const filesOf = async (api: Api) =>
      (await api.query(DRAFTS)).data.drafts.nodes.flatMap((d: any) => d.attachments.map((a: any) => a.filename));
    expect(await filesOf(await w.as('otherUnitCaseworker'))).toEqual([]);
    expect(await filesOf(marita)).toContain('Utredning.pdf');
    expect((await marita.query(CONVERSATION, { id: sent.conversationId })).errors).toEqual([]);
  });
});

describe('observation 5 and the end of a relation: what it gave is gone at once, reads and uploads included', () => {
  test('a deactivated relation cannot upload, nor read its conversations, messages or attachments; reactivated, it can again', async () => {
    const rel = await addRelation(w.t.em(), tolvansCase, { validFrom: isoDay(-30) });
    const maritaToken = await w.t.token.staff(DEMO.caseworker);
    const up = await upload(base, maritaToken, await makePdf('Beslut'), 'Beslut.pdf');
    expect(up.status).toBe(201);
    const sent = await send(marita, { personIds: [rel.id] }, 'Till relationen', [up.body.id]);
    const relToken = await w.t.token.citizen(rel.personnummer);
    const relApi = apiAs(w.t, relToken);
    try {
      const before = await relApi.query(CONVERSATION, { id: sent.conversationId });
      expect(before.errors).toEqual([]);
      expect((await upload(base, relToken, await makePdf('Svar'), 'Svar.pdf')).status).toBe(201);
      expect((await download(base, relToken, `/attachments/${up.body.id}`)).status).toBe(200);

      const relation = await w.t.em().findOneOrFail(Relation, { person: rel.id });
      const off = await marita.mutate(gql(`mutation D($id: ID!) { deactivateRelation(relationId: $id) { id } }`), {
        id: relation.id,
      });
      expect(off.errors).toEqual([]);

      expect((await upload(base, relToken, await makePdf('Svar'), 'Svar.pdf')).status).toBe(403);
      expect((await relApi.query(CONVERSATION, { id: sent.conversationId })).codes).toEqual(['NOT_FOUND']);
      expect((await relApi.query(CONVERSATIONS)).data.conversations.nodes).toEqual([]);
      expect((await relApi.query(gql(`query M { mailboxes { unreadCount } }`))).data.mailboxes).toEqual([
        { unreadCount: 0 },
      ]);
      expect((await relApi.mutate(MARK_READ, { messageId: sent.id })).codes).toEqual(['NOT_FOUND']);
      expect((await download(base, relToken, `/attachments/${up.body.id}`)).status).toBe(404);

      // The caseworker, who takes part, still reads it.
      expect((await marita.query(CONVERSATION, { id: sent.conversationId })).errors).toEqual([]);

      const e = w.t.em();
      const again = await e.findOneOrFail(Relation, { person: rel.id });
      again.activatedAt = new Date();
      await e.flush();
      expect((await relApi.query(CONVERSATION, { id: sent.conversationId })).errors).toEqual([]);
    } finally {
      await relApi.close();
    }
  });

  test('a relation past its validTo loses its conversations and uploads the next day, with no job run', async () => {
    const rel = await addRelation(w.t.em(), tolvansCase, { validFrom: isoDay(-30) });
    const sent = await send(marita, { personIds: [rel.id] }, 'Till relationen');
    const relToken = await w.t.token.citizen(rel.personnummer);
    const relApi = apiAs(w.t, relToken);
    try {
      const e = w.t.em();
      const relation = await e.findOneOrFail(Relation, { person: rel.id });
      relation.validTo = isoDay(0);
      await e.flush();
      expect((await relApi.query(CONVERSATION, { id: sent.conversationId })).errors).toEqual([]);
      relation.validTo = isoDay(-1);
      await e.flush();
      expect((await relApi.query(CONVERSATION, { id: sent.conversationId })).codes).toEqual(['NOT_FOUND']);
      expect((await upload(base, relToken, await makePdf('Svar'), 'Svar.pdf')).status).toBe(403);
    } finally {
      await relApi.close();
    }
  });

  test('the case holder keeps their own conversations and uploads (the control)', async () => {
    const tolvanToken = await w.t.token.citizen(DEMO.tolvan);
    expect((await upload(base, tolvanToken, await makePdf('Kvitto'), 'Kvitto.pdf')).status).toBe(201);
    const tolvan = await w.as('citizen');
    expect((await tolvan.query(CONVERSATIONS)).data.conversations.nodes.length).toBeGreaterThan(0);
  });
});

describe('an ended assignment loses what it gave at once (reads too)', () => {
  test('person, case, case journal and the journaled file are NOT_FOUND from the day after the assignment ends', async () => {
    const per = await w.as('executor');
    const perToken = await w.t.token.staff(DEMO.executor);
    // A PDF journaled by the caseworker under the executor's assignment is readable by him while it runs.
    const maritaToken = await w.t.token.staff(DEMO.caseworker);
    const up = await upload(base, maritaToken, await makePdf('Budget'), 'Budget.pdf');
    const sent = await send(marita, { personIds: [w.personId[DEMO.tolvan]] }, 'Budget', [up.body.id]);
    const em = w.t.em();
    const assignment = await em.findOneOrFail(Assignment, { case: tolvansCase, executor: w.staffId[DEMO.executor] });
    await em.getConnection().execute(
      `insert into journal_entry (id, created_at, person_id, case_id, assignment_id, document_type, sender_kind, heading, date, text, message_id, attachment_id, author_id, target_label)
       values (gen_random_uuid(), now(), ?, ?, ?, 'OUTGOING_DOCUMENT', 'STAFF', 'Budget', ?, 'x', ?, ?, ?, 'Uppdrag')`,
      [w.personId[DEMO.tolvan], tolvansCase, assignment.id, isoDay(0), sent.id, up.body.id, w.staffId[DEMO.caseworker]],
    );
    const reads = async () => ({
      person: (await per.query(PERSON, { id: w.personId[DEMO.tolvan] })).codes,
      case: (await per.query(CASE, { id: tolvansCase })).codes,
      journal: (await per.query(CASE_JOURNAL, { caseId: tolvansCase })).codes,
      file: (await download(base, perToken, `/attachments/${up.body.id}`)).status,
    });
    expect(await reads()).toEqual({ person: [], case: [], journal: [], file: 200 });
    const own = await send(per, { personIds: [w.personId[DEMO.tolvan]] }, 'Nästa träff');
    const ongoingReply = await per.mutate(REPLY, {
      messageId: own.id,
      input: { idempotencyKey: key(), body: '<p>Tillägg</p>' },
    });
    expect(ongoingReply.errors).toEqual([]);
    try {
      assignment.endDate = isoDay(-1);
      await em.flush();
      expect(await reads()).toEqual({ person: ['NOT_FOUND'], case: ['NOT_FOUND'], journal: ['NOT_FOUND'], file: 404 });
      const write = await per.mutate(SEND, {
        input: { idempotencyKey: key(), to: { personIds: [w.personId[DEMO.tolvan]] }, subject: 'x', body: '<p>x</p>' },
      });
      expect(write.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
      // Nor can he answer in the conversation he started while it ran (M2 on replies).
      const answer = await per.mutate(REPLY, {
        messageId: own.id,
        input: { idempotencyKey: key(), body: '<p>Svar</p>' },
      });
      expect(answer.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
      expect(answer.errors[0].message).toMatch(/assignment .*ended/);
    } finally {
      assignment.endDate = null;
      await em.flush();
    }
  });
});

describe('observation 9: a relation approved but not activated', () => {
  test('is refused with RECIPIENT_NOT_ACTIVATED, so a UI can say "activate the relation first"', async () => {
    const rel = await addRelation(w.t.em(), tolvansCase, { activated: false });
    const r = await marita.mutate(SEND, {
      input: { idempotencyKey: key(), to: { personIds: [rel.id] }, subject: 'x', body: '<p>x</p>' },
    });
    expect(r.codes).toEqual(['RECIPIENT_NOT_ACTIVATED']);
    expect(r.errors[0].message).toMatch(/activate/i);
  });

  test('a staff member who may not write to the relation anyway still gets RECIPIENT_NOT_ALLOWED', async () => {
    const rel = await addRelation(w.t.em(), tolvansCase, { activated: false });
    const bo = await w.as('otherUnitCaseworker');
    const r = await bo.mutate(SEND, {
      input: { idempotencyKey: key(), to: { personIds: [rel.id] }, subject: 'x', body: '<p>x</p>' },
    });
    expect(r.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
  });
});
