import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { Assignment, Case, CaseStatus } from '../entities/case';
import { CaseDocument } from '../entities/case-document';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { findAssignmentWhere, findCaseWhere } from '../stores/case.store';
import { findReadableDocument } from '../stores/case-document.store';
import { staffVisibleCases } from './access-policy';
import { isId } from './ids';
import { caseload, ongoingAssignment } from './rules';
import { raw, sql, uuid, type Sql } from './sql';
import { singleLineText } from './text';
import { todayInSweden } from './time';

// CD1 of case-document.service.ts (who works on which documents, and where new ones go), written once for every
// case-document operation, with the checks and refusals they share.

export const MAX_TITLE_CHARS = 200;

export function cleanTitle(title: string, field = 'title'): string {
  const t = singleLineText(title);
  if (!t) throw badInput(field, 'Write a title (rubrik).');
  if (t.length > MAX_TITLE_CHARS) throw badInput(field, `Keep the title under ${MAX_TITLE_CHARS} characters.`);
  return t;
}

export const notLocked = () =>
  new AppError(
    ErrorCode.CASE_DOCUMENT_NOT_LOCKED,
    'Lock (write-protect) the document first: only a locked document is made into a PDF and sent.',
  );

const noSuchAssignment = () =>
  new AppError(
    ErrorCode.NOT_FOUND,
    'No ongoing assignment of yours with that id in this case. Choose one of your assignments (myAssignments).',
    { field: 'assignmentId' },
  );

/** CD1 as SQL: the assignments (alias) an executor works in today, ongoing and in a case they may open. */
function executorsOngoingAssignments(viewer: StaffViewer, today: string, alias = 'a'): Sql {
  const a = raw(alias);
  return sql`(${a}.executor_id = ${uuid(viewer.staff.id)} and ${ongoingAssignment.sql(today, alias)}
    and ${a}.case_id in (${staffVisibleCases(viewer, today)}))`;
}

/**
 * CD1 as SQL: the case documents (alias) a staff member may read and work on.
 * The one place the rule is written; the queries, the edges and the PDF
 * download all use it.
 */
export function readableCaseDocuments(viewer: StaffViewer, alias = 'd', today = todayInSweden()): Sql {
  const d = raw(alias);
  if (viewer.role === StaffRole.CASEWORKER)
    return sql`${d}.case_id in (select c.id from case_file c where ${caseload.sql(viewer, 'c')})`;
  if (viewer.role === StaffRole.EXECUTOR) {
    return sql`${d}.assignment_id in (select a.id from assignment a where ${executorsOngoingAssignments(viewer, today, 'a')})`;
  }
  return sql`false`;
}

/** A document the caller may read (CD1), with its case; NOT_FOUND otherwise. `forUpdate` locks its row. */
export async function loadCaseDocument(
  em: EntityManager,
  viewer: StaffViewer,
  { id, forUpdate }: { id: string; forUpdate: boolean },
): Promise<CaseDocument> {
  if (!isId(id)) throw notFound('case document');
  const doc = await findReadableDocument(em, { id, readable: readableCaseDocuments(viewer, 'd'), forUpdate });
  if (!doc) throw notFound('case document');
  await em.populate(doc, ['case']);
  return doc;
}

/** A case the caller may read documents of (CD1), else NOT_FOUND. */
export async function caseOfDocuments(em: EntityManager, viewer: StaffViewer, caseId: string): Promise<Case> {
  if (!isId(caseId)) throw notFound('case');
  const visible =
    viewer.role === StaffRole.CASEWORKER
      ? sql`c.id in (select c2.id from case_file c2 where ${caseload.sql(viewer, 'c2')})`
      : viewer.role === StaffRole.EXECUTOR
        ? sql`c.id in (select a.case_id from assignment a where ${executorsOngoingAssignments(viewer, todayInSweden(), 'a')})`
        : sql`false`;
  const c = await findCaseWhere(em, { caseId, visible });
  if (!c) throw notFound('case');
  return c;
}

/**
 * An assignment whose documents the caller may read: their own ongoing one (executor), or one in their caseload
 * (caseworker); with its case.
 */
export async function assignmentOfDocuments(
  em: EntityManager,
  viewer: StaffViewer,
  assignmentId: string,
): Promise<Assignment> {
  if (!isId(assignmentId)) throw notFound('assignment');
  const visible =
    viewer.role === StaffRole.CASEWORKER
      ? sql`a.case_id in (select c.id from case_file c where ${caseload.sql(viewer, 'c')})`
      : viewer.role === StaffRole.EXECUTOR
        ? executorsOngoingAssignments(viewer, todayInSweden(), 'a')
        : sql`false`;
  const a = await findAssignmentWhere(em, { assignmentId, visible });
  if (!a) throw notFound('assignment');
  await em.populate(a, ['case']);
  return a;
}

/**
 * Where a new document goes (CD1): an ongoing case the caller may write in
 * and, when given (always for executors), an assignment of that case.
 */
export async function placeToWrite(
  em: EntityManager,
  viewer: StaffViewer,
  { caseId, assignmentId }: { caseId: string; assignmentId?: string | null },
): Promise<{ c: Case; assignment: Assignment | null }> {
  if (viewer.role === StaffRole.EXECUTOR && !assignmentId) {
    throw badInput(
      'assignmentId',
      'Choose the assignment (Uppdrag IFO) the document belongs to: executors write documents in their ongoing assignments.',
    );
  }
  const c = await caseOfDocuments(em, viewer, caseId);
  let assignment: Assignment | null = null;
  if (assignmentId) {
    assignment = await assignmentOfDocuments(em, viewer, assignmentId).catch((err) => {
      throw err instanceof AppError ? noSuchAssignment() : err;
    });
    if (assignment.case.id !== c.id) throw noSuchAssignment();
  }
  if (c.status !== CaseStatus.OPEN)
    throw new AppError(ErrorCode.CASE_CLOSED, 'The case is closed. Documents are written in ongoing cases only.');
  await em.populate(c, ['holder']);
  return { c, assignment };
}
