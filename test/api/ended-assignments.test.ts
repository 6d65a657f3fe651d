import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import * as staffOps from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { AccessLogEntry } from '../../src/entities/access-log-entry';
import { Assignment, Intervention } from '../../src/entities/case';
import { Staff } from '../../src/entities/staff';
import type { ApiResult } from '../testkit/api';
import { moveClockBy, restoreClock } from '../testkit/clock';
import { addCaseHolder, isoDay } from '../testkit/messaging';
import { demoWorld, type DemoWorld } from '../testkit/world';

// R2 after an assignment ends ("Uppdrag IFO — include ended ones on request"): myAssignments(includeEnded: true)
// lists ended assignments with their own fields only; the access they gave stays ended.

let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterEach(() => restoreClock());
afterAll(() => w.close());

function ok<T>(r: ApiResult<T>): T {
  expect(r.errors).toEqual([]);
  return r.data as T;
}
const doc = (text: string) => parse(text) as TypedDocumentNode<any, Record<string, unknown>>;

describe('myAssignments(includeEnded)', () => {
  test('ended by its end date and by closing the case: listed with description, dates and ongoing: false only; case, person, intervention and documents stay out of reach; their persons are not logged', async () => {
    const em = w.t.em();
    const per = await em.findOneOrFail(Staff, { username: DEMO.executor });
    const ended = await addCaseHolder(em, DEMO.caseworker);
    const closing = await addCaseHolder(em, DEMO.caseworker);
    const running = await addCaseHolder(em, DEMO.caseworker);
    const insats = em.create(Intervention, {
      case: ended.caseId,
      code: 'BS',
      name: 'Boendestöd',
      startDate: isoDay(-20),
    });
    const a = em.create(Assignment, {
      case: ended.caseId,
      intervention: insats,
      executor: per,
      description: 'Boendestöd hemma',
      startDate: isoDay(-10),
    });
    const b = em.create(Assignment, {
      case: closing.caseId,
      executor: per,
      description: 'Budgetrådgivning, avslutat ärende',
      startDate: isoDay(-8),
    });
    const c = em.create(Assignment, {
      case: running.caseId,
      executor: per,
      description: 'Stödsamtal',
      startDate: isoDay(-5),
    });
    const future = em.create(Assignment, {
      case: running.caseId,
      executor: per,
      description: 'Börjar senare',
      startDate: isoDay(5),
    });
    await em.flush();

    // While A runs, Per writes a document in it.
    const perToday = await w.as('executor');
    const written = ok(
      await perToday.mutate(staffOps.CreateCaseDocumentDocument, {
        caseId: ended.caseId,
        input: { title: 'Anteckning', type: 'DOCUMENT', text: 'Hembesök.', assignmentId: a.id },
      }),
    ).createCaseDocument;
    // Marita ends A today (its last day) and closes B's case today.
    const marita = await w.as('caseworker');
    ok(await marita.mutate(staffOps.EndAssignmentDocument, { assignmentId: a.id, endDate: isoDay(0) }));
    ok(await marita.mutate(staffOps.CloseCaseDocument, { caseId: closing.caseId, closedOn: isoDay(0) }));
    // Closing ends at once: B is listed as ended already today, A still runs on its last day.
    const todayList = ok(await perToday.query(staffOps.UppdragIfoListDocument, { includeEnded: true })).myAssignments;
    expect(todayList.find((x) => x.id === b.id)).toMatchObject({ ongoing: false, accessibleCase: null });
    expect(todayList.find((x) => x.id === a.id)).toMatchObject({ ongoing: true, accessibleCase: { id: ended.caseId } });

    const [day0, aStart, bStart] = [isoDay(0), isoDay(-10), isoDay(-8)];
    moveClockBy(1);
    const perTomorrow = await w.as('executor');
    const mine = [a.id, b.id, c.id, future.id];

    // Without the argument (and with false): ongoing ones only, as before.
    for (const vars of [{}, { includeEnded: false }, { includeEnded: null }]) {
      const list = ok(await perTomorrow.query(staffOps.UppdragIfoListDocument, vars)).myAssignments;
      expect(list.filter((x) => mine.includes(x.id)).map((x) => x.id)).toEqual([c.id]);
    }
    expect(
      ok(await perTomorrow.query(staffOps.MyAssignmentsDocument))
        .myAssignments.filter((x) => mine.includes(x.id))
        .map((x) => x.id),
    ).toEqual([c.id]);

    // With includeEnded: the ended ones too (oldest start first), not one that has not started.
    const logBefore = new Set((await w.t.em().find(AccessLogEntry, {})).map((e) => e.id));
    const list = ok(
      await perTomorrow.query(staffOps.UppdragIfoListDocument, { includeEnded: true }),
    ).myAssignments.filter((x) => mine.includes(x.id));
    expect(list).toEqual([
      {
        id: a.id,
        description: 'Boendestöd hemma',
        startDate: aStart,
        endDate: day0,
        ongoing: false,
        documents: [],
        intervention: null,
        accessibleCase: null,
      },
      {
        id: b.id,
        description: 'Budgetrådgivning, avslutat ärende',
        startDate: bStart,
        endDate: day0,
        ongoing: false,
        documents: [],
        intervention: null,
        accessibleCase: null,
      },
      expect.objectContaining({
        id: c.id,
        ongoing: true,
        endDate: null,
        accessibleCase: expect.objectContaining({
          id: running.caseId,
          holder: expect.objectContaining({ id: running.person.id }),
        }),
      }),
    ]);
    // Only the ongoing assignment's person is logged as listed.
    const logged = (await w.t.em().find(AccessLogEntry, {}, { populate: ['person', 'actor'] })).filter(
      (e) => !logBefore.has(e.id) && e.actor.id === per.id,
    );
    const loggedPersons = logged.map((e) => e.person.id);
    expect(loggedPersons).toContain(running.person.id);
    expect(loggedPersons).not.toContain(ended.person.id);
    expect(loggedPersons).not.toContain(closing.person.id);

    // The non-null edge is refused exactly as before (NOT_FOUND), so it is no way around.
    const viaCase = await perTomorrow.query(
      doc('query($e: Boolean) { myAssignments(includeEnded: $e) { id case { id holder { id name } } } }'),
      { e: true },
    );
    expect(viaCase.codes).toContain('NOT_FOUND');
    expect(viaCase.data).toBeUndefined();
    // Nor through the roots: the case, the person, the assignment's documents, the document written in it.
    expect((await perTomorrow.query(staffOps.CaseDocument, { id: ended.caseId })).codes).toEqual(['NOT_FOUND']);
    expect((await perTomorrow.query(staffOps.CaseDocument, { id: closing.caseId })).codes).toEqual(['NOT_FOUND']);
    expect((await perTomorrow.query(staffOps.PersonDocument, { id: ended.person.id })).codes).toEqual(['NOT_FOUND']);
    expect((await perTomorrow.query(staffOps.PersonDocument, { id: closing.person.id })).codes).toEqual(['NOT_FOUND']);
    expect((await perTomorrow.query(staffOps.AssignmentDocumentsDocument, { assignmentId: a.id })).codes).toEqual([
      'NOT_FOUND',
    ]);
    expect((await perTomorrow.query(staffOps.CaseDocumentDocument, { id: written.id })).codes).toEqual(['NOT_FOUND']);

    // The caseworker still sees the assignment with its case and intervention.
    const seen = ok(
      await (
        await w.as('caseworker')
      ).query(
        doc(
          'query($id: ID!) { case(id: $id) { assignments { id ongoing intervention { id } accessibleCase { id } } } }',
        ),
        { id: ended.caseId },
      ),
    );
    expect(seen.case.assignments).toEqual([
      { id: a.id, ongoing: false, intervention: { id: insats.id }, accessibleCase: { id: ended.caseId } },
    ]);
  });

  test('the list is batched: the same number of SQL statements with 2 ended and 2 ongoing assignments as with 6 of each (cases, interventions, documents)', async () => {
    const em = w.t.em();
    const per = await em.findOneOrFail(Staff, { username: DEMO.executor });
    const add = async (n: number) => {
      for (let i = 0; i < n; i++) {
        for (const endDate of [isoDay(-1), null]) {
          const { caseId } = await addCaseHolder(em, DEMO.caseworker);
          const insats = em.create(Intervention, {
            case: caseId,
            code: 'BS',
            name: 'Boendestöd',
            startDate: isoDay(-20),
          });
          em.create(Assignment, {
            case: caseId,
            intervention: insats,
            executor: per,
            description: `Batch ${i}`,
            startDate: isoDay(-10),
            endDate,
          });
        }
      }
      await em.flush();
    };
    const count = async () => {
      const caller = await w.as('executor');
      w.t.sql.reset();
      const list = ok(await caller.query(staffOps.UppdragIfoListDocument, { includeEnded: true })).myAssignments;
      return { statements: w.t.sql.count(), ended: list.filter((a) => !a.ongoing).length };
    };
    await add(2);
    const small = await count();
    await add(4);
    const large = await count();
    expect(large.ended).toBe(small.ended + 4);
    expect(small.statements).toBeGreaterThan(2);
    expect(large.statements).toBe(small.statements);
  });

  test.each(['caseworker', 'admin', 'citizen'] as const)('as %s → FORBIDDEN (executors only)', async (who) => {
    expect((await (await w.as(who)).query(staffOps.UppdragIfoListDocument, { includeEnded: true })).codes).toEqual([
      'FORBIDDEN',
    ]);
  });
});
