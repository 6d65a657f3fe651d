import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Zippable } from 'fflate';
import type PgBoss from 'pg-boss';
import type { Viewer } from '../auth/viewer';
import type { Config } from '../config';
import { AccessAction } from '../entities/access-log-entry';
import { Person } from '../entities/person';
import { RegisterExtract, RegisterExtractStatus } from '../entities/register-extract';
import { Staff } from '../entities/staff';
import { badInput, notFound } from '../errors';
import { log } from '../log';
import { ensureQueue } from '../notifications/boss';
import { transactionDb } from '../stores/job-queue.store';
import type { BlobStore } from '../storage/blob-store';
import { logPersonAccess } from './access-log.service';
import { isId } from './ids';
import { parsePersonnummer } from './personnummer';
import {
  deleteExtractFile,
  markExtractFailed,
  markExtractReady,
  readExtractAttachments,
  readExtractCases,
  readExtractConversations,
  readExtractMessages,
  readExtractProfile,
  readExtractRecords,
  readExtractRelations,
} from '../stores/register-extract.store';

export const REGISTER_EXTRACT_QUEUE = 'register-extract';
const jobOptions = { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 1800 } as const;

/**
 * Register extracts (registerutdrag, GDPR art. 15).
 *
 * X1 A citizen asks for their own; an administrator for a personnummer.
 * X2 A background job puts everything the service holds about the person in
 *    one ZIP: registerutdrag.json (profile, cases, relations, conversations
 *    and messages, history, drafts, notification deliveries, and the
 *    access-log rows of who read their data) and the PDFs of their messages.
 * X3 Nothing about other people beyond what the law allows: other people
 *    appear only as the names of senders and of the staff who read the data;
 *    no other person's personnummer, address or contact details, and the
 *    persons on the person's cases only by relation type and dates. An
 *    extract of a protected identity made for staff leaves out the address
 *    and contact details.
 * X4 Downloadable once, by whoever asked; the file then goes (so does an
 *    undownloaded one after REGISTER_EXTRACT_DAYS, by gallring). The row
 *    stays as the record of the request.
 */
export class RegisterExtractService {
  constructor(
    private readonly em: EntityManager,
    private readonly viewer: Viewer,
    private readonly requestId: string,
  ) {}

  /** X1: asks for an extract and queues its job in the same transaction. */
  async request(boss: PgBoss | undefined, personnummer?: string | null): Promise<RegisterExtract> {
    if (!boss) throw new Error('job queue missing');
    await ensureRegisterExtractQueue(boss);
    return this.em.transactional(async (em) => {
      let person: Person | null;
      if (this.viewer.kind === 'citizen') person = await em.findOne(Person, { id: this.viewer.person.id });
      else {
        const pnr = parsePersonnummer(personnummer ?? '');
        if (!pnr.ok) throw badInput('personnummer', pnr.reason);
        person = await em.findOne(Person, { personnummer: pnr.value });
      }
      if (!person) throw notFound('person');
      // Asking again while one is being made answers that one: a double click makes one ZIP, not two.
      const requester =
        this.viewer.kind === 'citizen' ? { requestedByPerson: person.id } : { requestedByStaff: this.viewer.staff.id };
      const pending = await em.findOne(RegisterExtract, {
        person: person.id,
        status: RegisterExtractStatus.PENDING,
        ...requester,
      });
      if (pending) return pending;
      const extract = em.create(RegisterExtract, {
        person,
        requestedByPerson: this.viewer.kind === 'citizen' ? person : null,
        requestedByStaff: this.viewer.kind === 'staff' ? em.getReference(Staff, this.viewer.staff.id) : null,
      });
      await em.flush();
      // Staff reading a person's data: in the access log, like every other read.
      if (this.viewer.kind === 'staff')
        await logPersonAccess(em, this.viewer, this.requestId, [person.id], AccessAction.REGISTER_EXTRACT);
      await boss.send(REGISTER_EXTRACT_QUEUE, { extractId: extract.id }, {
        ...jobOptions,
        db: transactionDb(em),
      } as PgBoss.SendOptions);
      return extract;
    });
  }

  /** The extracts this caller asked for, newest first. */
  async mine(): Promise<RegisterExtract[]> {
    const where =
      this.viewer.kind === 'citizen'
        ? { requestedByPerson: this.viewer.person.id }
        : { requestedByStaff: this.viewer.staff.id };
    return this.em.find(RegisterExtract, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: 50 });
  }

  /** X4: the ZIP, once, for whoever asked; then the file goes. Anyone else, or a second time: NOT_FOUND. */
  async download(store: BlobStore, id: string): Promise<{ extract: RegisterExtract; bytes: Buffer }> {
    return this.em.transactional(async (em) => {
      const extract = isId(id)
        ? await em.findOne(RegisterExtract, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE })
        : null;
      const mine =
        extract &&
        (this.viewer.kind === 'citizen'
          ? extract.requestedByPerson?.id === this.viewer.person.id
          : extract.requestedByStaff?.id === this.viewer.staff.id);
      if (!extract || !mine || extract.status !== RegisterExtractStatus.READY || !extract.storageKey)
        throw notFound('register extract ready for download');
      const bytes = await store.get(em, extract.storageKey);
      if (!bytes) throw notFound('register extract ready for download');
      await deleteExtractFile(em, { storageKey: extract.storageKey });
      extract.status = RegisterExtractStatus.DOWNLOADED;
      extract.downloadedAt = new Date();
      extract.storageKey = null;
      await em.flush();
      return { extract, bytes };
    });
  }
}

/**
 * X3: a protected identity's address and contact details never go to staff in a file (R3): the person gets
 * them from their own extract. A secret phone number's numbers do not either.
 */
function redactForStaff(profile: Record<string, unknown>): void {
  if (profile.protectedIdentity) {
    for (const k of ['street', 'postalCode', 'city', 'mobile', 'homePhone', 'workPhone', 'email']) profile[k] = null;
    profile.note =
      'Skyddad folkbokföring: adress och kontaktuppgifter lämnas inte ut i ett utdrag som personal tar fram.';
  } else if (profile.secretPhoneNumber) {
    for (const k of ['mobile', 'homePhone', 'workPhone']) profile[k] = null;
    profile.note = 'Hemligt telefonnummer: telefonnummer lämnas inte ut i ett utdrag som personal tar fram.';
  }
}

/** Where an attachment goes in the ZIP: its id and its filename with only safe characters. */
const attachmentPath = (a: { id: string; filename: string }) =>
  `bilagor/${a.id}-${String(a.filename).replace(/[^\w.\-åäöÅÄÖ ]/g, '_')}`;

/** X2/X3: everything held about the person, as the JSON document and the PDFs. */
export async function buildRegisterExtract(
  em: EntityManager,
  personId: string,
  opts: { forStaff?: boolean } = {},
): Promise<{ json: Record<string, unknown>; files: { path: string; bytes: Buffer }[] }> {
  const profile = await readExtractProfile(em, { personId });
  if (profile && opts.forStaff) redactForStaff(profile);
  const cases = await readExtractCases(em, { personId });
  const relations = await readExtractRelations(em, { personId });
  const messages = await readExtractMessages(em, { personId });
  const conversations = await readExtractConversations(em, { personId });
  const records = await readExtractRecords(em, { personId });
  const attachments = await readExtractAttachments(em, { personId });

  const files = attachments.map((a) => ({ path: attachmentPath(a), bytes: a.bytes }));
  const fileOf = new Map(attachments.map((a) => [a.id, attachmentPath(a)]));
  for (const m of messages) for (const a of m.attachments as { id: string; file?: string }[]) a.file = fileOf.get(a.id);

  const json = {
    format: 'ifo-registerutdrag/1',
    createdAt: new Date().toISOString(),
    about:
      'Allt som e-tjänsten för meddelanden med socialtjänsten har sparat om dig. ' +
      'Journalanteckningar i din akt lämnas ut av socialtjänsten på begäran.',
    profile,
    cases,
    relations,
    conversations: conversations.map((c) => ({
      ...c,
      messages: messages.filter((m) => m.conversationId === c.id).map(({ conversationId: _c, ...m }) => m),
    })),
    drafts: records.drafts,
    notificationDeliveries: records.notificationDeliveries,
    accessLog: records.accessLog,
    registerExtracts: records.registerExtracts,
  };
  return { json, files };
}

/** The job: builds the ZIP, stores it in the BlobStore, marks the extract READY. */
export async function makeRegisterExtract(
  em: EntityManager,
  store: BlobStore,
  config: Config,
  extractId: string,
): Promise<void> {
  const extract = await em.findOne(RegisterExtract, { id: extractId });
  if (!extract || extract.status !== RegisterExtractStatus.PENDING) return;
  const { json, files } = await buildRegisterExtract(em, extract.person.id, {
    forStaff: extract.requestedByStaff != null,
  });
  // Loaded with the first extract, not at every start (issue 12 item 4).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { zipSync, strToU8 } = require('fflate') as typeof import('fflate');
  const entries: Zippable = { 'registerutdrag.json': strToU8(JSON.stringify(json, null, 2)) };
  // PDFs are compressed already: stored as they are, which also keeps the work small.
  for (const f of files) entries[f.path] = [new Uint8Array(f.bytes), { level: 0 }];
  const zip = Buffer.from(zipSync(entries, { level: 6 }));
  await em.transactional(async (tx) => {
    const key = await store.put(tx, zip);
    await markExtractReady(tx, {
      id: extractId,
      storageKey: key,
      size: zip.length,
      sha256: createHash('sha256').update(zip).digest('hex'),
      days: config.retention.registerExtractDays,
    });
  });
}

export async function startRegisterExtractJobs(deps: {
  em: () => EntityManager;
  boss: PgBoss;
  config: Config;
  store: BlobStore;
}): Promise<{ stop(): Promise<void> }> {
  const { boss } = deps;
  await ensureRegisterExtractQueue(boss);
  await boss.work<{ extractId: string }>(
    REGISTER_EXTRACT_QUEUE,
    { pollingIntervalSeconds: 2, batchSize: 1, includeMetadata: true },
    async ([job]) => {
      try {
        await makeRegisterExtract(deps.em(), deps.store, deps.config, job.data.extractId);
      } catch (err) {
        log.error('register extract failed', { err, extractId: job.data.extractId });
        if (job.retryCount >= jobOptions.retryLimit) await markExtractFailed(deps.em(), { id: job.data.extractId });
        throw err;
      }
    },
  );
  return { stop: () => boss.offWork(REGISTER_EXTRACT_QUEUE) };
}

export async function ensureRegisterExtractQueue(boss: PgBoss): Promise<void> {
  await ensureQueue(boss, REGISTER_EXTRACT_QUEUE, jobOptions);
}
