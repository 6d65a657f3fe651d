import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { ContactList, ContactListEntry } from '../entities/contact-list';
import { SharedMailbox } from '../entities/shared-mailbox';
import { Staff } from '../entities/staff';
import { AppError, badInput, ErrorCode, notFound } from '../errors';
import { isId } from './ids';
import { singleLineText } from './text';

/** A staff member's own contact lists (kontaktlistor): named lists of staff and shared mailboxes for quick addressing. */
export class ContactListService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: StaffViewer,
  ) {}

  async list(): Promise<ContactList[]> {
    return this.em.find(ContactList, { owner: this.viewer.staff.id }, { orderBy: { name: 'asc', id: 'asc' } });
  }

  async save(args: {
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
        list = em.create(ContactList, { owner: this.viewer.staff.id, name });
      }
      for (const id of staffIds) em.create(ContactListEntry, { list, staff: id });
      for (const id of mailboxIds) em.create(ContactListEntry, { list, mailbox: id });
      await em.flush();
      return list;
    });
  }

  async delete(id: string): Promise<boolean> {
    const list = isId(id) ? await this.em.findOne(ContactList, { id, owner: this.viewer.staff.id }) : null;
    if (!list) throw notFound('contact list');
    await this.em.nativeDelete(ContactListEntry, { list: list.id });
    await this.em.remove(list).flush();
    return true;
  }
}
