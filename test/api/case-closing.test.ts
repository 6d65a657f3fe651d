import * as citizenOps from '../../clients/citizen/src';
import * as staffOps from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Assignment, Case, CaseStatus, Intervention } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import type { ApiResult } from '../testkit/api';
import { moveClockBy, restoreClock } from '../testkit/clock';
import { addCaseHolder, isoDay, key } from '../testkit/messaging';
import { seed } from '../testkit/seed';
import { demoWorld, type Caller, type DemoWorld } from '../testkit/world';

// R2 and M4 end with the case: closing a case and ending an assignment end the access that came through them.

let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterEach(() => restoreClock());
afterAll(() => w.close());

const as = (who: Caller) => w.as(who);
function ok<T>(r: ApiResult<T>): T {
  expect(r.errors).toEqual([]);
  return r.data as T;
}
const staffId = async (username: string) => (await w.t.em().findOneOrFail(Staff, { username })).id;

/** Marita's open case of Tolvan's, opened 30 days ago, in a unit of its own; Anna is her colleague, Bo of another unit. */
const caseToClose = () =>
  seed(w.t)
    .unit('other')
    .caseworker('marita')
    .caseworker('anna')
    .caseworker('bo', { unit: 'other' })
    .executor('per')
    .admin('siv')
    .citizen('tolvan')
    .citizen('josefine')
    .case('ek', { holder: 'tolvan', caseworker: 'marita' });

describe('closeCase', () => {
  test.each([
    ['executor', 'FORBIDDEN'],
    ['admin', 'FORBIDDEN'],
    ['citizen', 'FORBIDDEN'],
    ['otherUnitCaseworker', 'NOT_FOUND'],
  ] as const)('as %s → %s, nothing written', async (who, code) => {
    const s = await caseToClose();
    const caseId = s.case.ek.id;
    const caller = {
      executor: s.staff.per,
      admin: s.staff.siv,
      citizen: s.citizen.tolvan,
      otherUnitCaseworker: s.staff.bo,
    }[who];
    const r = await caller.api.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(0) });
    expect(r.codes).toEqual([code]);
    expect((await w.t.em().findOneOrFail(Case, caseId)).status).toBe(CaseStatus.OPEN);
  });

  test('a caseworker of the unit closes it on a day from its opening to today; a later day, an earlier one and closing twice are refused with their codes', async () => {
    const s = await caseToClose();
    const caseId = s.case.ek.id;
    const anna = s.staff.anna.api; // same unit: the case is in her caseload
    const future = await anna.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(1) });
    expect(future.codes).toEqual(['BAD_USER_INPUT']);
    expect(future.errors[0].extensions?.field).toBe('closedOn');
    const early = await anna.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(-31) });
    expect(early.codes).toEqual(['END_DATE_BEFORE_START']);
    expect(early.errors[0].message).toMatch(/opened on/);
    expect((await w.t.em().findOneOrFail(Case, caseId)).status).toBe(CaseStatus.OPEN);

    const closed = ok(await anna.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(-2) })).closeCase;
    expect(closed).toMatchObject({
      status: 'CLOSED',
      closedOn: isoDay(-2),
      closedBy: { id: s.staff.anna.id },
    });
    const again = await s.staff.marita.api.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(0) });
    expect(again.codes).toEqual(['CASE_ALREADY_CLOSED']);
    expect((await w.t.em().findOneOrFail(Case, caseId)).closedOn).toBe(isoDay(-2));
    // A closed case takes no new relations.
    const reg = await anna.mutate(staffOps.RegisterRelationDocument, {
      caseId,
      input: { personnummer: s.citizen.josefine.personnummer, types: ['APPROVED_FOR_MESSAGES'], validFrom: isoDay(0) },
    });
    expect(reg.codes).toEqual(['CASE_CLOSED']);
  });

  test('two caseworkers closing the same case at once: one closes it, the other gets CASE_ALREADY_CLOSED', async () => {
    const s = await caseToClose();
    const caseId = s.case.ek.id;
    const [a, b] = await Promise.all([
      s.staff.marita.api.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(0) }),
      s.staff.anna.api.mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(-1) }),
    ]);
    expect([...a.codes, ...b.codes]).toEqual(['CASE_ALREADY_CLOSED']);
    const c = await w.t.em().findOneOrFail(Case, caseId);
    expect(c.status).toBe(CaseStatus.CLOSED);
    expect(c.closedOn).toBe(a.errors.length ? isoDay(-1) : isoDay(0));
  });

  test("closing Tolvan's case ends at once the executor's access, Josefine's (relation) e-service for it, and journaling into it", async () => {
    const em = w.t.em();
    const tolvanId = w.personId[DEMO.tolvan];
    const ek = await em.findOneOrFail(Case, { holder: tolvanId });
    const marita = await as('caseworker');
    const per = await as('executor');
    const josefine = await w.citizen(DEMO.relation);
    const tolvan = await as('citizen');

    // Before: a message to Tolvan with the case and the intervention as journal targets; Josefine and the executor write in their conversations.
    const [toTolvan] = ok(
      await marita.mutate(staffOps.SendMessageDocument, {
        input: { idempotencyKey: key(), to: { personIds: [tolvanId] }, subject: 'Före avslut', body: '<p>Hej</p>' },
      }),
    ).sendMessage;
    const targets = ok(await marita.query(staffOps.JournalTargetsDocument, { messageId: toTolvan.id })).journalTargets;
    expect(targets.map((t) => t.kind).sort()).toEqual(['CASE', 'INTERVENTION']);
    const [fromJosefine] = ok(
      await josefine.mutate(citizenOps.SendMessageDocument, {
        input: {
          idempotencyKey: key(),
          to: { staffIds: [await staffId(DEMO.caseworker)] },
          subject: 'Från Josefine',
          body: '<p>Hej</p>',
        },
      }),
    ).sendMessage;
    const [fromPer] = ok(
      await per.mutate(staffOps.SendMessageDocument, {
        input: { idempotencyKey: key(), to: { personIds: [tolvanId] }, subject: 'Budget', body: '<p>Hej</p>' },
      }),
    ).sendMessage;
    expect(ok(await per.query(staffOps.CaseDocument, { id: ek.id })).case.id).toBe(ek.id);
    expect(
      ok(await josefine.query(citizenOps.ConversationDocument, { id: fromJosefine.conversationId })).conversation.id,
    ).toBe(fromJosefine.conversationId);
    expect(ok(await josefine.query(citizenOps.MessageTargetsDocument)).messageTargets.length).toBeGreaterThan(0);
    const cursor = ok(await josefine.query(citizenOps.NoticesSinceDocument, { cursor: null })).noticesSince.cursor;
    ok(
      await marita.mutate(staffOps.ReplyToMessageDocument, {
        messageId: fromJosefine.id,
        input: { idempotencyKey: key(), body: '<p>Svar</p>' },
      }),
    );
    expect(
      ok(await josefine.query(citizenOps.NoticesSinceDocument, { cursor })).noticesSince.notices.some(
        (n) => n.conversationId === fromJosefine.conversationId,
      ),
    ).toBe(true);

    const closed = ok(
      await marita.mutate(staffOps.CloseCaseDocument, { caseId: ek.id, closedOn: isoDay(0) }),
    ).closeCase;
    expect(closed).toMatchObject({
      status: 'CLOSED',
      closedOn: isoDay(0),
      closedBy: { id: await staffId(DEMO.caseworker) },
    });
    // What was still running ends with the case.
    expect(closed.assignments.map((a) => a.endDate)).toEqual([isoDay(0)]);
    expect(closed.interventions.map((i) => i.endDate)).toEqual([isoDay(0)]);
    const fresh = w.t.em();
    expect((await fresh.find(Assignment, { case: ek.id })).map((a) => a.endDate)).toEqual([isoDay(0)]);
    expect((await fresh.find(Intervention, { case: ek.id })).map((i) => i.endDate)).toEqual([isoDay(0)]);

    // The executor: no case, no person, no assignment, no reply.
    expect((await per.query(staffOps.CaseDocument, { id: ek.id })).codes).toEqual(['NOT_FOUND']);
    expect((await per.query(staffOps.PersonDocument, { id: tolvanId })).codes).toEqual(['NOT_FOUND']);
    expect(ok(await per.query(staffOps.MyAssignmentsDocument)).myAssignments).toEqual([]);
    const perReply = await per.mutate(staffOps.ReplyToMessageDocument, {
      messageId: fromPer.id,
      input: { idempotencyKey: key(), body: '<p>Till</p>' },
    });
    expect(perReply.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
    expect(
      (
        await per.mutate(staffOps.SendMessageDocument, {
          input: { idempotencyKey: key(), to: { personIds: [tolvanId] }, subject: 'x', body: '<p>x</p>' },
        })
      ).codes,
    ).toEqual(['RECIPIENT_NOT_ALLOWED']);

    // Josefine, a relation: the case's conversation, its notices and writing are gone.
    expect((await josefine.query(citizenOps.ConversationDocument, { id: fromJosefine.conversationId })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect(ok(await josefine.query(citizenOps.MessageTargetsDocument)).messageTargets).toEqual([]);
    const jReply = await josefine.mutate(citizenOps.ReplyToMessageDocument, {
      messageId: fromJosefine.id,
      input: { idempotencyKey: key(), body: '<p>Till</p>' },
    });
    expect(jReply.codes).toEqual(['RECIPIENT_NOT_ALLOWED']);
    expect(
      ok(await josefine.query(citizenOps.NoticesSinceDocument, { cursor })).noticesSince.notices.filter(
        (n) => n.conversationId === fromJosefine.conversationId,
      ),
    ).toEqual([]);
    // Nobody replies in it any more, the caseworker neither.
    expect(
      (
        await marita.mutate(staffOps.ReplyToMessageDocument, {
          messageId: fromJosefine.id,
          input: { idempotencyKey: key(), body: '<p>Svar</p>' },
        })
      ).codes,
    ).toEqual(['RECIPIENT_NOT_ALLOWED']);

    // Journaling: neither the case nor its intervention is a target any more.
    expect(ok(await marita.query(staffOps.JournalTargetsDocument, { messageId: toTolvan.id })).journalTargets).toEqual(
      [],
    );
    const journal = await marita.mutate(staffOps.JournalMessageDocument, {
      messageId: toTolvan.id,
      input: {
        documentType: 'OUTGOING_DOCUMENT',
        heading: 'Före avslut',
        senderKind: 'STAFF',
        target: { caseId: ek.id, interventionId: targets.find((t) => t.kind === 'INTERVENTION')!.interventionId },
      },
    });
    expect(journal.codes).toEqual(['JOURNAL_TARGET_NOT_ALLOWED']);

    // The caseworker sees the relation as no longer active.
    expect(
      ok(await marita.query(staffOps.CaseDocument, { id: ek.id })).case.relations.map((r) => r.messagingActive),
    ).toEqual([false]);

    // The holder keeps reading his own conversation.
    expect(
      ok(await tolvan.query(citizenOps.ConversationDocument, { id: toTolvan.conversationId })).conversation.id,
    ).toBe(toTolvan.conversationId);
  });
});

describe('endAssignment', () => {
  test('the caseworker ends an assignment on its last day; the day after, the executor no longer sees the person or the case (the clock moves, no sleeping)', async () => {
    const em = w.t.em();
    const { person, caseId } = await addCaseHolder(em, DEMO.caseworker);
    const a = em.create(Assignment, {
      case: caseId,
      executor: await staffId(DEMO.executor),
      description: 'Boendestöd',
      startDate: isoDay(-10),
    });
    await em.flush();

    expect(ok(await (await as('executor')).query(staffOps.PersonDocument, { id: person.id })).person.id).toBe(
      person.id,
    );
    expect(
      (await (await as('executor')).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) }))
        .codes,
    ).toEqual(['FORBIDDEN']);
    expect(
      (
        await (
          await as('otherUnitCaseworker')
        ).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) })
      ).codes,
    ).toEqual(['NOT_FOUND']);
    const early = await (
      await as('caseworker')
    ).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(-11) });
    expect(early.codes).toEqual(['END_DATE_BEFORE_START']);
    expect(early.errors[0].extensions?.field).toBe('endDate');

    expect(
      ok(
        await (
          await as('caseworker')
        ).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) }),
      ).endAssignment,
    ).toMatchObject({ id: a.id, endDate: isoDay(0), ongoing: true });
    // Today is its last day: still there.
    const per = await as('executor');
    expect(ok(await per.query(staffOps.PersonDocument, { id: person.id })).person.id).toBe(person.id);
    expect(ok(await per.query(staffOps.MyAssignmentsDocument)).myAssignments.map((x) => x.id)).toContain(a.id);

    moveClockBy(1);
    const perTomorrow = await as('executor');
    expect((await perTomorrow.query(staffOps.PersonDocument, { id: person.id })).codes).toEqual(['NOT_FOUND']);
    expect((await perTomorrow.query(staffOps.CaseDocument, { id: caseId })).codes).toEqual(['NOT_FOUND']);
    expect(ok(await perTomorrow.query(staffOps.MyAssignmentsDocument)).myAssignments.map((x) => x.id)).not.toContain(
      a.id,
    );
    expect(ok(await (await as('caseworker')).query(staffOps.CaseDocument, { id: caseId })).case.assignments).toEqual([
      expect.objectContaining({ id: a.id, ongoing: false }),
    ]);
    const again = await (
      await as('caseworker')
    ).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) });
    expect(again.codes).toEqual(['ASSIGNMENT_ALREADY_ENDED']);
    restoreClock();

    // Back on today's clock it is still its last day.
    expect(ok(await (await as('executor')).query(staffOps.PersonDocument, { id: person.id })).person.id).toBe(
      person.id,
    );
  });

  test('an assignment in a closed case cannot be ended (closing ended it): CASE_CLOSED', async () => {
    const em = w.t.em();
    const { caseId } = await addCaseHolder(em, DEMO.caseworker);
    const a = em.create(Assignment, {
      case: caseId,
      executor: await staffId(DEMO.executor),
      description: 'Stöd',
      startDate: isoDay(-5),
    });
    await em.flush();
    ok(await (await as('caseworker')).mutate(staffOps.CloseCaseDocument, { caseId, closedOn: isoDay(0) }));
    expect(
      (
        await (
          await as('caseworker')
        ).mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) })
      ).codes,
    ).toEqual(['CASE_CLOSED']);
  });
});
