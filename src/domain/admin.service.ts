import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SessionStore } from '../auth/session';
import type { StaffViewer } from '../auth/viewer';
import { AccessLogEntry } from '../entities/access-log-entry';
import {
  MailboxMembershipChange,
  MembershipChangeKind,
  SharedMailbox,
  SharedMailboxMember,
} from '../entities/shared-mailbox';
import { Staff, StaffRole } from '../entities/staff';
import { Unit } from '../entities/unit';
import { AppError, badInput, ErrorCode, forbidden, notFound } from '../errors';
import { Person } from '../entities/person';
import { isId } from './ids';
import { accessLogPage } from '../stores/access-log.store';
import { addMailboxMember } from '../stores/shared-mailbox.store';
import { parsePersonnummer } from './personnummer';
import { singleLineText } from './text';
import { decodeTimeCursor, pageSize, toPage, type Page } from './pagination';

export interface CreateStaffInput {
  username: string;
  givenName: string;
  familyName: string;
  title?: string | null;
  role: StaffRole;
  unitId: string;
}
export interface UpdateStaffInput {
  givenName?: string | null;
  familyName?: string | null;
  title?: string | null;
  role?: StaffRole | null;
  unitId?: string | null;
  active?: boolean | null;
}

function required(field: string, value: string | null | undefined, what: string): string {
  const v = singleLineText(value);
  if (!v) throw badInput(field, `Give ${what}.`);
  if (v.length > 200) throw badInput(field, `Keep ${what} under 200 characters.`);
  return v;
}

/** System administrators (systemförvaltare): staff, units, shared mailboxes, and the access log. */
export class AdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
  ) {
    if (viewer.role !== StaffRole.ADMIN) throw forbidden('Only system administrators may do this.');
  }

  async listStaff(): Promise<Staff[]> {
    return this.em.find(Staff, {}, { orderBy: { familyName: 'asc', givenName: 'asc', id: 'asc' } });
  }

  async createStaff(input: CreateStaffInput): Promise<Staff> {
    const username = required('username', input.username, 'a username').toLowerCase();
    if (!/^[a-z0-9._-]{2,64}$/.test(username))
      throw badInput('username', 'A username has 2–64 letters a–z, digits, dots, dashes or underscores.');
    const unit = await this.unit(input.unitId);
    const staff = this.em.create(Staff, {
      username,
      givenName: required('givenName', input.givenName, 'a given name'),
      familyName: required('familyName', input.familyName, 'a family name'),
      title: singleLineText(input.title) || null,
      role: input.role,
      unit,
    });
    await this.flushUnique('username', 'That username is taken: choose another.');
    return staff;
  }

  async updateStaff(id: string, input: UpdateStaffInput): Promise<Staff> {
    const staff = isId(id) ? await this.em.findOne(Staff, { id }) : null;
    if (!staff) throw notFound('staff member');
    if (
      staff.id === this.viewer.staff.id &&
      (input.active === false || (input.role && input.role !== StaffRole.ADMIN))
    ) {
      throw badInput(
        input.active === false ? 'active' : 'role',
        'You cannot disable yourself or remove your own administrator role: ask another administrator.',
      );
    }
    if (input.givenName != null) staff.givenName = required('givenName', input.givenName, 'a given name');
    if (input.familyName != null) staff.familyName = required('familyName', input.familyName, 'a family name');
    if (input.title !== undefined) staff.title = singleLineText(input.title) || null;
    if (input.role != null) staff.role = input.role;
    if (input.unitId != null) staff.unit = await this.unit(input.unitId);
    if (input.active != null) staff.active = input.active;
    // A disabled account's browser sessions end with it, in the same transaction.
    await this.em.transactional(async (em) => {
      if (input.active === false) await SessionStore.endAllOf(em, staff);
      await em.flush();
    });
    return staff;
  }

  async listUnits(): Promise<Unit[]> {
    return this.em.find(Unit, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  async createUnit(name: string, municipality: string): Promise<Unit> {
    const unit = this.em.create(Unit, {
      name: required('name', name, 'a unit name'),
      municipality: required('municipality', municipality, 'the municipality'),
    });
    await this.flushUnique('name', 'A unit with that name exists already.');
    return unit;
  }

  async listSharedMailboxes(): Promise<SharedMailbox[]> {
    return this.em.find(SharedMailbox, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  async createSharedMailbox(name: string, unitId: string): Promise<SharedMailbox> {
    const mailbox = this.em.create(SharedMailbox, {
      name: required('name', name, 'a mailbox name'),
      unit: await this.unit(unitId),
    });
    await this.flushUnique('name', 'A shared mailbox with that name exists already.');
    return mailbox;
  }

  /**
   * Separation of duties: administrators manage mailboxes but see no persons,
   * so no administrator (themself included) becomes a member; every change is
   * recorded (who changed which member, when) in the same transaction.
   */
  async addMailboxMember(mailboxId: string, staffId: string): Promise<SharedMailbox> {
    const mailbox = await this.mailbox(mailboxId);
    const staff = isId(staffId) ? await this.em.findOne(Staff, { id: staffId }) : null;
    if (!staff) throw badInput('staffId', 'No staff member with that id exists.');
    if (staff.id === this.viewer.staff.id || staff.role === StaffRole.ADMIN) {
      throw forbidden(
        "Administrators manage shared mailboxes but cannot be members of one: they see no persons' messages. Add a caseworker or executor instead.",
      );
    }
    await this.em.transactional(async (em) => {
      // Adding a member twice is harmless and records nothing the second time.
      if (!(await addMailboxMember(em, { mailboxId: mailbox.id, staffId: staff.id }))) return;
      em.create(MailboxMembershipChange, {
        mailbox,
        member: staff,
        changedBy: this.viewer.staff,
        change: MembershipChangeKind.ADDED,
      });
      await em.flush();
    });
    return mailbox;
  }

  async removeMailboxMember(mailboxId: string, staffId: string): Promise<SharedMailbox> {
    const mailbox = await this.mailbox(mailboxId);
    if (!isId(staffId)) return mailbox;
    await this.em.transactional(async (em) => {
      const removed = await em.nativeDelete(SharedMailboxMember, { mailbox: mailbox.id, staff: staffId });
      if (!removed) return;
      em.create(MailboxMembershipChange, {
        mailbox,
        member: em.getReference(Staff, staffId),
        changedBy: this.viewer.staff,
        change: MembershipChangeKind.REMOVED,
      });
      await em.flush();
    });
    return mailbox;
  }

  /** The membership changes of one shared mailbox, newest first (at most 500). */
  async membershipChanges(mailboxId: string): Promise<MailboxMembershipChange[]> {
    const mailbox = await this.mailbox(mailboxId);
    return this.em.find(
      MailboxMembershipChange,
      { mailbox: mailbox.id },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 500 },
    );
  }

  /** Loggkontroll: who read whose data, newest first, by person and/or by actor. */
  async accessLog(args: {
    personId?: string | null;
    personnummer?: string | null;
    actorId?: string | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<AccessLogEntry>> {
    if (args.personnummer) {
      const pnr = parsePersonnummer(args.personnummer);
      if (!pnr.ok) throw badInput('personnummer', pnr.reason);
      const person = await this.em.findOne(Person, { personnummer: pnr.value }, { fields: ['id'] as const });
      if (!person) return toPage<AccessLogEntry>([], pageSize(args.first), () => []);
      if (args.personId && args.personId !== person.id)
        return toPage<AccessLogEntry>([], pageSize(args.first), () => []);
      args = { ...args, personId: person.id };
    }
    if (!args.personId && !args.actorId)
      throw badInput('personId', 'Give a person (id or personnummer), an actor id, or both.');
    const size = pageSize(args.first);
    const after = decodeTimeCursor(args.after);
    if ((args.personId && !isId(args.personId)) || (args.actorId && !isId(args.actorId)))
      return toPage<AccessLogEntry>([], size, () => []);
    const rows = await accessLogPage(this.em, {
      personId: args.personId ?? null,
      actorId: args.actorId ?? null,
      before: after ? { at: after[0], id: after[1] } : undefined,
      limit: size + 1,
    });
    // The keyset is the exact time (microseconds): the rows one list read logs share it.
    const exactAt = new Map(rows.map((r) => [r.entry, r.at]));
    return toPage(
      rows.map((r) => r.entry),
      size,
      (e) => [exactAt.get(e), e.id],
    );
  }

  private async unit(id: string): Promise<Unit> {
    const unit = isId(id) ? await this.em.findOne(Unit, { id }) : null;
    if (!unit) throw badInput('unitId', 'No unit with that id exists.');
    return unit;
  }

  private async mailbox(id: string): Promise<SharedMailbox> {
    const mailbox = isId(id) ? await this.em.findOne(SharedMailbox, { id }) : null;
    if (!mailbox) throw notFound('shared mailbox');
    return mailbox;
  }

  private async flushUnique(field: string, message: string): Promise<void> {
    try {
      await this.em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        this.em.clear();
        throw new AppError(ErrorCode.CONFLICT, message, { field });
      }
      throw err;
    }
  }
}
