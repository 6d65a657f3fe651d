import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer } from '../auth/viewer';
import { AccessAction } from '../entities/access-log-entry';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';
import { badInput, forbidden } from '../errors';
import { isId } from './ids';
import { parsePersonnummer } from './personnummer';
import { accessLogExportBatch } from '../stores/access-log.store';

/** Rows read per statement while streaming: memory stays flat however long the log is. */
export const EXPORT_BATCH = 1000;

/** The CSV's columns, in Swedish, for the municipality's log reviews. */
export const EXPORT_HEADER = [
  'Tidpunkt (svensk tid)',
  'Personal',
  'Användarnamn',
  'Roll',
  'Åtgärd',
  'Åtgärdskod',
  'Person-id',
  'Förfrågans id',
];

const ROLE_SV: Record<StaffRole, string> = {
  [StaffRole.ADMIN]: 'Systemförvaltare',
  [StaffRole.CASEWORKER]: 'Handläggare',
  [StaffRole.EXECUTOR]: 'Utförare',
};

/** The same words as the staff UI's Loggkontroll (clients/staff/app/src/admin/strings.sv.ts). */
const ACTION_SV: Record<AccessAction, string> = {
  [AccessAction.PERSON_LIST]: 'Visad i en sökning eller lista',
  [AccessAction.PERSON_READ]: 'Personbilden öppnad',
  [AccessAction.PERSON_UPDATE]: 'Kontaktuppgifter ändrade',
  [AccessAction.E_SERVICE_CHANGE]: 'E-tjänsten på- eller avkopplad',
  [AccessAction.CASE_READ]: 'Ärende öppnat',
  [AccessAction.RELATION_READ]: 'Visad som relation i ett ärende',
  [AccessAction.RELATION_CHANGE]: 'Relation registrerad eller ändrad',
  [AccessAction.CONVERSATION_LIST]: 'Konversation visad i en brevlåda',
  [AccessAction.CONVERSATION_READ]: 'Konversation öppnad',
  [AccessAction.MESSAGE_SENT]: 'Meddelande skickat',
  [AccessAction.ATTACHMENT_DOWNLOAD]: 'Bilaga nedladdad',
  [AccessAction.JOURNAL_READ]: 'Journalen läst',
  [AccessAction.JOURNAL_WRITE]: 'Journalfört',
  [AccessAction.DOCUMENT_READ]: 'Dokumentation läst',
  [AccessAction.DOCUMENT_WRITE]: 'Dokument skrivet, låst eller skickat',
  [AccessAction.REGISTER_EXTRACT]: 'Registerutdrag',
};

export interface ExportFilter {
  /** The person whose data was read; null when the personnummer belongs to nobody here (then there are no rows). */
  personId: string | null;
  staffId: string | null;
  /** False when a personnummer was given that belongs to no person: the export is empty. */
  matchesAnyone: boolean;
}

/**
 * Loggkontroll as a file: every access-log row of a person (by personnummer,
 * any common format) and/or of a staff member, newest first, for
 * administrators only. The filter is checked before anything is sent, so a
 * refusal is a proper error answer rather than a broken file.
 */
export class AccessLogExport {
  constructor(
    private readonly em: EntityManager,
    viewer: StaffViewer,
  ) {
    if (viewer.role !== StaffRole.ADMIN)
      throw forbidden('Only system administrators may export the access log (loggkontroll).');
  }

  async filter(args: { personnummer?: string; staffId?: string }): Promise<ExportFilter> {
    const personnummer = args.personnummer?.trim() || undefined;
    const staffId = args.staffId?.trim() || undefined;
    if (!personnummer && !staffId)
      throw badInput('personnummer', 'Give a personnummer, a staffId, or both (?personnummer=…&staffId=…).');
    let staff: string | null = null;
    if (staffId) {
      const found = isId(staffId) ? await this.em.findOne(Staff, { id: staffId }, { fields: ['id'] as const }) : null;
      if (!found) throw badInput('staffId', 'No staff member with that id exists. Choose one from staffMembers.');
      staff = found.id;
    }
    if (!personnummer) return { personId: null, staffId: staff, matchesAnyone: true };
    const pnr = parsePersonnummer(personnummer);
    if (!pnr.ok) throw badInput('personnummer', pnr.reason);
    const person = await this.em.findOne(Person, { personnummer: pnr.value }, { fields: ['id'] as const });
    return { personId: person?.id ?? null, staffId: staff, matchesAnyone: !!person };
  }

  /** The rows as CSV records (header first), read in batches by keyset, newest first. */
  async *records(filter: ExportFilter): AsyncGenerator<string[]> {
    yield EXPORT_HEADER;
    if (!filter.matchesAnyone) return;
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows = await accessLogExportBatch(this.em, {
        personId: filter.personId,
        staffId: filter.staffId,
        before: after,
        limit: EXPORT_BATCH,
      });
      for (const r of rows) {
        yield [
          r.local_time,
          `${r.given_name} ${r.family_name}`,
          r.username,
          ROLE_SV[r.actor_role] ?? r.actor_role,
          ACTION_SV[r.action] ?? r.action,
          r.action,
          r.person_id,
          r.request_id,
        ];
      }
      if (rows.length < EXPORT_BATCH) return;
      const last = rows[rows.length - 1];
      after = { at: last.created_at, id: last.id };
    }
  }
}

/**
 * One CSV cell (RFC 4180 quoting; `;` separates cells, as Excel expects in
 * Swedish). A cell that a spreadsheet would take as a formula (= + - @, or a
 * tab or carriage return first) is prefixed with ' so it stays text.
 * Written here rather than with csv-stringify: quoting is these two lines, the
 * formula guard (which csv-stringify does not do) would be ours anyway, and the
 * rows are streamed in keyset batches that need no stream transform.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[";\r\n,]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(';')}\r\n`;
