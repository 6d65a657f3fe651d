import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Assignment, Case, CaseStatus, Intervention } from '../entities/case';
import { Person } from '../entities/person';
import { Relation, RelationMessagingRights, RelationType } from '../entities/relation';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import {
  assertMayChangeContactDetails,
  inCaseload,
  loadPersonAccess,
  staffVisibleCases,
  staffVisiblePersons,
  visibleCase,
  visibleCasesOfHolders,
} from './access-policy';
import { ongoingAssignment, usableRelation } from './rules';
import { relationsOfCases, senderRelationsOfMessages } from '../stores/case.store';
import { logPersonAccess } from './access-log.service';
import { checkSwitches, normalizeEmail, normalizeMobile, optionalContact } from './contact-details';
import { setStaffEnteredContact } from './person.service';
import { isId } from './ids';
import { parsePersonnummer } from './personnummer';
import { singleLineText } from './text';
import { todayInSweden } from './time';

export interface RegisterRelationInput {
  personnummer: string;
  givenName?: string | null;
  familyName?: string | null;
  types: RelationType[];
  validFrom: string;
  validTo?: string | null;
  /** Read only, or read and write (the default). */
  messagingRights?: RelationMessagingRights | null;
}

export interface ActivateRelationInput {
  /** Change the rights at the same time; leave out to keep them. */
  messagingRights?: RelationMessagingRights | null;
  mobile?: string | null;
  email?: string | null;
  notifyBySms: boolean;
  notifyByEmail: boolean;
}

const alreadyRelated = () =>
  new AppError(
    ErrorCode.CONFLICT,
    'This person is already registered as a relation on the case: change the existing relation instead.',
  );

const persons = (relations: Iterable<Relation>) => [...relations].map((r) => r.person.id);

/** Staff operations on cases and the relations registered on them. */
export class CaseService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
  ) {}

  /** A case the viewer may open, or NOT_FOUND. Logged as a read of the case holder. */
  async get(id: string): Promise<Case> {
    return this.em.transactional(async (em) => {
      const c = await this.load(em, id);
      await this.log(em, [c.holder.id], AccessAction.CASE_READ);
      return c;
    });
  }

  /**
   * The executor's ongoing assignments; with `includeEnded`, also those that
   * have ended (end date passed, or case closed), which give no access any
   * more: they are listed with their own fields only (their edges to the case,
   * person and documents answer as for anyone without access). Only the
   * persons of ongoing assignments are logged as listed: nothing of an ended
   * one's person is returned.
   */
  async myAssignments(includeEnded = false): Promise<Assignment[]> {
    const today = todayInSweden();
    return this.em.transactional(async (em) => {
      const rows = await em.find(
        Assignment,
        includeEnded
          ? {
              executor: this.viewer.staff.id,
              $or: [
                ongoingAssignment.filter(today),
                { endDate: { $lt: today } },
                { case: { status: CaseStatus.CLOSED } },
              ],
            }
          : { executor: this.viewer.staff.id, ...ongoingAssignment.filter(today) },
        { orderBy: { startDate: 'asc', id: 'asc' }, populate: ['case'] },
      );
      const ongoingHolders = rows.filter((a) => ongoingAssignment.holds(a, today)).map((a) => a.case.holder.id);
      await this.log(em, ongoingHolders, AccessAction.PERSON_LIST);
      return rows;
    });
  }

  /** Visible cases of many holders at once (for `Person.cases`). */
  async casesOfHolders(holderIds: readonly string[]): Promise<Case[][]> {
    const rows = await visibleCasesOfHolders(this.em, this.viewer, holderIds);
    return holderIds.map((h) => rows.filter((c) => c.holder.id === h));
  }

  /**
   * Relations of many cases at once: those of cases the viewer may open whose
   * related person the viewer may see (R1: the caseload's caseworkers; R2
   * gives an executor the case holder, not the case's relations). Every
   * related person shown is logged.
   */
  async relationsOfCases(caseIds: readonly string[]): Promise<Relation[][]> {
    return this.em.transactional(async (em) => {
      const rows = await relationsOfCases(em, {
        caseIds,
        visibleCases: staffVisibleCases(this.viewer),
        visiblePersons: staffVisiblePersons(this.viewer),
      });
      await this.log(em, persons(rows), AccessAction.RELATION_READ);
      return caseIds.map((id) => rows.filter((r) => r.case.id === id));
    });
  }

  /**
   * For messages written by a citizen on a case they are a relation on: that
   * relation, when the viewer may see the case's relations (the rule of
   * relationsOfCases); null otherwise. Logged like relationsOfCases.
   */
  async senderRelationsOfMessages(messageIds: readonly string[]): Promise<(Relation | null)[]> {
    return this.em.transactional(async (em) => {
      const byMessage = await senderRelationsOfMessages(em, {
        messageIds,
        visibleCases: staffVisibleCases(this.viewer),
        visiblePersons: staffVisiblePersons(this.viewer),
      });
      await this.log(em, persons(byMessage.values()), AccessAction.RELATION_READ);
      return messageIds.map((id) => byMessage.get(id) ?? null);
    });
  }

  /** Registers a person on a case as related to its holder (seed: "Lägg till relation"). */
  async registerRelation(caseId: string, input: RegisterRelationInput): Promise<Relation> {
    const pnr = parsePersonnummer(input.personnummer);
    if (!pnr.ok) throw badInput('personnummer', pnr.reason);
    if (input.types.length === 0)
      throw badInput('types', 'Choose at least one relation type, e.g. APPROVED_FOR_MESSAGES.');
    if (input.validTo && input.validTo < input.validFrom)
      throw badInput('validTo', 'The end date must be on or after the start date.');
    return this.em.transactional(async (em) => {
      const c = await this.loadForCaseworker(em, caseId);
      let person = await em.findOne(Person, { personnummer: pnr.value });
      if (person && person.id === c.holder.id)
        throw badInput('personnummer', 'The case holder cannot be registered as their own relation.');
      if (!person) {
        const givenName = singleLineText(input.givenName);
        const familyName = singleLineText(input.familyName);
        if (!givenName)
          throw badInput('givenName', 'This person is new to the social services: give their given name.');
        if (!familyName)
          throw badInput('familyName', 'This person is new to the social services: give their family name.');
        person = em.create(Person, { personnummer: pnr.value, givenName, familyName });
      } else if (await em.count(Relation, { case: c.id, person: person.id })) {
        throw alreadyRelated();
      }
      const relation = em.create(Relation, {
        case: c,
        person,
        types: [...new Set(input.types)],
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
        messagingRights: input.messagingRights ?? RelationMessagingRights.READ_AND_WRITE,
        registeredBy: this.viewer.staff,
      });
      try {
        await em.flush();
      } catch (err) {
        // Two caseworkers registering the same person at once: the second meets the unique constraint.
        if (err instanceof UniqueConstraintViolationException) {
          throw alreadyRelated();
        }
        throw err;
      }
      await this.log(em, [person.id], AccessAction.RELATION_CHANGE);
      return relation;
    });
  }

  /**
   * Turns the e-service on for a relation (seed: "Aktivera relation"): only when
   * registered as approved for messages and today is inside its validity.
   * Takes effect at once.
   */
  async activateRelation(relationId: string, input: ActivateRelationInput): Promise<Relation> {
    const mobile = optionalContact(input.mobile, normalizeMobile, 'mobile');
    const email = optionalContact(input.email, normalizeEmail, 'email');
    return this.em.transactional(async (em) => {
      const relation = await this.loadRelationForCaseworker(em, relationId);
      if (!relation.types.includes(RelationType.APPROVED_FOR_MESSAGES)) {
        throw new AppError(
          ErrorCode.RELATION_NOT_APPROVED_FOR_MESSAGES,
          "This relation is not registered as approved for messages (Godkänd för meddelande). Add that relation type first, with the person's consent.",
        );
      }
      const today = todayInSweden();
      if (!usableRelation.approvedOn(relation, today)) {
        throw new AppError(
          ErrorCode.RELATION_OUTSIDE_VALIDITY,
          `The relation is valid ${relation.validFrom} – ${relation.validTo ?? 'until further notice'}, ` +
            `which does not include today (${today}). Change its dates first.`,
        );
      }
      const person = await em.findOneOrFail(Person, relation.person.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const access = (await loadPersonAccess(em, this.viewer, [person.id])).get(person.id)!;
      if (mobile !== undefined || email !== undefined) assertMayChangeContactDetails(this.viewer, person, access);
      setStaffEnteredContact(person, { mobile, email });
      const switches = { messagingEnabled: true, notifyBySms: input.notifyBySms, notifyByEmail: input.notifyByEmail };
      checkSwitches(switches, person.mobile, person.email);
      Object.assign(person, switches, { eServiceChangedAt: new Date(), eServiceChangedBy: this.viewer.staff });
      relation.activatedAt = new Date();
      relation.activatedBy = this.viewer.staff;
      if (input.messagingRights) relation.messagingRights = input.messagingRights;
      await this.log(em, [person.id], AccessAction.RELATION_CHANGE);
      return relation;
    });
  }

  /**
   * Stops the relation from using the e-service for this case; the person keeps other activations. Stopping access
   * is always allowed, also once the case is closed.
   */
  async deactivateRelation(relationId: string): Promise<Relation> {
    return this.em.transactional(async (em) => {
      const relation = await this.loadRelationForCaseworker(em, relationId, { allowClosed: true });
      relation.activatedAt = null;
      relation.activatedBy = null;
      await this.log(em, [relation.person.id], AccessAction.RELATION_CHANGE);
      return relation;
    });
  }

  /**
   * Read only, or read and write, for a relation on an ongoing case in the
   * caseworker's caseload. Takes effect at once (the next send or reply
   * reads it).
   */
  async setRelationMessagingRights(relationId: string, rights: RelationMessagingRights): Promise<Relation> {
    return this.em.transactional(async (em) => {
      const relation = await this.loadRelationForCaseworker(em, relationId);
      relation.messagingRights = rights;
      await this.log(em, [relation.person.id], AccessAction.RELATION_CHANGE);
      return relation;
    });
  }

  /**
   * Closes a case (avslut) as of `closedOn`, its last day: today or earlier,
   * not before it was opened. At once the case stops being a target for
   * messages and journal entries, its executors' access through their
   * assignments ends (assignments and interventions still running get
   * `closedOn` as their end date), and its relations lose the e-service for
   * it (its conversations, notices and replies). For the caseworker of a case
   * in their caseload.
   */
  async closeCase(caseId: string, closedOn: string): Promise<Case> {
    const today = todayInSweden();
    if (closedOn > today)
      throw badInput(
        'closedOn',
        `A case is closed on or after its last day: give today (${today}) or an earlier date.`,
      );
    return this.em.transactional(async (em) => {
      const c = await this.loadForCaseworker(em, caseId, { allowClosed: true, what: 'close cases' });
      await em.lock(c, LockMode.PESSIMISTIC_WRITE);
      await em.refresh(c);
      if (c.status === CaseStatus.CLOSED) {
        throw new AppError(
          ErrorCode.CASE_ALREADY_CLOSED,
          `The case was already closed on ${c.closedOn ?? 'an earlier date'}. Nothing was changed.`,
        );
      }
      if (closedOn < c.openedOn) {
        throw new AppError(
          ErrorCode.END_DATE_BEFORE_START,
          `The case was opened on ${c.openedOn}: give a closing date on or after that day.`,
          { field: 'closedOn' },
        );
      }
      c.status = CaseStatus.CLOSED;
      c.closedOn = closedOn;
      c.closedBy = this.viewer.staff;
      // What was still running ends with the case (what starts later stays as planned: a closed case gives it nothing).
      const running = {
        case: c.id,
        startDate: { $lte: closedOn },
        $or: [{ endDate: null }, { endDate: { $gt: closedOn } }],
      };
      await em.nativeUpdate(Assignment, running, { endDate: closedOn });
      await em.nativeUpdate(Intervention, running, { endDate: closedOn });
      await this.log(em, [c.holder.id], AccessAction.CASE_READ);
      return c;
    });
  }

  /**
   * Ends an assignment: `endDate` is its last day (the executor's access
   * through it, messages and journal entries included, ends after that day;
   * give yesterday's date to end it at once). Not before its start date; an
   * assignment whose end date has passed cannot be ended again. For the
   * caseworker of the case, in their caseload, while the case is ongoing.
   */
  async endAssignment(assignmentId: string, endDate: string): Promise<Assignment> {
    const today = todayInSweden();
    return this.em.transactional(async (em) => {
      if (!isId(assignmentId)) throw notFound('assignment');
      const assignment = await em.findOne(Assignment, { id: assignmentId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!assignment) throw notFound('assignment');
      let c: Case;
      try {
        c = await this.loadForCaseworker(em, assignment.case.id, { what: 'end assignments' });
      } catch (err) {
        if (err instanceof AppError && err.extensions.code === ErrorCode.NOT_FOUND) throw notFound('assignment');
        throw err;
      }
      if (assignment.endDate != null && assignment.endDate < today) {
        throw new AppError(
          ErrorCode.ASSIGNMENT_ALREADY_ENDED,
          `The assignment ended on ${assignment.endDate}. Nothing was changed; a new assignment is needed to continue.`,
        );
      }
      if (endDate < assignment.startDate) {
        throw new AppError(
          ErrorCode.END_DATE_BEFORE_START,
          `The assignment starts on ${assignment.startDate}: give an end date on or after that day.`,
          { field: 'endDate' },
        );
      }
      assignment.endDate = endDate;
      await this.log(em, [c.holder.id], AccessAction.CASE_READ);
      return assignment;
    });
  }

  /** Every person shown or changed is logged, in the operation's transaction. */
  private log(em: EntityManager, personIds: string[], action: AccessAction): Promise<void> {
    return logPersonAccess(em, this.viewer, this.requestId, personIds, action);
  }

  private async load(em: EntityManager, id: string): Promise<Case> {
    if (!isId(id)) throw notFound('case');
    const c = await visibleCase(em, this.viewer, id);
    if (!c) throw notFound('case');
    return c;
  }

  /** Relations are a caseworker's business: own case or the unit's caseload, and the case must be ongoing. */
  private async loadForCaseworker(
    em: EntityManager,
    caseId: string,
    opts: { allowClosed?: boolean; what?: string } = {},
  ): Promise<Case> {
    const c = await this.load(em, caseId);
    if (this.viewer.role !== StaffRole.CASEWORKER || !inCaseload(this.viewer, c)) {
      throw forbidden(
        `Only a caseworker with the case in their caseload may ${opts.what ?? 'register or activate relations'}. Ask the case's caseworker.`,
      );
    }
    if (c.status !== CaseStatus.OPEN && !opts.allowClosed) {
      throw new AppError(
        ErrorCode.CASE_CLOSED,
        opts.what
          ? `The case is closed, so you cannot ${opts.what} in it.`
          : 'The case is closed. Relations can be registered or activated only on an ongoing case.',
      );
    }
    return c;
  }

  private async loadRelationForCaseworker(
    em: EntityManager,
    relationId: string,
    opts: { allowClosed?: boolean } = {},
  ): Promise<Relation> {
    if (!isId(relationId)) throw notFound('relation');
    const relation = await em.findOne(Relation, { id: relationId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!relation) throw notFound('relation');
    try {
      await this.loadForCaseworker(em, relation.case.id, opts);
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === ErrorCode.NOT_FOUND) throw notFound('relation');
      throw err;
    }
    return relation;
  }
}
