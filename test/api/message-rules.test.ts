import * as citizen from '../../clients/citizen/src';
import {
  ConversationDocument,
  ConversationsDocument,
  ReplyToMessageDocument,
  SendMessageDocument,
  SetEServiceDocument,
  type AddresseesInput,
} from '../../clients/staff/src';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Case, CaseStatus } from '../../src/entities/case';
import { Conversation } from '../../src/entities/conversation';
import { Message, MessageRecipient, SendRequest } from '../../src/entities/message';
import { Person } from '../../src/entities/person';
import { Relation } from '../../src/entities/relation';
import { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { apiAs } from '../testkit/api';
import { download, makePdf, upload } from '../testkit/files';
import { addCaseHolder, addRelation, isoDay, key } from '../testkit/messaging';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
let base: string;
const person: Record<string, string> = {};
const staff: Record<string, string> = {};
let mailboxId: string;
let tolvansCase: string;

beforeAll(async () => {
  t = await startTestServer();
  base = t.url.replace(/\/graphql$/, '');
  await seedDemoData(t.em());
  for (const p of await t.em().find(Person, {})) person[p.personnummer] = p.id;
  for (const s of await t.em().find(Staff, {})) staff[s.username] = s.id;
  mailboxId = (await t.em().findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' })).id;
  tolvansCase = (await t.em().findOneOrFail(Case, { holder: person[DEMO.tolvan] })).id;
});
afterAll(() => t.close());

const asStaff = async (username: string) => apiAs(t, await t.token.staff(username));
const asCitizen = async (pnr: string) => apiAs(t, await t.token.citizen(pnr));

async function staffSend(
  username: string,
  to: AddresseesInput,
  extra: { readReceiptRequested?: boolean; attachmentIds?: string[]; subject?: string } = {},
) {
  const api = await asStaff(username);
  return api.mutate(SendMessageDocument, {
    input: {
      idempotencyKey: key(),
      to,
      subject: extra.subject ?? 'Angående ditt ärende',
      body: '<p>Hej!</p>',
      ...extra,
    },
  });
}
async function citizenSend(pnr: string, to: citizen.AddresseesInput) {
  const api = await asCitizen(pnr);
  return api.mutate(citizen.SendMessageDocument, {
    input: { idempotencyKey: key(), to, subject: 'Fråga', body: '<p>Hej!</p>' },
  });
}

/** Rows a send writes: a refused send must leave every one of them as it was. */
async function written() {
  const e = t.em();
  return {
    conversations: await e.count(Conversation, {}),
    messages: await e.count(Message, {}),
    recipients: await e.count(MessageRecipient, {}),
    sendRequests: await e.count(SendRequest, {}),
  };
}

async function expectRefusedWritingNothing(send: () => Promise<{ codes: string[] }>, code: string) {
  const before = await written();
  const result = await send();
  expect(result.codes).toEqual([code]);
  expect(await written()).toEqual(before);
}

describe('who may write to whom: staff senders (M1, M2, M3, M5)', () => {
  type Row = [string, string, () => Promise<AddresseesInput>, string | null];
  const pid = (pnr: string) => async () => ({ personIds: [person[pnr]] });
  const rows: Row[] = [
    [
      'M1 a caseworker writes to the holder of an ongoing case in their caseload',
      DEMO.caseworker,
      pid(DEMO.tolvan),
      null,
    ],
    [
      "M1 a caseworker writes to the holder of a case in their unit's caseload",
      DEMO.secondCaseworker,
      pid(DEMO.tolvan),
      null,
    ],
    ['M1 a caseworker writes to an activated relation inside its validity', DEMO.caseworker, pid(DEMO.relation), null],
    [
      'M1 a relation whose validity ended (validTo in the past) is refused',
      DEMO.caseworker,
      async () => ({
        personIds: [(await addRelation(t.em(), tolvansCase, { validFrom: isoDay(-60), validTo: isoDay(-1) })).id],
      }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M1 a relation not yet valid (validFrom in the future) is refused',
      DEMO.caseworker,
      async () => ({ personIds: [(await addRelation(t.em(), tolvansCase, { validFrom: isoDay(1) })).id] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M5 a relation approved for messages but not activated is refused with RECIPIENT_NOT_ACTIVATED (activate the relation first)',
      DEMO.caseworker,
      async () => ({ personIds: [(await addRelation(t.em(), tolvansCase, { activated: false })).id] }),
      'RECIPIENT_NOT_ACTIVATED',
    ],
    [
      'M2 an executor writing to a relation not activated is still refused as not allowed (nothing told about it)',
      DEMO.executor,
      async () => ({ personIds: [(await addRelation(t.em(), tolvansCase, { activated: false })).id] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      "M1 a person of another unit's caseload is refused (not told whether they have the e-service)",
      DEMO.caseworker,
      pid(DEMO.otherUnitPerson),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M1 the holder of a closed case is refused',
      DEMO.caseworker,
      async () => ({
        personIds: [(await addCaseHolder(t.em(), DEMO.caseworker, { status: CaseStatus.CLOSED })).person.id],
      }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M1 an id that does not exist is refused the same way',
      DEMO.caseworker,
      async () => ({ personIds: ['5d7e0a52-3c7f-4c1e-9a55-0a1b2c3d4e5f'] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    ['M2 an executor writes to the holder they hold an assignment for', DEMO.executor, pid(DEMO.tolvan), null],
    [
      'M2 an executor may not write to a relation on that case',
      DEMO.executor,
      pid(DEMO.relation),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M2 an executor may not write to a person they hold no assignment for',
      DEMO.executor,
      pid(DEMO.protectedPerson),
      'RECIPIENT_NOT_ALLOWED',
    ],
    ['M3 an executor writes to staff', DEMO.executor, async () => ({ staffIds: [staff[DEMO.caseworker]] }), null],
    [
      'M3 a caseworker writes to staff of another unit and to a shared mailbox',
      DEMO.caseworker,
      async () => ({ staffIds: [staff[DEMO.otherUnitCaseworker]], sharedMailboxIds: [mailboxId] }),
      null,
    ],
    [
      'M5 a case holder without the e-service is refused with RECIPIENT_NOT_ACTIVATED',
      DEMO.secondCaseworker,
      pid(DEMO.protectedPerson),
      'RECIPIENT_NOT_ACTIVATED',
    ],
    ['M5 the same for a colleague in the unit', DEMO.caseworker, pid(DEMO.protectedPerson), 'RECIPIENT_NOT_ACTIVATED'],
    [
      'M5 an activated relation whose person has the e-service off is refused with RECIPIENT_NOT_ACTIVATED',
      DEMO.caseworker,
      async () => ({ personIds: [(await addRelation(t.em(), tolvansCase, { messagingEnabled: false })).id] }),
      'RECIPIENT_NOT_ACTIVATED',
    ],
    [
      'M1 one refused person refuses the whole send, also to the allowed ones',
      DEMO.caseworker,
      async () => ({ personIds: [person[DEMO.tolvan], person[DEMO.otherUnitPerson]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
  ];

  test.each(rows)('%s', async (_name, sender, to, code) => {
    const addressees = await to();
    if (code === null) {
      const before = await written();
      const sent = await staffSend(sender, addressees);
      expect(sent.codes).toEqual([]);
      expect(sent.data!.sendMessage).toHaveLength(1);
      expect((await written()).messages).toBe(before.messages + 1);
    } else {
      await expectRefusedWritingNothing(() => staffSend(sender, addressees), code);
    }
  });
});

describe('who may write to whom: citizen senders (M4, M5)', () => {
  type Row = [string, string, () => Promise<citizen.AddresseesInput>, string | null];
  const rows: Row[] = [
    [
      'M4 a citizen writes to the caseworker of their ongoing case',
      DEMO.tolvan,
      async () => ({ staffIds: [staff[DEMO.caseworker]] }),
      null,
    ],
    [
      'M4 a citizen writes to the executor of their case',
      DEMO.tolvan,
      async () => ({ staffIds: [staff[DEMO.executor]] }),
      null,
    ],
    [
      "M4 a citizen writes to their unit's shared mailbox",
      DEMO.tolvan,
      async () => ({ sharedMailboxIds: [mailboxId] }),
      null,
    ],
    [
      'M4 an activated relation writes to the caseworker of the case',
      DEMO.relation,
      async () => ({ staffIds: [staff[DEMO.caseworker]] }),
      null,
    ],
    [
      'M4 a citizen may not write to a colleague of their caseworker',
      DEMO.tolvan,
      async () => ({ staffIds: [staff[DEMO.secondCaseworker]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M4 a citizen may not write to unrelated staff of another unit',
      DEMO.tolvan,
      async () => ({ staffIds: [staff[DEMO.otherUnitCaseworker]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M4 one unrelated staff member refuses the whole send',
      DEMO.tolvan,
      async () => ({ staffIds: [staff[DEMO.caseworker], staff[DEMO.otherUnitCaseworker]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M4 citizens cannot address persons',
      DEMO.tolvan,
      async () => ({ personIds: [person[DEMO.relation]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      "M4 a relation outside its validity may not write to the case's caseworker",
      '',
      async () => ({ staffIds: [staff[DEMO.caseworker]] }),
      'RECIPIENT_NOT_ALLOWED',
    ],
    [
      'M5 a citizen without the e-service cannot send',
      DEMO.protectedPerson,
      async () => ({ staffIds: [staff[DEMO.secondCaseworker]] }),
      'E_SERVICE_NOT_ACTIVATED',
    ],
  ];

  test.each(rows)('%s', async (_name, senderPnr, to, code) => {
    const pnr =
      senderPnr ||
      (await addRelation(t.em(), tolvansCase, { validFrom: isoDay(-60), validTo: isoDay(-1) })).personnummer;
    const addressees = await to();
    if (code === null) {
      const sent = await citizenSend(pnr, addressees);
      expect(sent.codes).toEqual([]);
      expect(sent.data!.sendMessage).toHaveLength(1);
    } else {
      await expectRefusedWritingNothing(() => citizenSend(pnr, addressees), code);
    }
  });
});

test('M5 a person whose e-service is turned off can no longer be written to, nor replied to, nor write', async () => {
  const { person: x } = await addCaseHolder(t.em(), DEMO.caseworker, { givenName: 'Avstängd' });
  const marita = await asStaff(DEMO.caseworker);
  const sent = await staffSend(DEMO.caseworker, { personIds: [x.id] });
  expect(sent.codes).toEqual([]);
  const message = sent.data!.sendMessage[0];
  const xApi = await asCitizen(x.personnummer);
  const answer = await xApi.mutate(citizen.ReplyToMessageDocument, {
    messageId: message.id,
    input: { idempotencyKey: key(), body: 'Tack' },
  });
  expect(answer.codes).toEqual([]);

  const off = await marita.mutate(SetEServiceDocument, {
    personId: x.id,
    input: { messagingEnabled: false, notifyBySms: false, notifyByEmail: false },
  });
  expect(off.codes).toEqual([]);

  await expectRefusedWritingNothing(() => staffSend(DEMO.caseworker, { personIds: [x.id] }), 'RECIPIENT_NOT_ACTIVATED');
  await expectRefusedWritingNothing(
    () =>
      marita.mutate(ReplyToMessageDocument, {
        messageId: answer.data!.replyToMessage.id,
        input: { idempotencyKey: key(), body: 'Svar' },
      }),
    'RECIPIENT_NOT_ACTIVATED',
  );
  await expectRefusedWritingNothing(
    () =>
      xApi.mutate(citizen.ReplyToMessageDocument, {
        messageId: message.id,
        input: { idempotencyKey: key(), body: 'Igen' },
      }),
    'E_SERVICE_NOT_ACTIVATED',
  );
  await expectRefusedWritingNothing(
    () => citizenSend(x.personnummer, { staffIds: [staff[DEMO.caseworker]] }),
    'E_SERVICE_NOT_ACTIVATED',
  );
});

describe("M6 another citizen's conversation answers NOT_FOUND exactly like an id that does not exist", () => {
  const randomId = '0b9c2f4e-8d1a-4e6b-9f3c-2a7d5e1c4b80';
  let messageId: string;
  let conversationId: string;
  let downloadUrl: string;

  beforeAll(async () => {
    const token = await t.token.staff(DEMO.caseworker);
    const up = await upload(base, token, await makePdf('Beslut'), 'Beslut.pdf');
    expect(up.status).toBe(201);
    const sent = await staffSend(
      DEMO.caseworker,
      { personIds: [person[DEMO.tolvan]] },
      { attachmentIds: [up.body.id], subject: 'Privat' },
    );
    expect(sent.codes).toEqual([]);
    messageId = sent.data!.sendMessage[0].id;
    conversationId = sent.data!.sendMessage[0].conversationId;
    downloadUrl = sent.data!.sendMessage[0].attachments[0].downloadUrl;
  });

  const strangers = [
    [
      'another citizen (the relation on the same case)',
      () => asCitizen(DEMO.relation),
      () => t.token.citizen(DEMO.relation),
    ],
    [
      'a caseworker of another unit',
      () => asStaff(DEMO.otherUnitCaseworker),
      () => t.token.staff(DEMO.otherUnitCaseworker),
    ],
  ] as const;

  test.each(strangers)('M6 conversation: %s', async (_who, api) => {
    const a = await api();
    const theirs = await a.query(citizen.ConversationDocument, { id: conversationId });
    const none = await a.query(citizen.ConversationDocument, { id: randomId });
    expect(theirs.codes).toEqual(['NOT_FOUND']);
    expect(theirs.errors[0].message).toBe(none.errors[0].message);
    expect(theirs.data?.conversation ?? null).toBeNull();
  });

  test.each(strangers)('M6 markMessageRead: %s', async (_who, api) => {
    const a = await api();
    const theirs = await a.mutate(citizen.MarkMessageReadDocument, { messageId });
    const none = await a.mutate(citizen.MarkMessageReadDocument, { messageId: randomId });
    expect(theirs.codes).toEqual(['NOT_FOUND']);
    expect(theirs.errors[0].message).toBe(none.errors[0].message);
    const r = await t.em().findOneOrFail(MessageRecipient, { message: messageId, person: person[DEMO.tolvan] });
    expect(r.readAt ?? null).toBeNull();
  });

  test.each(strangers)('M6 replyToMessage: %s, and nothing is written', async (_who, api) => {
    const a = await api();
    const before = await written();
    const theirs = await a.mutate(citizen.ReplyToMessageDocument, {
      messageId,
      input: { idempotencyKey: key(), body: 'Inkräktare' },
    });
    const none = await a.mutate(citizen.ReplyToMessageDocument, {
      messageId: randomId,
      input: { idempotencyKey: key(), body: 'Inkräktare' },
    });
    expect(theirs.codes).toEqual(['NOT_FOUND']);
    expect(theirs.errors[0].message).toBe(none.errors[0].message);
    expect(await written()).toEqual(before);
  });

  test.each(strangers)('M6 attachment download: %s', async (_who, _api, token) => {
    const tok = await token();
    const theirs = await download(base, tok, downloadUrl);
    const none = await download(base, tok, `/attachments/${randomId}`);
    expect(theirs.status).toBe(404);
    expect(none.status).toBe(404);
    expect(JSON.parse(theirs.bytes.toString()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect(JSON.parse(theirs.bytes.toString()).errors[0].message).toBe(
      JSON.parse(none.bytes.toString()).errors[0].message,
    );
  });

  test('M6 the participants themselves do see it', async () => {
    const tolvan = await asCitizen(DEMO.tolvan);
    expect((await tolvan.query(citizen.ConversationDocument, { id: conversationId })).codes).toEqual([]);
    const marita = await asStaff(DEMO.caseworker);
    expect((await marita.query(ConversationDocument, { id: conversationId })).codes).toEqual([]);
  });
});

describe('several citizens at once: one conversation per citizen', () => {
  test('one send to two citizens creates two conversations; neither citizen sees the other or their reply', async () => {
    const marita = await asStaff(DEMO.caseworker);
    const sent = await marita.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { personIds: [person[DEMO.tolvan], person[DEMO.relation]] },
        subject: 'Information till er båda',
        body: '<p>Hej båda.</p>',
      },
    });
    expect(sent.codes).toEqual([]);
    const [toTolvan, toJosefine] = sent.data!.sendMessage;
    expect(toTolvan.conversationId).not.toBe(toJosefine.conversationId);
    expect(toTolvan.recipients.map((r) => r.id)).toEqual([person[DEMO.tolvan]]);
    expect(toJosefine.recipients.map((r) => r.id)).toEqual([person[DEMO.relation]]);

    const tolvan = await asCitizen(DEMO.tolvan);
    const josefine = await asCitizen(DEMO.relation);
    const reply = await tolvan.mutate(citizen.ReplyToMessageDocument, {
      messageId: toTolvan.id,
      input: { idempotencyKey: key(), body: 'Svar från Tolvan' },
    });
    expect(reply.codes).toEqual([]);
    expect(reply.data!.replyToMessage.recipients.map((r) => r.id)).toEqual([staff[DEMO.caseworker]]);

    const tolvanView = await tolvan.query(citizen.ConversationDocument, { id: toTolvan.conversationId });
    expect(tolvanView.data!.conversation.participants.map((p) => p.id).sort()).toEqual(
      [person[DEMO.tolvan], staff[DEMO.caseworker]].sort(),
    );
    const josefineView = await josefine.query(citizen.ConversationDocument, { id: toJosefine.conversationId });
    expect(josefineView.data!.conversation.participants.map((p) => p.id).sort()).toEqual(
      [person[DEMO.relation], staff[DEMO.caseworker]].sort(),
    );
    expect(josefineView.data!.conversation.messages.map((m) => m.bodyText)).toEqual(['Hej båda.']);
    expect((await josefine.query(citizen.ConversationDocument, { id: toTolvan.conversationId })).codes).toEqual([
      'NOT_FOUND',
    ]);

    const josefineList = await josefine.query(citizen.ConversationsDocument, { first: 100 });
    const everything = JSON.stringify([josefineView.data, josefineList.data]);
    expect(everything).toContain('Josefine');
    expect(everything).not.toContain(person[DEMO.tolvan]);
    expect(everything).not.toContain('Tolvan');
    expect(everything).not.toContain('Svar från Tolvan');

    // Marita sees both threads, each with its own citizen.
    const list = await marita.query(ConversationsDocument, { first: 100 });
    const mine = list.data!.conversations.nodes.filter((c) =>
      [toTolvan.conversationId, toJosefine.conversationId].includes(c.id),
    );
    expect(mine.map((c) => c.citizen!.id).sort()).toEqual([person[DEMO.tolvan], person[DEMO.relation]].sort());
  });

  test("a co-recipient never sees another's contact details, and a protected person's name never reaches another citizen", async () => {
    const secret = { mobile: '+46761112233', email: 'hemlig.person@example.se', street: 'Gömd väg 7' };
    const open = { mobile: '+46762223344', email: 'oppen.person@example.se', street: 'Öppen gata 9' };
    const hidden = await addCaseHolder(t.em(), DEMO.secondCaseworker, {
      givenName: 'Hemliga',
      familyName: 'Skyddsdottir',
      protectedIdentity: true,
      ...secret,
    });
    const other = await addCaseHolder(t.em(), DEMO.secondCaseworker, {
      givenName: 'Öppna',
      familyName: 'Medmottagare',
      ...open,
    });
    const anna = await asStaff(DEMO.secondCaseworker);
    const sent = await anna.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { personIds: [hidden.person.id, other.person.id], staffIds: [staff[DEMO.caseworker]] },
        subject: 'Kallelse',
        body: '<p>Välkomna.</p>',
        readReceiptRequested: true,
      },
    });
    expect(sent.codes).toEqual([]);
    const [toHidden, toOther] = sent.data!.sendMessage;

    const hiddenApi = await asCitizen(hidden.person.personnummer);
    expect((await hiddenApi.mutate(citizen.MarkMessageReadDocument, { messageId: toHidden.id })).codes).toEqual([]);
    expect(
      (
        await hiddenApi.mutate(citizen.ReplyToMessageDocument, {
          messageId: toHidden.id,
          input: { idempotencyKey: key(), body: 'Jag kommer.' },
        })
      ).codes,
    ).toEqual([]);

    const otherApi = await asCitizen(other.person.personnummer);
    const views = [
      await otherApi.query(citizen.ConversationsDocument, { first: 100 }),
      await otherApi.query(citizen.ConversationDocument, { id: toOther.conversationId }),
      await otherApi.query(citizen.MessageTargetsDocument, {}),
      await otherApi.query(citizen.MailboxesDocument, {}),
    ];
    for (const v of views) expect(v.codes).toEqual([]);
    const seenByOther = JSON.stringify(views.map((v) => v.data));
    expect(seenByOther).toContain('Öppna Medmottagare'); // the check below can see names when they are there
    for (const leak of [
      hidden.person.id,
      hidden.person.personnummer,
      'Hemliga',
      'Skyddsdottir',
      'Jag kommer',
      ...Object.values(secret),
    ]) {
      expect(seenByOther).not.toContain(leak);
    }

    const hiddenViews = [
      await hiddenApi.query(citizen.ConversationsDocument, { first: 100 }),
      await hiddenApi.query(citizen.ConversationDocument, { id: toHidden.conversationId }),
    ];
    const seenByHidden = JSON.stringify(hiddenViews.map((v) => v.data));
    expect(seenByHidden).toContain('Hemliga Skyddsdottir');
    for (const leak of [other.person.id, other.person.personnummer, 'Öppna', 'Medmottagare', ...Object.values(open)]) {
      expect(seenByHidden).not.toContain(leak);
    }
    // Nobody's contact details travel in a conversation, not even one's own.
    expect(seenByHidden).not.toContain(secret.mobile);
    expect(seenByHidden).not.toContain(secret.email);
  });
});

describe('M1/M4 a relation whose validity has ended is out of its conversations too', () => {
  test("M1 neither the caseworker nor the former relation can reply once the relation's validity has ended", async () => {
    const rel = await addRelation(t.em(), tolvansCase, { validFrom: isoDay(-60) });
    const sent = await staffSend(DEMO.caseworker, { personIds: [rel.id] });
    expect(sent.codes).toEqual([]);
    const message = sent.data!.sendMessage[0];
    const relApi = await asCitizen(rel.personnummer);
    const answer = await relApi.mutate(citizen.ReplyToMessageDocument, {
      messageId: message.id,
      input: { idempotencyKey: key(), body: 'Tack' },
    });
    expect(answer.codes).toEqual([]);

    const e = t.em();
    const relation = await e.findOneOrFail(Relation, { person: rel.id });
    relation.validTo = isoDay(-1);
    await e.flush();

    const marita = await asStaff(DEMO.caseworker);
    await expectRefusedWritingNothing(
      () =>
        marita.mutate(ReplyToMessageDocument, {
          messageId: answer.data!.replyToMessage.id,
          input: { idempotencyKey: key(), body: 'Om ärendet' },
        }),
      'RECIPIENT_NOT_ALLOWED',
    );
    await expectRefusedWritingNothing(
      () =>
        relApi.mutate(citizen.ReplyToMessageDocument, {
          messageId: message.id,
          input: { idempotencyKey: key(), body: 'Igen' },
        }),
      'RECIPIENT_NOT_ALLOWED',
    );
  });
});
