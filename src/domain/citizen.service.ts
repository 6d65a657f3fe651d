import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer } from '../auth/viewer';
import { Person } from '../entities/person';
import { checkSwitches, normalizeEmail, normalizeMobile, optionalContact } from './contact-details';
import { citizenLinks } from './rules';
import { citizenContacts } from '../stores/citizen.store';
import { todayInSweden } from './time';

/** A caseworker on one of the citizen's ongoing cases. */
export interface CitizenContact {
  caseId: string;
  caseTitle: string;
  caseworkerName: string;
  caseworkerTitle: string | null;
  unitName: string;
  asRelation: boolean;
  /** False for a relation with read-only rights. */
  canWrite: boolean;
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

  /**
   * The citizen may change their own mobile, e-mail and notification choices
   * (SMS, e-mail); each choice must still have somewhere to go. All checked
   * before anything is written.
   */
  async updateContactDetails(input: {
    mobile?: string | null;
    email?: string | null;
    notifyBySms?: boolean | null;
    notifyByEmail?: boolean | null;
  }): Promise<Person> {
    const mobile = optionalContact(input.mobile, normalizeMobile, 'mobile');
    const email = optionalContact(input.email, normalizeEmail, 'email');
    const person = await this.me();
    const switches = {
      messagingEnabled: person.messagingEnabled,
      notifyBySms: input.notifyBySms ?? person.notifyBySms,
      notifyByEmail: input.notifyByEmail ?? person.notifyByEmail,
    };
    checkSwitches(switches, mobile !== undefined ? mobile : person.mobile, email !== undefined ? email : person.email);
    if (switches.notifyBySms !== person.notifyBySms || switches.notifyByEmail !== person.notifyByEmail) {
      // Changed by the person themself, not by a member of staff.
      Object.assign(person, {
        notifyBySms: switches.notifyBySms,
        notifyByEmail: switches.notifyByEmail,
        eServiceChangedAt: new Date(),
        eServiceChangedBy: null,
      });
    }
    // Entered by the citizen alone: not trusted for notifying a protected identity until staff confirm it.
    if (mobile !== undefined && mobile !== person.mobile) Object.assign(person, { mobile, mobileVerified: false });
    if (email !== undefined && email !== person.email) Object.assign(person, { email, emailVerified: false });
    await this.em.flush();
    return person;
  }

  /** The caseworkers on the citizen's ongoing cases, as holder or as a relation usable today (the citizen's links). */
  async contacts(): Promise<CitizenContact[]> {
    const rows = await citizenContacts(this.em, {
      links: citizenLinks.sql(this.viewer.person.id, todayInSweden(), { openOnly: true }),
    });
    return rows.map((r) => ({
      caseId: r.case_id,
      caseTitle: r.title,
      caseworkerName: r.caseworker_name,
      caseworkerTitle: r.caseworker_title,
      unitName: r.unit_name,
      asRelation: r.as_relation,
      canWrite: r.can_write,
    }));
  }
}
