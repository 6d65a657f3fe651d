import { randomUUID } from 'node:crypto';
import { DEMO } from '../../src/db/demo-data';
import { postRaw } from '../testkit/api';
import { isoDay, newPersonnummer } from '../testkit/messaging';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * UT1: characters that change how the text around them is
 * shown, without being seen themselves, never reach another reader. C1
 * controls (U+0080–U+009F) become a space in a single line, like the C0
 * controls already did; bidi embeddings, overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) and zero-width characters (U+200B–U+200F,
 * U+FEFF) are removed — in every single-line text (subjects, names, titles,
 * headings, mailbox, unit and list names, addresses), in plain multi-line
 * texts, and in the text of message bodies. Tolvan must never read
 * "Faktura <U+202E>fdp.exe<U+202C>" as "Faktura exe.pdf".
 */
const UNSAFE = /[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
/** Every kind of unsafe character once, and what a single line keeps of it. */
const DIRTY = 'Faktura \u202efdp.exe\u202c \u2067x\u2069\u200by\u200d\u200e\u200f\ufeffz\u0085w\u009bv';
const CLEAN = 'Faktura fdp.exe xyz w v';

let w: DemoWorld;
let tolvanCase: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  w = await demoWorld();
  tolvanCase = w.caseId[DEMO.tolvan];
  for (const u of [DEMO.caseworker, DEMO.admin]) tokens[u] = await w.t.token.staff(u);
  tokens.tolvan = await w.t.token.citizen(DEMO.tolvan);
});
afterAll(() => w.close());

/** Runs one operation as `who` and answers its data, failing on any error. */
async function gql(who: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const r = await postRaw(w.t.url, { query, variables }, { token: tokens[who] });
  expect(r.body.errors).toBeUndefined();
  return r.body.data;
}

/** Every string in a result, so that no field is overlooked. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function expectSafe(data: unknown) {
  const found = strings(data).filter((s) => UNSAFE.test(s));
  expect(found).toEqual([]);
}

test('UT1 a message: the subject as Tolvan reads it, and the text of its body', async () => {
  const sent = await gql(
    DEMO.caseworker,
    'mutation($i: SendMessageInput!) { sendMessage(input: $i) { conversationId } }',
    {
      i: {
        idempotencyKey: randomUUID(),
        to: { personIds: [w.personId[DEMO.tolvan]] },
        subject: DIRTY,
        body: `<p>${DIRTY}</p><p>Som tecken: Faktura &#x202E;fdp.exe&#x202C;</p>`,
      },
    },
  );
  const read = await gql(
    'tolvan',
    'query($id: ID!) { conversation(id: $id) { subject messages { subject bodyHtml bodyText } } }',
    { id: sent.sendMessage[0].conversationId },
  );
  expect(read.conversation.subject).toBe(CLEAN);
  expect(read.conversation.messages[0].subject).toBe(CLEAN);
  expect(read.conversation.messages[0].bodyText).toContain('Faktura fdp.exe');
  expectSafe(read);
});

test('UT1 a draft subject', async () => {
  const d = await gql(DEMO.caseworker, 'mutation($i: SaveDraftInput!) { saveDraft(input: $i) { subject bodyHtml } }', {
    i: { subject: DIRTY, body: `<p>${DIRTY}</p>` },
  });
  expect(d.saveDraft.subject).toBe(CLEAN);
  expectSafe(d);
});

test("UT1 a new person's names (registerRelation)", async () => {
  const r = await gql(
    DEMO.caseworker,
    'mutation($c: ID!, $i: RegisterRelationInput!) { registerRelation(caseId: $c, input: $i) { person { givenName familyName name } } }',
    {
      c: tolvanCase,
      i: {
        personnummer: newPersonnummer(),
        givenName: `Ann\u202e${DIRTY}`,
        familyName: DIRTY,
        types: ['APPROVED_FOR_MESSAGES'],
        validFrom: isoDay(0),
      },
    },
  );
  expect(r.registerRelation.person.familyName).toBe(CLEAN);
  expectSafe(r);
});

test('UT1 staff names and title; unit, municipality and shared mailbox names', async () => {
  const unit = await gql(
    DEMO.admin,
    'mutation($n: String!, $m: String!) { createUnit(name: $n, municipality: $m) { id name municipality } }',
    { n: `Enhet ${DIRTY}`, m: DIRTY },
  );
  expect(unit.createUnit.name).toBe(`Enhet ${CLEAN}`);
  const staff = await gql(
    DEMO.admin,
    'mutation($i: CreateStaffInput!) { createStaff(input: $i) { id givenName familyName title } }',
    {
      i: {
        username: `u${Date.now().toString(36)}`,
        givenName: DIRTY,
        familyName: DIRTY,
        title: DIRTY,
        role: 'CASEWORKER',
        unitId: unit.createUnit.id,
      },
    },
  );
  expect(staff.createStaff.familyName).toBe(CLEAN);
  const renamed = await gql(
    DEMO.admin,
    'mutation($id: ID!, $i: UpdateStaffInput!) { updateStaff(id: $id, input: $i) { givenName familyName title } }',
    {
      id: staff.createStaff.id,
      i: { givenName: `Ny ${DIRTY}`, familyName: `Ny ${DIRTY}`, title: `Ny ${DIRTY}` },
    },
  );
  expect(renamed.updateStaff).toEqual({ givenName: `Ny ${CLEAN}`, familyName: `Ny ${CLEAN}`, title: `Ny ${CLEAN}` });
  const mailbox = await gql(
    DEMO.admin,
    'mutation($n: String!, $u: ID!) { createSharedMailbox(name: $n, unitId: $u) { name } }',
    { n: `Brevlåda ${DIRTY}`, u: unit.createUnit.id },
  );
  expect(mailbox.createSharedMailbox.name).toBe(`Brevlåda ${CLEAN}`);
  expectSafe([unit, staff, renamed, mailbox]);
});

test('UT1 a contact list name, a signature and an automatic reply', async () => {
  const list = await gql(DEMO.caseworker, 'mutation($i: ContactListInput!) { saveContactList(input: $i) { name } }', {
    i: { name: DIRTY, staffIds: [w.staffId[DEMO.secondCaseworker]], sharedMailboxIds: [] },
  });
  expect(list.saveContactList.name).toBe(CLEAN);
  const settings = await gql(
    DEMO.caseworker,
    'mutation($i: MailboxSettingsInput!) { updateMailboxSettings(input: $i) { signature absenceReply } }',
    {
      i: { signature: `Marita\n${DIRTY}`, absenceReply: `Borta\n${DIRTY}` },
    },
  );
  expectSafe([list, settings]);
});

test("UT1 a case document's title and text; a journal note's heading, sender designation and text", async () => {
  const doc = await gql(
    DEMO.caseworker,
    'mutation($c: ID!, $i: CaseDocumentInput!) { createCaseDocument(caseId: $c, input: $i) { title text } }',
    {
      c: tolvanCase,
      i: { title: DIRTY, text: `Rad 1\n${DIRTY}`, type: 'LETTER' },
    },
  );
  expect(doc.createCaseDocument.title).toBe(CLEAN);
  const note = await gql(
    DEMO.caseworker,
    'mutation($i: JournalNoteInput!) { writeJournalNote(input: $i) { heading senderDesignation text } }',
    {
      i: { target: { caseId: tolvanCase }, heading: DIRTY, senderDesignation: DIRTY, text: `Anteckning\n${DIRTY}` },
    },
  );
  expect(note.writeJournalNote.heading).toBe(CLEAN);
  expect(note.writeJournalNote.senderDesignation).toBe(CLEAN);
  expectSafe([doc, note]);
});

test('UT1 an address entered by staff', async () => {
  const p = await gql(
    DEMO.caseworker,
    'mutation($id: ID!, $i: ContactDetailsInput!) { updatePersonContactDetails(personId: $id, input: $i) { address { street postalCode city } } }',
    {
      id: w.personId[DEMO.tolvan],
      i: { street: `Ströms väg ${DIRTY}`, postalCode: '614 33', city: `Söderköping\u202e` },
    },
  );
  expect(p.updatePersonContactDetails.address).toEqual({
    street: `Ströms väg ${CLEAN}`,
    postalCode: '614 33',
    city: 'Söderköping',
  });
});
