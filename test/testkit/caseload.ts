import { randomUUID } from 'node:crypto';
import type { Viewer } from '../../src/auth/viewer';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { MessageService } from '../../src/domain/message.service';
import { Person } from '../../src/entities/person';
import { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { addCaseHolder } from './messaging';
import type { TestServer } from './server';

/**
 * A caseload for the SQL-count tests (message-sql, conversation-sql): the demo data, then 12 conversations with
 * Tolvan and 55 with other citizens of Marita's, all alike: Marita writes (Anna and the shared mailbox copied),
 * the citizen answers.
 */
export interface Caseload {
  marita: Staff;
  anna: Staff;
  mailbox: SharedMailbox;
  tolvanId: string;
  maritaToken: string;
  /** Citizens of Marita's caseload (the 55 arranged besides Tolvan). */
  citizenIds: string[];
}

export const staffViewer = (staff: Staff): Viewer => ({ kind: 'staff', staff, role: staff.role });

/** The messaging service as a given user, on its own EntityManager, for arranging data quickly. */
export const messagingAs = (t: TestServer, viewer: Viewer) => new MessageService(t.em(), viewer, 'arrange');

/** The statements one call sends, with the list for a failure message. */
export async function measure<T>(
  t: TestServer,
  fn: () => Promise<T>,
): Promise<{ result: T; count: number; statements: string[] }> {
  t.sql.reset();
  const result = await fn();
  const statements = t.sql.statements.filter((s) => /\[query\]/.test(s));
  return { result, count: statements.length, statements };
}

export async function arrangeCaseload(t: TestServer): Promise<Caseload> {
  await seedDemoData(t.em());
  const em = t.em();
  const marita = await em.findOneOrFail(Staff, { username: DEMO.caseworker });
  const anna = await em.findOneOrFail(Staff, { username: DEMO.secondCaseworker });
  const mailbox = await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' });
  const tolvan = await em.findOneOrFail(Person, { personnummer: DEMO.tolvan });
  const maritaToken = await t.token.staff(DEMO.caseworker);
  const citizens = [...Array.from({ length: 12 }, () => tolvan)];
  for (let i = 0; i < 55; i++)
    citizens.push((await addCaseHolder(t.em(), DEMO.caseworker, { givenName: `Invånare${i}` })).person);
  for (const [i, person] of citizens.entries()) {
    const [sent] = await messagingAs(t, staffViewer(marita)).send({
      idempotencyKey: randomUUID(),
      to: { personIds: [person.id], staffIds: [anna.id], sharedMailboxIds: [mailbox.id] },
      subject: `Ärende ${i}`,
      body: '<p>Hej! Hur går det?</p>',
      readReceiptRequested: true,
    });
    await messagingAs(t, { kind: 'citizen', person }).reply(sent.id, {
      idempotencyKey: randomUUID(),
      body: 'Det går bra, tack.',
    });
  }
  return { marita, anna, mailbox, tolvanId: tolvan.id, maritaToken, citizenIds: citizens.slice(12).map((p) => p.id) };
}
