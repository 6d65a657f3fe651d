import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Case, CaseStatus } from '../entities/case';
import { Person } from '../entities/person';
import { StaffRole } from '../entities/staff';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import {
  assertMayChangeContactDetails,
  caseloadFilter,
  loadPersonAccess,
  staffVisiblePersons,
  type PersonAccess,
} from './access-policy';
import { sql, uuid, type Sql } from './sql';
import { personsPage } from '../stores/person.store';
import { logPersonAccess } from './access-log.service';
import { messageTargetPersons } from './message-policy';
import {
  checkSwitches,
  normalizeEmail,
  normalizeMobile,
  normalizePhone,
  optionalContact,
  type EServiceSwitches,
} from './contact-details';
import { isId } from './ids';
import { pageSize, decodeCursor, toPage, type Page } from './pagination';
import { parsePersonnummer } from './personnummer';
import { singleLineText } from './text';

export interface ContactDetailsInput {
  mobile?: string | null;
  homePhone?: string | null;
  workPhone?: string | null;
  email?: string | null;
  street?: string | null;
  postalCode?: string | null;
  city?: string | null;
}

/** Flags a caseworker sets; leave one out to keep it. Skyddad folkbokföring is not among them (see setProtectedIdentity). */
export interface PersonFlagsInput {
  confidentialityMarking?: boolean | null;
  secretPhoneNumber?: boolean | null;
  needsInterpreter?: boolean | null;
  interpreterLanguage?: string | null;
}

export interface EServiceInput extends EServiceSwitches {
  mobile?: string | null;
  email?: string | null;
}

const personKey = (p: Person) => [p.familyName, p.givenName, p.id];

/** Staff operations on persons. Every read writes access-log rows in the same transaction. */
export class PersonService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
    private readonly requestId: string,
  ) {}

  /** Persons this staff member may see, by family name; `search` matches name or personnummer. */
  async list(args: {
    search?: string | null;
    first?: number | null;
    after?: string | null;
    messageTargetsOnly?: boolean | null;
  }): Promise<Page<Person> & { access: Map<string, PersonAccess> }> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, 3) as [string, string, string] | undefined;
    const where: Sql[] = [];
    if (args.messageTargetsOnly) where.push(messageTargetPersons(this.viewer, 'p'));
    const search = args.search?.trim();
    if (search) {
      const pnr = parsePersonnummer(search);
      if (pnr.ok) where.push(sql`p.personnummer = ${pnr.value}`);
      else {
        const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        where.push(sql`(p.given_name ilike ${like} or p.family_name ilike ${like} or p.personnummer like ${like})`);
      }
    }
    if (after)
      where.push(sql`(p.family_name, p.given_name, p.id) > (${after[0]}::text, ${after[1]}::text, ${uuid(after[2])})`);
    // One statement, so no transaction: the page of persons the viewer may see (R1/R2), whether each is of their own
    // case (R3, for the contact details), and the access log of the persons listed (not of the one read past the page).
    const rows = await personsPage(this.em, {
      visiblePersons: staffVisiblePersons(this.viewer),
      where,
      limit: size + 1,
      log: {
        actorId: this.viewer.staff.id,
        role: this.viewer.role,
        action: AccessAction.PERSON_LIST,
        requestId: this.requestId,
      },
      logged: size,
    });
    const page = toPage(
      rows.map((r) => r.person),
      size,
      personKey,
    );
    return { ...page, access: new Map(rows.map((r) => [r.person.id, { visible: true, ownCaseworker: r.own }])) };
  }

  /** One person, or NOT_FOUND when missing or not visible (R5). */
  async get(id: string): Promise<Person> {
    return this.em.transactional(async (em) => {
      const { person } = await this.load(em, id);
      await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.PERSON_READ);
      return person;
    });
  }

  async updateContactDetails(id: string, input: ContactDetailsInput): Promise<Person> {
    this.requireCaseworker('change contact details');
    const patch = {
      mobile: optionalContact(input.mobile, normalizeMobile, 'mobile'),
      email: optionalContact(input.email, normalizeEmail, 'email'),
      homePhone: optionalContact(input.homePhone, normalizePhone, 'homePhone'),
      workPhone: optionalContact(input.workPhone, normalizePhone, 'workPhone'),
      street: optionalText(input.street),
      postalCode: optionalText(input.postalCode),
      city: optionalText(input.city),
    };
    return this.em.transactional(async (em) => {
      const { person, access } = await this.load(em, id, { lock: true });
      assertMayChangeContactDetails(this.viewer, person, access);
      const { mobile, email, ...rest } = patch;
      Object.assign(person, Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)));
      setStaffEnteredContact(person, { mobile, email });
      checkSwitches(person, person.mobile, person.email);
      await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.PERSON_UPDATE);
      return person;
    });
  }

  /**
   * Sekretessmarkering, Hemligt telefonnummer and Tolkbehov (with its
   * language), for a person the caseworker may see (R1). Recorded in the
   * access log as a write (PERSON_UPDATE). Needing an interpreter needs a
   * language; turning it off clears the language.
   */
  async setFlags(id: string, input: PersonFlagsInput): Promise<Person> {
    this.requireCaseworker("set a person's flags");
    const language =
      input.interpreterLanguage === undefined
        ? undefined
        : (optionalText(input.interpreterLanguage)?.slice(0, 100) ?? null);
    return this.em.transactional(async (em) => {
      const { person } = await this.load(em, id, { lock: true });
      if (input.confidentialityMarking != null) person.confidentialityMarking = input.confidentialityMarking;
      if (input.secretPhoneNumber != null) person.secretPhoneNumber = input.secretPhoneNumber;
      if (input.needsInterpreter != null) person.needsInterpreter = input.needsInterpreter;
      if (language !== undefined) person.interpreterLanguage = language;
      if (!person.needsInterpreter) person.interpreterLanguage = null;
      else if (!person.interpreterLanguage) {
        throw badInput(
          'interpreterLanguage',
          'Say which language the interpreter is for (e.g. Arabiska), or turn the interpreter need off.',
        );
      }
      await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.PERSON_UPDATE);
      return person;
    });
  }

  /**
   * Skyddad folkbokföring comes from the population register: an
   * administrator records it (or an import does), by personnummer, since
   * administrators see no persons. Never a caseworker. Recorded in the access
   * log as a write; answers whether the person now has it.
   */
  async setProtectedIdentity(personnummer: string, protectedIdentity: boolean): Promise<boolean> {
    if (this.viewer.role !== StaffRole.ADMIN) {
      throw forbidden(
        'Skyddad folkbokföring comes from the population register: only an administrator records it. Ask your administrator.',
      );
    }
    const pnr = parsePersonnummer(personnummer);
    if (!pnr.ok) throw badInput('personnummer', pnr.reason);
    return this.em.transactional(async (em) => {
      const person = await em.findOne(Person, { personnummer: pnr.value }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!person)
        throw new AppError(
          ErrorCode.NOT_FOUND,
          'No person with that personnummer is known to the social services. Check the number.',
          { field: 'personnummer' },
        );
      person.protectedIdentity = protectedIdentity;
      await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.PERSON_UPDATE);
      return person.protectedIdentity;
    });
  }

  /**
   * Activates or changes the e-service on a case holder: takes effect at once
   * (the old system waited for a nightly batch). Needs an ongoing case in the
   * caseworker's caseload.
   */
  async setEService(id: string, input: EServiceInput): Promise<Person> {
    this.requireCaseworker('activate the e-service');
    const mobile = optionalContact(input.mobile, normalizeMobile, 'mobile');
    const email = optionalContact(input.email, normalizeEmail, 'email');
    return this.em.transactional(async (em) => {
      const { person, access } = await this.load(em, id, { lock: true });
      if (mobile !== undefined || email !== undefined) assertMayChangeContactDetails(this.viewer, person, access);
      if (input.messagingEnabled) {
        const openCases = await em.count(Case, {
          holder: person.id,
          status: CaseStatus.OPEN,
          ...caseloadFilter(this.viewer),
        });
        if (openCases === 0) {
          throw new AppError(
            ErrorCode.CASE_CLOSED,
            'The e-service can be activated only for the holder of an ongoing case in your caseload. For a ' +
              'relation, register it as approved for messages and activate the relation.',
          );
        }
      }
      setStaffEnteredContact(person, { mobile, email });
      checkSwitches(input, person.mobile, person.email);
      person.messagingEnabled = input.messagingEnabled;
      person.notifyBySms = input.notifyBySms;
      person.notifyByEmail = input.notifyByEmail;
      person.eServiceChangedAt = new Date();
      person.eServiceChangedBy = this.viewer.staff;
      await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.E_SERVICE_CHANGE);
      return person;
    });
  }

  private async load(
    em: EntityManager,
    id: string,
    opts: { lock?: boolean } = {},
  ): Promise<{ person: Person; access: PersonAccess }> {
    if (!isId(id)) throw notFound('person');
    const access = (await loadPersonAccess(em, this.viewer, [id])).get(id)!;
    if (!access.visible) throw notFound('person');
    const person = await em.findOne(Person, { id }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!person) throw notFound('person');
    return { person, access };
  }

  private requireCaseworker(what: string): void {
    if (this.viewer.role !== StaffRole.CASEWORKER) throw forbidden(`Only caseworkers may ${what}.`);
  }
}

function optionalText(value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const line = singleLineText(value);
  return line ? line.slice(0, 200) : null;
}

/**
 * Contact details entered (or re-entered) by staff count as verified: only
 * verified details are used to notify a protected identity. `undefined`
 * leaves a detail as it is.
 */
export function setStaffEnteredContact(
  person: Person,
  details: { mobile?: string | null; email?: string | null },
): void {
  if (details.mobile !== undefined)
    Object.assign(person, { mobile: details.mobile, mobileVerified: details.mobile !== null });
  if (details.email !== undefined)
    Object.assign(person, { email: details.email, emailVerified: details.email !== null });
}
