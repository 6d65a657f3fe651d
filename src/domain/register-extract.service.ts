import { createHash } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { zipSync, strToU8, type Zippable } from 'fflate';
import type PgBoss from 'pg-boss';
import type { Viewer } from '../auth/viewer';
import type { Config } from '../config';
import { AccessAction } from '../entities/access-log-entry';
import { Person } from '../entities/person';
import { RegisterExtract, RegisterExtractStatus } from '../entities/register-extract';
import { Staff } from '../entities/staff';
import { badInput, notFound } from '../errors';
import { log } from '../log';
import { ensureQueue, transactionDb } from '../notifications/boss';
import type { BlobStore } from '../storage/blob-store';
import { logPersonAccess } from './access-log.service';
import { isId } from './ids';
import { parsePersonnummer } from './personnummer';
import { sql, uuid } from './sql';
import { query } from '../stores/query';

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
      await query(em, sql`delete from attachment_blob where key = ${extract.storageKey}`);
      extract.status = RegisterExtractStatus.DOWNLOADED;
      extract.downloadedAt = new Date();
      extract.storageKey = null;
      await em.flush();
      return { extract, bytes };
    });
  }
}

/** X2/X3: everything held about the person, as the JSON document and the PDFs. */
export async function buildRegisterExtract(
  em: EntityManager,
  personId: string,
  opts: { forStaff?: boolean } = {},
): Promise<{ json: Record<string, unknown>; files: { path: string; bytes: Buffer }[] }> {
  const p = uuid(personId);
  const one = async (q: ReturnType<typeof sql>) => query<Record<string, unknown>>(em, q);
  const [profile] =
    await one(sql`select personnummer, given_name as "givenName", family_name as "familyName", street, postal_code as "postalCode", city, mobile, home_phone as "homePhone", work_phone as "workPhone", email,
      protected_identity as "protectedIdentity", confidentiality_marking as "confidentialityMarking", secret_phone_number as "secretPhoneNumber", needs_interpreter as "needsInterpreter", interpreter_language as "interpreterLanguage",
      messaging_enabled as "messagingEnabled", notify_by_sms as "notifyBySms", notify_by_email as "notifyByEmail", created_at as "registeredAt"
    from person where id = ${p}`);
  // A protected identity's address and contact details never go to staff in a file (R3): the person gets them from their own extract.
  if (profile?.protectedIdentity && opts.forStaff) {
    for (const k of ['street', 'postalCode', 'city', 'mobile', 'homePhone', 'workPhone', 'email']) profile[k] = null;
    profile.note =
      'Skyddad folkbokföring: adress och kontaktuppgifter lämnas inte ut i ett utdrag som personal tar fram.';
  } else if (profile?.secretPhoneNumber && opts.forStaff) {
    // Hemligt telefonnummer: the numbers are not given out in a file staff produce either.
    for (const k of ['mobile', 'homePhone', 'workPhone']) profile[k] = null;
    profile.note = 'Hemligt telefonnummer: telefonnummer lämnas inte ut i ett utdrag som personal tar fram.';
  }
  const cases = await one(sql`select c.id, c.title, c.status, c.opened_on as "openedOn", c.closed_on as "closedOn",
      (select coalesce(json_agg(json_build_object('code', i.code, 'name', i.name, 'startDate', i.start_date, 'endDate', i.end_date) order by i.start_date), '[]') from intervention i where i.case_id = c.id) as interventions,
      (select coalesce(json_agg(json_build_object('types', r.types, 'validFrom', r.valid_from, 'validTo', r.valid_to) order by r.valid_from), '[]') from relation r where r.case_id = c.id) as "relationsRegistered"
    from case_file c where c.holder_id = ${p} order by c.opened_on`);
  // The cases the person is a relation on: the case and the relation, not the case holder (X3).
  const relations =
    await one(sql`select r.types, r.valid_from as "validFrom", r.valid_to as "validTo", r.activated_at as "activatedAt", c.title as "caseTitle"
    from relation r join case_file c on c.id = r.case_id where r.person_id = ${p} order by r.valid_from`);
  const messages =
    await one(sql`select m.id, m.conversation_id as "conversationId", m.subject, m.body_text as "text", m.body_html as "html", m.created_at as "sentAt",
      case when m.sender_person_id = ${p} then 'Du' when m.sender_staff_id is not null then coalesce(s.given_name || ' ' || s.family_name, '') || coalesce(' (' || mb.name || ')', '')
           else sp.given_name || ' ' || sp.family_name end as "senderName",
      coalesce(m.sender_person_id = ${p}, false) as "sentByYou",
      (select r.read_at from message_recipient r where r.message_id = m.id and r.person_id = ${p} limit 1) as "readByYouAt",
      (select coalesce(json_agg(json_build_object('kind', e.kind, 'at', e.created_at, 'by', e.actor_name, 'detail', e.detail) order by e.created_at), '[]') from message_event e where e.message_id = m.id) as history,
      (select coalesce(json_agg(json_build_object('id', a.id, 'filename', a.filename, 'size', a.size, 'sha256', a.sha256) order by a.created_at), '[]') from attachment a where a.message_id = m.id) as attachments
    from message m
    left join staff s on s.id = m.sender_staff_id
    left join shared_mailbox mb on mb.id = m.sender_mailbox_id
    left join person sp on sp.id = m.sender_person_id
    where m.sender_person_id = ${p} or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${p})
    order by m.created_at, m.id`);
  const conversations =
    await one(sql`select c.id, c.subject, c.created_at as "startedAt", c.last_message_at as "lastMessageAt"
    from conversation c where c.id in (select distinct m.conversation_id from message m where m.sender_person_id = ${p} or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${p}))
    order by c.last_message_at`);
  const drafts = await one(
    sql`select d.subject, d.body_html as "html", d.saved_at as "savedAt" from draft d where d.owner_person_id = ${p} order by d.saved_at`,
  );
  const notificationDeliveries = await one(
    sql`select nd.channel, nd.delivered_at as "deliveredAt", nd.message_id as "messageId" from notification_delivery nd where nd.person_id = ${p} order by nd.delivered_at`,
  );
  const accessLog =
    await one(sql`select l.created_at as "at", l.action, l.actor_role as "role", s.given_name || ' ' || s.family_name as "staffName"
    from access_log_entry l join staff s on s.id = l.actor_id where l.person_id = ${p} order by l.created_at`);
  const extracts = await one(
    sql`select x.created_at as "requestedAt", x.status from register_extract x where x.person_id = ${p} order by x.created_at`,
  );

  const files: { path: string; bytes: Buffer }[] = [];
  const rows =
    await one(sql`select a.id, a.filename, b.bytes from attachment a join message m on m.id = a.message_id join attachment_blob b on b.key = a.storage_key
    where m.sender_person_id = ${p} or exists (select 1 from message_recipient r where r.message_id = m.id and r.person_id = ${p}) order by a.created_at, a.id`);
  for (const r of rows)
    files.push({
      path: `bilagor/${r.id}-${String(r.filename).replace(/[^\w.\-åäöÅÄÖ ]/g, '_')}`,
      bytes: r.bytes as Buffer,
    });
  const fileOf = new Map(
    rows.map((r) => [r.id as string, `bilagor/${r.id}-${String(r.filename).replace(/[^\w.\-åäöÅÄÖ ]/g, '_')}`]),
  );
  for (const m of messages) for (const a of m.attachments as { id: string; file?: string }[]) a.file = fileOf.get(a.id);

  const json = {
    format: 'ifo-registerutdrag/1',
    createdAt: new Date().toISOString(),
    about:
      'Allt som e-tjänsten för meddelanden med socialtjänsten har sparat om dig. Journalanteckningar i din akt lämnas ut av socialtjänsten på begäran.',
    profile,
    cases,
    relations,
    conversations: conversations.map((c) => ({
      ...c,
      messages: messages.filter((m) => m.conversationId === c.id).map(({ conversationId: _c, ...m }) => m),
    })),
    drafts,
    notificationDeliveries,
    accessLog,
    registerExtracts: extracts,
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
  const entries: Zippable = { 'registerutdrag.json': strToU8(JSON.stringify(json, null, 2)) };
  // PDFs are compressed already: stored as they are, which also keeps the work small.
  for (const f of files) entries[f.path] = [new Uint8Array(f.bytes), { level: 0 }];
  const zip = Buffer.from(zipSync(entries, { level: 6 }));
  await em.transactional(async (tx) => {
    const key = await store.put(tx, zip);
    await query(
      tx,
      sql`update register_extract set status = 'READY', storage_key = ${key}, size = ${zip.length}, sha256 = ${createHash('sha256').update(zip).digest('hex')},
             ready_at = now(), expires_at = now() + make_interval(days => ${config.retention.registerExtractDays}) where id = ${uuid(extractId)} and status = 'PENDING'`,
    );
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
        if (job.retryCount >= jobOptions.retryLimit)
          await query(
            deps.em(),
            sql`update register_extract set status = 'FAILED' where id = ${uuid(job.data.extractId)} and status = 'PENDING'`,
          );
        throw err;
      }
    },
  );
  return { stop: () => boss.offWork(REGISTER_EXTRACT_QUEUE) };
}

export async function ensureRegisterExtractQueue(boss: PgBoss): Promise<void> {
  await ensureQueue(boss, REGISTER_EXTRACT_QUEUE, jobOptions);
}
