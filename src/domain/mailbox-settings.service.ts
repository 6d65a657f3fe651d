import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { ContactList, ContactListEntry } from '../entities/contact-list';
import { MailboxSettings } from '../entities/mailbox-settings';
import { SharedMailbox } from '../entities/shared-mailbox';
import { Staff } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { isId } from './ids';
import { multiLineText, singleLineText } from './text';

export interface MailboxSettingsInput {
  signature?: string | null;
  absenceEnabled?: boolean | null;
  absenceReply?: string | null;
  absenceForwardToId?: string | null;
}

const MAX_TEXT = 2000;

/** A staff member's own signature, out-of-office and contact lists. */
export class MailboxSettingsService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
  ) {}

  async get(): Promise<MailboxSettings> {
    return (
      (await this.em.findOne(MailboxSettings, { staff: this.viewer.staff.id })) ??
      this.em.create(MailboxSettings, { staff: this.viewer.staff }, { persist: false })
    );
  }

  /**
   * Turning out-of-office on starts a new absence: each conversation gets one
   * automatic reply per absence. It needs a reply text.
   */
  async update(input: MailboxSettingsInput): Promise<MailboxSettings> {
    return this.em.transactional(async (em) => {
      let settings = await em.findOne(MailboxSettings, { staff: this.viewer.staff.id });
      settings ??= em.create(MailboxSettings, { staff: this.viewer.staff.id as never });
      if (input.signature != null) {
        if (input.signature.length > MAX_TEXT)
          throw badInput('signature', `Keep the signature under ${MAX_TEXT} characters.`);
        settings.signature = multiLineText(input.signature).trim();
      }
      if (input.absenceReply != null) {
        if (input.absenceReply.length > MAX_TEXT)
          throw badInput('absenceReply', `Keep the automatic reply under ${MAX_TEXT} characters.`);
        settings.absenceReply = multiLineText(input.absenceReply).trim();
      }
      if (input.absenceForwardToId !== undefined) {
        if (input.absenceForwardToId === null) settings.absenceForwardTo = null;
        else {
          const mailbox = isId(input.absenceForwardToId)
            ? await em.findOne(SharedMailbox, { id: input.absenceForwardToId })
            : null;
          if (!mailbox) throw badInput('absenceForwardToId', 'Choose an existing shared mailbox to forward to.');
          settings.absenceForwardTo = mailbox;
        }
      }
      if (input.absenceEnabled != null && input.absenceEnabled !== settings.absenceEnabled) {
        settings.absenceEnabled = input.absenceEnabled;
        settings.absenceSince = input.absenceEnabled ? new Date() : null;
      }
      if (settings.absenceEnabled && !settings.absenceReply) {
        throw badInput('absenceReply', 'Write the automatic reply senders get while you are away.');
      }
      await em.flush();
      return settings;
    });
  }

  // --- contact lists ---------------------------------------------------------------------

  async contactLists(): Promise<ContactList[]> {
    return this.em.find(ContactList, { owner: this.viewer.staff.id }, { orderBy: { name: 'asc', id: 'asc' } });
  }

  async saveContactList(args: {
    id?: string | null;
    name: string;
    staffIds: readonly string[];
    sharedMailboxIds: readonly string[];
  }): Promise<ContactList> {
    const name = singleLineText(args.name);
    if (!name || name.length > 100) throw badInput('name', 'Give the list a name of at most 100 characters.');
    const staffIds = [...new Set(args.staffIds)];
    const mailboxIds = [...new Set(args.sharedMailboxIds)];
    if (staffIds.length + mailboxIds.length > 200)
      throw badInput('staffIds', 'A contact list holds at most 200 entries.');
    return this.em.transactional(async (em) => {
      const staff = staffIds.length ? await em.count(Staff, { id: { $in: staffIds.filter(isId) } }) : 0;
      if (staff !== staffIds.length) throw badInput('staffIds', 'A staff member in the list does not exist.');
      const boxes = mailboxIds.length ? await em.count(SharedMailbox, { id: { $in: mailboxIds.filter(isId) } }) : 0;
      if (boxes !== mailboxIds.length)
        throw badInput('sharedMailboxIds', 'A shared mailbox in the list does not exist.');
      let list: ContactList;
      const found = args.id
        ? isId(args.id)
          ? await em.findOne(ContactList, { id: args.id, owner: this.viewer.staff.id })
          : null
        : undefined;
      if (found === null) throw notFound('contact list');
      // Renaming a list onto another of one's lists is the same clash as creating it twice.
      if (
        await em.count(ContactList, { owner: this.viewer.staff.id, name, ...(found ? { id: { $ne: found.id } } : {}) })
      ) {
        throw new AppError(ErrorCode.CONFLICT, 'You already have a contact list with that name.', { field: 'name' });
      }
      if (found) {
        list = found;
        list.name = name;
        await em.nativeDelete(ContactListEntry, { list: list.id });
      } else {
        list = em.create(ContactList, { owner: this.viewer.staff.id as never, name });
      }
      for (const id of staffIds) em.create(ContactListEntry, { list, staff: id as never });
      for (const id of mailboxIds) em.create(ContactListEntry, { list, mailbox: id as never });
      await em.flush();
      return list;
    });
  }

  async deleteContactList(id: string): Promise<boolean> {
    const list = isId(id) ? await this.em.findOne(ContactList, { id, owner: this.viewer.staff.id }) : null;
    if (!list) throw notFound('contact list');
    await this.em.nativeDelete(ContactListEntry, { list: list.id });
    await this.em.remove(list).flush();
    return true;
  }
}
