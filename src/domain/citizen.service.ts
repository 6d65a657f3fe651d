import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer } from '../auth/viewer';
import { Case, CaseStatus } from '../entities/case';
import { Person } from '../entities/person';
import { Relation } from '../entities/relation';
import { checkSwitches, normalizeEmail, normalizeMobile, optionalContact } from './contact-details';
import { usableRelation } from './rules';
import { todayInSweden } from './time';

/** A caseworker on one of the citizen's ongoing cases. */
export interface CitizenContact {
  caseId: string;
  caseTitle: string;
  caseworkerName: string;
  caseworkerTitle: string | null;
  unitName: string;
  asRelation: boolean;
}

/** What a signed-in citizen may do with their own data. */
export class CitizenService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: CitizenViewer,
  ) {}

  async me(): Promise<Person> {
    return this.em.findOneOrFail(Person, this.viewer.person.id);
  }

  /** The citizen may change their own mobile and e-mail; notification choices must still have somewhere to go. */
  async updateContactDetails(input: { mobile?: string | null; email?: string | null }): Promise<Person> {
    const mobile = optionalContact(input.mobile, normalizeMobile, 'mobile');
    const email = optionalContact(input.email, normalizeEmail, 'email');
    const person = await this.me();
    // Entered by the citizen alone: not trusted for notifying a protected identity until staff confirm it.
    if (mobile !== undefined && mobile !== person.mobile) Object.assign(person, { mobile, mobileVerified: false });
    if (email !== undefined && email !== person.email) Object.assign(person, { email, emailVerified: false });
    checkSwitches(person, person.mobile, person.email);
    await this.em.flush();
    return person;
  }

  /** The caseworkers on the citizen's ongoing cases, as holder or as an activated relation. */
  async contacts(): Promise<CitizenContact[]> {
    const me = this.viewer.person.id;
    const today = todayInSweden();
    const [own, relations] = await Promise.all([
      this.em.find(Case, { holder: me, status: CaseStatus.OPEN }, { populate: ['caseworker', 'unit'], orderBy: { openedOn: 'desc' } }),
      this.em.find(
        Relation,
        { person: me, activatedAt: { $ne: null }, case: { status: CaseStatus.OPEN } },
        { populate: ['case.caseworker', 'case.unit'] },
      ),
    ]);
    const toContact = (c: Case, asRelation: boolean): CitizenContact => ({
      caseId: c.id,
      caseTitle: c.title,
      caseworkerName: c.caseworker.name,
      caseworkerTitle: c.caseworker.title ?? null,
      unitName: c.unit.name,
      asRelation,
    });
    return [
      ...own.map((c) => toContact(c, false)),
      ...relations.filter((r) => usableRelation.holds(r, today)).map((r) => toContact(r.case, true)),
    ];
  }
}
