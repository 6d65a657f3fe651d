import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { MailboxSettings } from '../entities/mailbox-settings';
import { SharedMailbox } from '../entities/shared-mailbox';
import { badInput } from '../errors';
import { isId } from './ids';
import { multiLineText } from './text';

export interface MailboxSettingsInput {
  signature?: string | null;
  absenceEnabled?: boolean | null;
  absenceReply?: string | null;
  absenceForwardToId?: string | null;
}

const MAX_TEXT = 2000;

/** A staff member's own signature and out-of-office (frånvaro). */
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
      settings ??= em.create(MailboxSettings, { staff: this.viewer.staff.id });
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
}
