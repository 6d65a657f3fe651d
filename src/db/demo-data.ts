import type { EntityManager } from '@mikro-orm/postgresql';
import type { StaffViewer, Viewer } from '../auth/viewer';
import { AttachmentService } from '../domain/attachment.service';
import { MessageService } from '../domain/message.service';
import { CaseDocumentTemplate } from '../entities/case-document-pdf';
import { renderCaseDocumentPdf } from '../pdf/case-document-pdf';
import { PostgresBlobStore } from '../storage/blob-store';
import { Conversation } from '../entities/conversation';
import { Assignment, Case, Intervention } from '../entities/case';
import { Person } from '../entities/person';
import { Relation, RelationType } from '../entities/relation';
import { SharedMailbox, SharedMailboxMember } from '../entities/shared-mailbox';
import { Staff, StaffRole } from '../entities/staff';
import { Unit } from '../entities/unit';
import { lockDemoSeed } from '../stores/database.store';

/** Usernames and personnummer of the demo people, for the README, the token CLI and tests. */
export const DEMO = {
  caseworker: 'mararo01',
  secondCaseworker: 'annekh01',
  otherUnitCaseworker: 'bobarn01',
  executor: 'perutf01',
  admin: 'sysadm01',
  tolvan: '191212121212',
  relation: '198608261965',
  protectedPerson: '198112189876',
  otherUnitPerson: '201201012380',
} as const;

/**
 * The seed document's own scenario: Marita Aronsson's unit, citizen Tolvan
 * Tolvansson with an ongoing "Ekonomiskt bistånd" case, an intervention and an
 * executor assignment, Josefine registered as approved for messages, and a
 * person with protected identity. Loads once: returns false when present.
 */
export async function seedDemoData(em: EntityManager): Promise<boolean> {
  return em.transactional(async (em) => {
    // Serialise concurrent starts on the same database.
    await lockDemoSeed(em);
    if (await em.count(Staff, { username: DEMO.caseworker })) return false;
    const staff = createDemoStaff(em);
    const people = createDemoPeople(em, staff.marita);
    createDemoCases(em, staff, people);
    await em.flush();
    return true;
  });
}

const MUNICIPALITY = 'Söderköpings kommun';

/** The four units, their staff, and the shared mailbox of Marita's unit. */
function createDemoStaff(em: EntityManager) {
  const unit = (name: string) => em.create(Unit, { name, municipality: MUNICIPALITY });
  const ifo = unit('IFO Vuxen – Försörjningsstöd');
  const open = unit('Öppenvård vuxna (utförare)');
  const children = unit('IFO Barn och unga');
  const admins = unit('Systemförvaltning');
  const member = (
    username: string,
    givenName: string,
    familyName: string,
    title: string,
    role: StaffRole,
    unit: Unit,
  ) => em.create(Staff, { username, givenName, familyName, title, role, unit });
  const marita = member(DEMO.caseworker, 'Marita', 'Aronsson', 'Socialsekreterare', StaffRole.CASEWORKER, ifo);
  const anna = member(DEMO.secondCaseworker, 'Anna', 'Ekholm', 'Socialsekreterare', StaffRole.CASEWORKER, ifo);
  const bo = member(DEMO.otherUnitCaseworker, 'Bo', 'Barnström', 'Socialsekreterare', StaffRole.CASEWORKER, children);
  const per = member(DEMO.executor, 'Per', 'Utförsson', 'Budget- och skuldrådgivare', StaffRole.EXECUTOR, open);
  member(DEMO.admin, 'Siv', 'Systemsson', 'Systemförvaltare', StaffRole.ADMIN, admins);

  const mailbox = em.create(SharedMailbox, { name: 'Försörjningsstöd mottagning', unit: ifo });
  em.create(SharedMailboxMember, { mailbox, staff: marita });
  em.create(SharedMailboxMember, { mailbox, staff: anna });
  return { ifo, children, marita, anna, bo, per };
}

/** Tolvan and Josefine (e-service on), Sanna (protected identity) and Kalle (another unit's case). */
function createDemoPeople(em: EntityManager, marita: Staff) {
  // Contact details entered by staff count as verified (notifications to a protected identity need that).
  const verified = { mobileVerified: true, emailVerified: true };
  const activated = {
    messagingEnabled: true,
    notifyBySms: true,
    notifyByEmail: true,
    eServiceChangedAt: new Date(),
    eServiceChangedBy: marita,
    ...verified,
  };
  const tolvan = em.create(Person, {
    personnummer: DEMO.tolvan,
    givenName: 'Tolvan',
    familyName: 'Tolvansson',
    street: 'Storgatan 12',
    postalCode: '614 30',
    city: 'Söderköping',
    mobile: '+46701234567',
    email: 'tolvan.tolvansson@example.se',
    ...activated,
  });
  const josefine = em.create(Person, {
    personnummer: DEMO.relation,
    givenName: 'Josefine',
    familyName: 'Test Ek',
    street: 'Ströms väg 15 A',
    postalCode: '614 33',
    city: 'Söderköping',
    mobile: '+46703503375',
    email: 'josefine.testek@example.se',
    ...activated,
    notifyBySms: false,
  });
  const sanna = em.create(Person, {
    personnummer: DEMO.protectedPerson,
    givenName: 'Sanna',
    familyName: 'Skyddad',
    street: 'Hemlig adress 1',
    postalCode: '600 00',
    city: 'Okänd ort',
    mobile: '+46709998877',
    email: 'sanna@example.se',
    protectedIdentity: true,
    confidentialityMarking: true,
    ...verified,
    secretPhoneNumber: true,
  });
  const kalle = em.create(Person, {
    personnummer: DEMO.otherUnitPerson,
    givenName: 'Kalle',
    familyName: 'Barnsson',
    street: 'Skolvägen 3',
    postalCode: '614 31',
    city: 'Söderköping',
  });
  return { tolvan, josefine, sanna, kalle };
}

/** Tolvan's "Ekonomiskt bistånd" with its intervention, executor assignment and Josefine's relation; two more cases. */
function createDemoCases(
  em: EntityManager,
  { ifo, children, marita, anna, bo, per }: ReturnType<typeof createDemoStaff>,
  { tolvan, josefine, sanna, kalle }: ReturnType<typeof createDemoPeople>,
) {
  const ek = em.create(Case, {
    title: 'Ekonomiskt bistånd',
    holder: tolvan,
    unit: ifo,
    caseworker: marita,
    openedOn: '2024-02-15',
  });
  const ekInsats = em.create(Intervention, {
    case: ek,
    code: 'EK',
    name: 'Ekonomiskt bistånd',
    startDate: '2024-02-15',
  });
  em.create(Assignment, {
    case: ek,
    intervention: ekInsats,
    executor: per,
    description: 'Budgetrådgivning',
    startDate: '2024-03-01',
  });
  em.create(Relation, {
    case: ek,
    person: josefine,
    types: [RelationType.APPROVED_FOR_MESSAGES],
    validFrom: '2024-08-01',
    registeredBy: marita,
    activatedAt: new Date(),
    activatedBy: marita,
  });
  em.create(Case, { title: 'Skydd och stöd', holder: sanna, unit: ifo, caseworker: anna, openedOn: '2025-01-10' });
  em.create(Case, { title: 'Utredning barn', holder: kalle, unit: children, caseworker: bo, openedOn: '2025-06-01' });
}

/**
 * A few demo conversations, written through the messaging service as real
 * users would: Marita to Tolvan, Tolvan's answer, Josefine (relation) to
 * Marita, and a colleague message to the shared mailbox. Loads once.
 */
export async function seedDemoConversations(em: EntityManager): Promise<boolean> {
  if (await em.count(Conversation, {})) return false;
  const staff = async (username: string) => {
    const s = await em.findOneOrFail(Staff, { username }, { populate: ['unit'] });
    return { kind: 'staff' as const, staff: s, role: s.role };
  };
  const citizen = async (personnummer: string) => ({
    kind: 'citizen' as const,
    person: await em.findOneOrFail(Person, { personnummer }),
  });
  const marita = await staff(DEMO.caseworker);
  const anna = await staff(DEMO.secondCaseworker);
  const tolvan = await citizen(DEMO.tolvan);
  const josefine = await citizen(DEMO.relation);
  const mailbox = await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' });
  const as = (viewer: Viewer) => new MessageService(em.fork(), viewer, 'demo-data');

  const attachment = await uploadKallelse(em, marita, tolvan.person);
  const [welcome] = await as(marita).send({
    idempotencyKey: 'demo-welcome-tolvan',
    to: { personIds: [tolvan.person.id] },
    subject: 'Påminnelse om mötestid',
    body: '<p>Hej Tolvan!</p><p>Torsdag 23/8 kl 14.00 har vi nästa möte inbokat. Bifogar de punkter som vi ska återkoppla kring. Välkommen!</p>',
    readReceiptRequested: true,
    attachmentIds: [attachment.id],
  });
  await as(tolvan).reply(welcome.id, { idempotencyKey: 'demo-reply-tolvan', body: '<p>Tack, jag kommer.</p>' });
  await as(josefine).send({
    idempotencyKey: 'demo-josefine-question',
    to: { staffIds: [marita.staff.id] },
    subject: 'Fråga om ansökan',
    body: '<p>Hej! Jag hjälper Tolvan med ansökan. Vilka papper behövs?</p>',
  });
  await as(anna).send({
    idempotencyKey: 'demo-colleague-mailbox',
    to: { sharedMailboxIds: [mailbox.id] },
    subject: 'Bemanning i receptionen',
    body: '<p>Kan någon ta receptionen på fredag förmiddag?</p>',
  });
  return true;
}

/** The welcome carries a PDF, as the seed's messages do (the points to follow up), so a first try can download one. */
async function uploadKallelse(em: EntityManager, marita: StaffViewer, tolvan: Person) {
  const kallelse = await renderCaseDocumentPdf({
    template: CaseDocumentTemplate.KALLELSE,
    municipality: MUNICIPALITY,
    unit: marita.staff.unit.name,
    date: '2024-08-20',
    title: 'Kallelse till möte',
    typeLabel: 'Brev',
    reference: {
      caseTitle: 'Ekonomiskt bistånd',
      caseOpenedOn: '2024-02-15',
      caseRef: 'Ekonomiskt bistånd',
      contactName: marita.staff.name,
      contactTitle: marita.staff.title,
    },
    recipient: { name: tolvan.name, addressLines: ['Storgatan 12', '614 30 Söderköping'] },
    text:
      'Välkommen till möte torsdag 23/8 kl 14.00 på Socialkontoret.\n\n' +
      'Vi går igenom de punkter som vi ska återkoppla kring: din ansökan om ekonomiskt bistånd och din budget.',
    author: { name: marita.staff.name, title: marita.staff.title },
    createdAt: new Date(),
    createdBy: marita.staff.username,
  });
  return new AttachmentService(em.fork(), marita, new PostgresBlobStore(), 'demo-data').upload(
    kallelse,
    'Kallelse till möte.pdf',
  );
}
