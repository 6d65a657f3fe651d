import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { Assignment, Case, CaseStatus, Intervention } from '../entities/case';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode } from '../errors';
import { caseloadFilter } from './access-policy';
import { ongoingAssignment } from './rules';
import { todayInSweden } from './time';

// Where an entry may be journaled (J2, J4 of journal.service.ts): the targets a staff member picks from, and the
// check that the one chosen is among them.

export type JournalTargetKind = 'CASE' | 'INTERVENTION' | 'ASSIGNMENT';

export interface JournalTarget {
  kind: JournalTargetKind;
  case: Case;
  intervention: Intervention | null;
  assignment: Assignment | null;
  label: string;
}

export interface JournalTargetInput {
  caseId: string;
  interventionId?: string | null;
  assignmentId?: string | null;
}

const caseLabel = (c: Case) => `Ärende ${c.title} ${c.openedOn}`;
const assignmentLabel = (a: Assignment) => `Uppdrag ${a.description} ${a.startDate}`;

/** J4: an executor's ongoing assignments for the holder, in open cases. */
async function executorTargets(em: EntityManager, viewer: StaffViewer, holderId: string): Promise<JournalTarget[]> {
  const assignments = await em.find(
    Assignment,
    {
      executor: viewer.staff.id,
      case: { holder: holderId, status: CaseStatus.OPEN },
      ...ongoingAssignment.filter(todayInSweden()),
    },
    { populate: ['case'], orderBy: { startDate: 'asc', id: 'asc' } },
  );
  return assignments.map((a) => ({
    kind: 'ASSIGNMENT',
    case: a.case,
    intervention: null,
    assignment: a,
    label: assignmentLabel(a),
  }));
}

/**
 * J2/J4: open cases (with their interventions that have not ended) of the holder in the caseworker's caseload; an
 * executor's ongoing assignments for them.
 */
export async function targetsForHolder(
  em: EntityManager,
  { viewer, holderId }: { viewer: StaffViewer; holderId: string },
): Promise<JournalTarget[]> {
  if (viewer.role === StaffRole.EXECUTOR) return executorTargets(em, viewer, holderId);
  if (viewer.role !== StaffRole.CASEWORKER) return [];
  const cases = await em.find(
    Case,
    { holder: holderId, status: CaseStatus.OPEN, ...caseloadFilter(viewer) },
    { orderBy: { openedOn: 'desc', id: 'asc' } },
  );
  // An intervention that has ended takes no new entries; one decided to start later does (its documents come first).
  const interventions = cases.length
    ? await em.find(
        Intervention,
        { case: { $in: cases.map((c) => c.id) }, $or: [{ endDate: null }, { endDate: { $gte: todayInSweden() } }] },
        { orderBy: { startDate: 'asc', id: 'asc' } },
      )
    : [];
  return cases.flatMap((c): JournalTarget[] => [
    { kind: 'CASE', case: c, intervention: null, assignment: null, label: caseLabel(c) },
    ...interventions
      .filter((i) => i.case.id === c.id)
      .map((i): JournalTarget => ({
        kind: 'INTERVENTION',
        case: c,
        intervention: i,
        assignment: null,
        label: i.label,
      })),
  ]);
}

/** The chosen target, if it is one of the selectable ones (J2, J4). */
export function pickTarget(
  viewer: StaffViewer,
  { targets, input }: { targets: JournalTarget[]; input: JournalTargetInput },
): JournalTarget {
  const { caseId, interventionId, assignmentId } = input;
  if (interventionId && assignmentId) throw badInput('target', 'Choose an intervention or an assignment, not both.');
  const target = targets.find(
    (t) =>
      t.case.id === caseId &&
      (assignmentId
        ? t.assignment?.id === assignmentId
        : interventionId
          ? t.intervention?.id === interventionId
          : t.kind === 'CASE'),
  );
  if (target) return target;
  if (viewer.role === StaffRole.EXECUTOR && !assignmentId) {
    throw new AppError(
      ErrorCode.JOURNAL_TARGET_NOT_ALLOWED,
      'Executors journal into the documentation of their assignment: choose your assignment (assignmentId) from journalTargets.',
      { field: 'target' },
    );
  }
  throw new AppError(
    ErrorCode.JOURNAL_TARGET_NOT_ALLOWED,
    "You cannot journal there: choose one of the person's open cases or ongoing interventions in your " +
      'caseload (or, as an executor, your ongoing assignment), as listed by journalTargets. A closed case ' +
      'or an ended intervention takes no new entries.',
    { field: 'target' },
  );
}
