import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import * as citizenOps from '../../clients/citizen/src';
import * as staffOps from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Message } from '../../src/entities/message';
import { Relation, RelationMessagingRights } from '../../src/entities/relation';
import { Staff } from '../../src/entities/staff';
import type { Api } from '../testkit/world';
import type { ApiResult } from '../testkit/api';
import { moveClockBy, restoreClock } from '../testkit/clock';
import { addCaseHolder, isoDay, key, newPersonnummer } from '../testkit/messaging';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

// M4 for relations: read-only and read-and-write relations; the relation's validTo takes effect by itself.

const doc = <T = any, V = any>(src: string) => parse(src) as unknown as TypedDocumentNode<T, V>;
const MyContacts = doc(`query { myContacts { caseId asRelation canWrite } }`);
const SenderRelation = doc(
  `query SR($id: ID!) { conversation(id: $id) { messages { id sentAsRelation senderRelation { id messagingRights types } } } }`,
);

let w: DemoWorld;
let maritaId: string;
beforeAll(async () => {
  w = await demoWorld();
  maritaId = (await w.t.em().findOneOrFail(Staff, { username: DEMO.caseworker })).id;
});
afterEach(() => restoreClock());
afterAll(() => w.close());

const as = (who: Caller) => w.as(who);
function ok<T>(r: ApiResult<T>): T {
  expect(r.errors).toEqual([]);
  return r.data as T;
}
const messageCount = () => w.t.em().count(Message, {});

/** A new case of Marita's with a relation registered and activated through the API; returns the relation and the signed-in relation. */
async function relationOnNewCase(
  rights?: RelationMessagingRights,
  validTo?: string,
): Promise<{ relationId: string; personId: string; caseId: string; relation: Api }> {
  const { caseId } = await addCaseHolder(w.t.em(), DEMO.caseworker);
  const marita = await as('caseworker');
  const pnr = newPersonnummer();
  const reg = ok(
    await marita.mutate(staffOps.RegisterRelationDocument, {
      caseId,
      input: {
        personnummer: pnr,
        givenName: 'Rut',
        familyName: 'Relation',
        types: ['APPROVED_FOR_MESSAGES'],
        validFrom: isoDay(-1),
        validTo: validTo ?? null,
        ...(rights ? { messagingRights: rights } : {}),
      },
    }),
  ).registerRelation;
  ok(
    await marita.mutate(staffOps.ActivateRelationDocument, {
      relationId: reg.id,
      input: { notifyBySms: false, notifyByEmail: true, email: 'rut@example.se' },
    }),
  );
  return { relationId: reg.id, personId: reg.person.id, caseId, relation: await w.citizen(pnr) };
}

async function maritaWritesTo(personId: string, caseId: string) {
  const [m] = ok(
    await (
      await as('caseworker')
    ).mutate(staffOps.SendMessageDocument, {
      input: {
        idempotencyKey: key(),
        to: { personIds: [personId] },
        caseId,
        subject: 'Till relationen',
        body: '<p>Hej</p>',
      },
    }),
  ).sendMessage;
  return m;
}

describe('rights are set at registration, kept or changed at activation, and changed by the caseworker', () => {
  test('existing relations read and write; a new one defaults to READ_AND_WRITE or takes READ_ONLY', async () => {
    const tolvanCase = ok(
      await (
        await as('caseworker')
      ).query(staffOps.CaseDocument, {
        id: (await w.t.em().findOneOrFail(Relation, { person: w.personId[DEMO.relation] })).case.id,
      }),
    ).case;
    expect(tolvanCase.relations.map((r) => r.messagingRights)).toEqual(['READ_AND_WRITE']);
    const rw = await relationOnNewCase();
    const ro = await relationOnNewCase(RelationMessagingRights.READ_ONLY);
    const em = w.t.em();
    expect((await em.findOneOrFail(Relation, rw.relationId)).messagingRights).toBe('READ_AND_WRITE');
    expect((await em.findOneOrFail(Relation, ro.relationId)).messagingRights).toBe('READ_ONLY');
    // Activation with rights changes them.
    const act = ok(
      await (
        await as('caseworker')
      ).mutate(staffOps.ActivateRelationDocument, {
        relationId: ro.relationId,
        input: { notifyBySms: false, notifyByEmail: false, messagingRights: 'READ_AND_WRITE' },
      }),
    );
    expect(act.activateRelation.id).toBe(ro.relationId);
    expect((await w.t.em().findOneOrFail(Relation, ro.relationId)).messagingRights).toBe('READ_AND_WRITE');
  });

  test.each([
    ['executor', 'FORBIDDEN'],
    ['admin', 'FORBIDDEN'],
    ['citizen', 'FORBIDDEN'],
    ['otherUnitCaseworker', 'NOT_FOUND'],
  ] as const)('setRelationMessagingRights as %s → %s, nothing written', async (who, code) => {
    const { relationId } = await relationOnNewCase();
    const r = await (
      await as(who)
    ).mutate(staffOps.SetRelationMessagingRightsDocument, { relationId, messagingRights: 'READ_ONLY' });
    expect(r.codes).toEqual([code]);
    expect((await w.t.em().findOneOrFail(Relation, relationId)).messagingRights).toBe('READ_AND_WRITE');
  });
});

describe('a read-only relation reads what is addressed to it and cannot send or reply', () => {
  test("reads the caseworker's message; sendMessage, replyToMessage and sending a reply draft are refused with RELATION_READ_ONLY and write nothing", async () => {
    const { personId, caseId, relation, relationId } = await relationOnNewCase(RelationMessagingRights.READ_ONLY);
    const m = await maritaWritesTo(personId, caseId); // staff still write to a read-only relation
    const conv = ok(await relation.query(citizenOps.ConversationDocument, { id: m.conversationId })).conversation;
    expect(conv.messages.map((x) => x.subject)).toEqual(['Till relationen']);
    expect(ok(await relation.query(citizenOps.MessageTargetsDocument)).messageTargets).toEqual([]);
    expect(ok(await relation.query(MyContacts)).myContacts).toEqual([{ caseId, asRelation: true, canWrite: false }]);

    const before = await messageCount();
    const send = await relation.mutate(citizenOps.SendMessageDocument, {
      input: { idempotencyKey: key(), to: { staffIds: [maritaId] }, subject: 'Fråga', body: '<p>Hej</p>' },
    });
    expect(send.codes).toEqual(['RELATION_READ_ONLY']);
    expect(send.errors[0].message).toMatch(/read messages but not write/);
    const reply = await relation.mutate(citizenOps.ReplyToMessageDocument, {
      messageId: m.id,
      input: { idempotencyKey: key(), body: '<p>Svar</p>' },
    });
    expect(reply.codes).toEqual(['RELATION_READ_ONLY']);
    const draft = ok(
      await relation.mutate(citizenOps.SaveDraftDocument, { input: { replyToMessageId: m.id, body: '<p>Utkast</p>' } }),
    ).saveDraft;
    const sendDraft = await relation.mutate(citizenOps.SendDraftDocument, { draftId: draft.id, idempotencyKey: key() });
    expect(sendDraft.codes).toEqual(['RELATION_READ_ONLY']);
    expect(await messageCount()).toBe(before);

    // The caseworker gives write rights: the reply goes, and staff see which relation wrote it.
    ok(
      await (
        await as('caseworker')
      ).mutate(staffOps.SetRelationMessagingRightsDocument, { relationId, messagingRights: 'READ_AND_WRITE' }),
    );
    expect(ok(await relation.query(MyContacts)).myContacts).toEqual([{ caseId, asRelation: true, canWrite: true }]);
    const sent = ok(
      await relation.mutate(citizenOps.ReplyToMessageDocument, {
        messageId: m.id,
        input: { idempotencyKey: key(), body: '<p>Svar</p>' },
      }),
    ).replyToMessage;
    const seen = ok(await (await as('caseworker')).query(SenderRelation, { id: m.conversationId })).conversation
      .messages;
    expect(seen).toEqual([
      { id: m.id, sentAsRelation: false, senderRelation: null },
      {
        id: sent.id,
        sentAsRelation: true,
        senderRelation: { id: relationId, messagingRights: 'READ_AND_WRITE', types: ['APPROVED_FOR_MESSAGES'] },
      },
    ]);
    // The relation sees that it wrote as a relation; the relation object is for staff.
    expect(ok(await relation.query(SenderRelation, { id: m.conversationId })).conversation.messages[1]).toEqual({
      id: sent.id,
      sentAsRelation: true,
      senderRelation: null,
    });

    // And back to read only: refused again at once.
    ok(
      await (
        await as('caseworker')
      ).mutate(staffOps.SetRelationMessagingRightsDocument, { relationId, messagingRights: 'READ_ONLY' }),
    );
    expect(
      (
        await relation.mutate(citizenOps.ReplyToMessageDocument, {
          messageId: m.id,
          input: { idempotencyKey: key(), body: '<p>Igen</p>' },
        })
      ).codes,
    ).toEqual(['RELATION_READ_ONLY']);
  });

  test("a case holder's own messages are not a relation's", async () => {
    const [m] = ok(
      await (
        await as('citizen')
      ).mutate(citizenOps.SendMessageDocument, {
        input: { idempotencyKey: key(), to: { staffIds: [maritaId] }, subject: 'Från Tolvan', body: '<p>Hej</p>' },
      }),
    ).sendMessage;
    expect(
      ok(await (await as('caseworker')).query(SenderRelation, { id: m.conversationId })).conversation.messages,
    ).toEqual([{ id: m.id, sentAsRelation: false, senderRelation: null }]);
  });
});

test('which relation wrote what is batched: the same number of statements for a conversation of 2 messages and of 6', async () => {
  const { personId, caseId, relation } = await relationOnNewCase();
  const m = await maritaWritesTo(personId, caseId);
  const marita = await as('caseworker');
  const countFor = async () => {
    w.t.sql.reset();
    ok(await marita.query(SenderRelation, { id: m.conversationId }));
    return w.t.sql.count();
  };
  let last = ok(
    await relation.mutate(citizenOps.ReplyToMessageDocument, {
      messageId: m.id,
      input: { idempotencyKey: key(), body: '<p>1</p>' },
    }),
  ).replyToMessage;
  const short = await countFor();
  for (let i = 0; i < 4; i++) {
    last = ok(
      await relation.mutate(citizenOps.ReplyToMessageDocument, {
        messageId: last.id,
        input: { idempotencyKey: key(), body: `<p>${i}</p>` },
      }),
    ).replyToMessage;
  }
  expect(
    ok(await marita.query(SenderRelation, { id: m.conversationId })).conversation.messages.filter(
      (x: { sentAsRelation: boolean }) => x.sentAsRelation,
    ),
  ).toHaveLength(5);
  expect(await countFor()).toBe(short);
});

describe('validTo takes effect by itself (the clock moves past it; no sleeping)', () => {
  test('on its last day the relation reads, writes and gets notices; the day after, none of it', async () => {
    const { personId, caseId, relation } = await relationOnNewCase(undefined, isoDay(0));
    const m = await maritaWritesTo(personId, caseId);
    const cursor = ok(await relation.query(citizenOps.NoticesSinceDocument, { cursor: null })).noticesSince.cursor;
    const answer = ok(
      await relation.mutate(citizenOps.ReplyToMessageDocument, {
        messageId: m.id,
        input: { idempotencyKey: key(), body: '<p>Svar</p>' },
      }),
    ).replyToMessage;
    ok(
      await (
        await as('caseworker')
      ).mutate(staffOps.ReplyToMessageDocument, {
        messageId: answer.id,
        input: { idempotencyKey: key(), body: '<p>Tack</p>' },
      }),
    );
    const about = (r: { noticesSince: { notices: { conversationId?: string | null }[] } }) =>
      r.noticesSince.notices.filter((n) => n.conversationId === m.conversationId);
    expect(about(ok(await relation.query(citizenOps.NoticesSinceDocument, { cursor }))).length).toBeGreaterThan(0);
    expect(ok(await relation.query(citizenOps.MessageTargetsDocument)).messageTargets.length).toBeGreaterThan(0);

    moveClockBy(1);
    const tomorrow = await w.citizen(
      (await w.t.em().findOneOrFail(Relation, { person: personId }, { populate: ['person'] })).person.personnummer,
    );
    expect((await tomorrow.query(citizenOps.ConversationDocument, { id: m.conversationId })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect(
      ok(await tomorrow.query(citizenOps.ConversationsDocument, {})).conversations.nodes.map((c) => c.id),
    ).not.toContain(m.conversationId);
    expect(about(ok(await tomorrow.query(citizenOps.NoticesSinceDocument, { cursor })))).toEqual([]);
    expect(ok(await tomorrow.query(citizenOps.MessageTargetsDocument)).messageTargets).toEqual([]);
    const before = await messageCount();
    expect(
      (
        await tomorrow.mutate(citizenOps.ReplyToMessageDocument, {
          messageId: m.id,
          input: { idempotencyKey: key(), body: '<p>Sent</p>' },
        })
      ).codes,
    ).toEqual(['RECIPIENT_NOT_ALLOWED']);
    expect(
      (
        await tomorrow.mutate(citizenOps.SendMessageDocument, {
          input: { idempotencyKey: key(), to: { staffIds: [maritaId] }, subject: 'Sent', body: '<p>x</p>' },
        })
      ).codes,
    ).toEqual(['RECIPIENT_NOT_ALLOWED']);
    // Nor does the caseworker reach them through the ended relation.
    expect(
      (
        await (
          await as('caseworker')
        ).mutate(staffOps.SendMessageDocument, {
          input: { idempotencyKey: key(), to: { personIds: [personId] }, subject: 'x', body: '<p>x</p>' },
        })
      ).codes,
    ).toEqual(['RECIPIENT_NOT_ALLOWED']);
    expect(await messageCount()).toBe(before);
  });
});
