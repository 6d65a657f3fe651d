import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CitizenViewer, StaffViewer, Viewer } from '../src/auth/viewer';
import { DEMO, seedDemoConversations, seedDemoData } from '../src/db/demo-data';
import type { Orm } from '../src/db/orm';
import { MessageService } from '../src/domain/message.service';
import { todayInSweden } from '../src/domain/time';
import { Case } from '../src/entities/case';
import { ConversationParticipant } from '../src/entities/conversation';
import { partyKey, PartyKind } from '../src/entities/party';
import { Person } from '../src/entities/person';
import { SharedMailbox } from '../src/entities/shared-mailbox';
import { Staff } from '../src/entities/staff';

export interface Inbox {
  /** The caseworker whose inbox is measured. */
  staff: Staff;
  /** `STAFF:<id>`: the mailbox the inbox query lists. */
  partyKey: string;
  conversations: number;
  messages: number;
  /** Conversations with at least one message the caseworker has not read. */
  unreadConversations: number;
}

const GIVEN = [
  'Anna',
  'Erik',
  'Maria',
  'Lars',
  'Karin',
  'Johan',
  'Sara',
  'Anders',
  'Elin',
  'Mohammed',
  'Fatima',
  'Nils',
  'Ida',
  'Ali',
  'Emma',
  'Olof',
  'Leila',
  'Per',
  'Linnea',
  'Hassan',
];
const FAMILY = [
  'Andersson',
  'Johansson',
  'Karlsson',
  'Nilsson',
  'Eriksson',
  'Larsson',
  'Olsson',
  'Persson',
  'Svensson',
  'Gustafsson',
  'Pettersson',
  'Jonsson',
  'Jansson',
  'Hansson',
  'Bengtsson',
  'Ali',
  'Yilmaz',
  'Lindberg',
  'Berg',
  'Holm',
];
const SUBJECTS = [
  'Ansökan om ekonomiskt bistånd',
  'Komplettering av underlag',
  'Mötestid',
  'Beslut om bistånd',
  'Hyreskontrakt',
  'Budgetplanering',
  'Läkarintyg',
  'Frågor om utbetalning',
];

/** A Luhn-valid personnummer born 1960–1979 (no demo person is), birth number 001–999, unique for i < 999. */
function personnummer(i: number): string {
  const pad = (v: number, n = 2) => String(v).padStart(n, '0');
  const ten9 = `${pad(60 + (i % 20))}${pad(1 + (Math.floor(i / 20) % 12))}${pad(1 + (i % 28))}${pad((i % 999) + 1, 3)}`;
  let sum = 0;
  for (let k = 0; k < 9; k++) {
    let v = Number(ten9[k]) * (k % 2 === 0 ? 2 : 1);
    if (v > 9) v -= 9;
    sum += v;
  }
  return `19${ten9}${(10 - (sum % 10)) % 10}`;
}

/** Runs `work` for every item with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/**
 * The demo data plus citizens of Marita's own (each with an ongoing case) and
 * threads written through the messaging service as real users would: Marita
 * writes, the citizen answers, 1–5 messages a thread, every fifth thread with
 * Anna and the shared mailbox copied. Marita reads what she answers; about
 * two threads in five end with a citizen's message, half of those unread.
 */
export async function arrangeInbox(orm: Orm, target = 200): Promise<Inbox> {
  await seedDemoData(orm.em.fork());
  await seedDemoConversations(orm.em.fork());
  const em = orm.em.fork() as EntityManager;
  const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker }, { populate: ['unit'] });
  const anna = await em.findOneOrFail(Staff, { username: DEMO.secondCaseworker });
  const mailbox = await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' });
  const key = partyKey({ kind: PartyKind.STAFF, id: marita.id });
  const existing = await em.count(ConversationParticipant, { partyKey: key });

  const citizens: Person[] = [];
  for (let i = 0; i < target - existing; i++) {
    const person = em.create(Person, {
      personnummer: personnummer(i),
      givenName: GIVEN[i % GIVEN.length],
      familyName: FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length],
      city: 'Söderköping',
      email: `invanare${i}@example.se`,
      emailVerified: true,
      messagingEnabled: true,
      notifyByEmail: true,
    });
    em.create(Case, {
      title: 'Ekonomiskt bistånd',
      holder: person,
      unit: marita.unit,
      caseworker: marita,
      openedOn: todayInSweden(),
    });
    citizens.push(person);
  }
  await em.flush();

  const as = (viewer: Viewer) => new MessageService(orm.em.fork() as EntityManager, viewer, 'bench-arrange');
  await pool([...citizens.entries()], 4, async ([i, person]) => {
    // Each thread on its own entities: nothing shared between concurrent units of work.
    const own = orm.em.fork() as EntityManager;
    const staff = await own.findOneOrFail(Staff, marita.id, { populate: ['unit'] });
    const me: StaffViewer = { kind: 'staff', staff, role: staff.role };
    const citizen: CitizenViewer = { kind: 'citizen', person: await own.findOneOrFail(Person, person.id) };
    const copied = i % 5 === 0 ? { staffIds: [anna.id], sharedMailboxIds: [mailbox.id] } : {};
    const [first] = await as(me).send({
      idempotencyKey: randomUUID(),
      to: { personIds: [person.id], ...copied },
      subject: SUBJECTS[i % SUBJECTS.length],
      body: `<p>Hej ${person.givenName}!</p><p>Vi har tagit emot ditt ärende och återkommer med besked. Hör av dig om något är oklart.</p>`,
      readReceiptRequested: i % 3 === 0,
    });
    let last = first;
    for (let n = 1; n < 1 + (i % 5); n++) {
      if (n % 2 === 1) {
        last = await as(citizen).reply(last.id, {
          idempotencyKey: randomUUID(),
          body: '<p>Tack för beskedet. Jag skickar in kontoutdragen i morgon.</p>',
        });
      } else {
        await as(me).markRead(last.id);
        last = await as(me).reply(last.id, {
          idempotencyKey: randomUUID(),
          body: '<p>Bra, då tittar jag på det när det kommit in.</p>',
        });
      }
    }
    if (last.senderPerson && i % 2 === 0) await as(me).markRead(last.id);
  });

  // Fresh statistics, as autovacuum would have by now: both sides get the plans a live database gives.
  await em.getConnection().execute('analyze');
  const [counts]: { conversations: number; messages: number; unread: number }[] = await em.getConnection().execute(
    `select (select count(*)::int from conversation_participant where party_key = ?) as conversations,
            (select count(*)::int from message m join conversation_participant p on p.conversation_id = m.conversation_id and p.party_key = ?) as messages,
            (select count(distinct conversation_id)::int from message_recipient where party_key = ? and read_at is null) as unread`,
    [key, key, key],
  );
  return {
    staff: marita,
    partyKey: key,
    conversations: counts.conversations,
    messages: counts.messages,
    unreadConversations: counts.unread,
  };
}
