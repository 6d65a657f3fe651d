import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Case } from '../../src/entities/case';
import { Person } from '../../src/entities/person';
import { SharedMailbox } from '../../src/entities/shared-mailbox';
import { Staff } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { apiAs } from './api';
import { startTestServer, type TestServer, type TestServerOptions } from './server';

export type Api = ReturnType<typeof apiAs>;

/** The demo roles by their DEMO key; 'citizen' is Tolvan. */
export type Caller = 'caseworker' | 'secondCaseworker' | 'otherUnitCaseworker' | 'executor' | 'admin' | 'citizen';

/**
 * A test server with the demo data and the ids everyone looks up: persons by
 * personnummer, staff by username, units by name, the demo cases by their
 * holder's personnummer, the shared mailbox, and signed-in API clients
 * (closed with the world). The one preamble of a test file that needs the
 * README's demo people:
 *
 *     let w: DemoWorld;
 *     beforeAll(async () => (w = await demoWorld()));
 *     afterAll(() => w.close());
 *
 * A test whose point is not the README's demo says what it needs instead, with
 * `seed(w.t).caseworker('anna').citizen('tolvan').case(…)` (seed.ts): people
 * and cases of its own, so it neither depends on nor disturbs the demo's.
 */
export interface DemoWorld {
  t: TestServer;
  /** The REST root beside /graphql (uploads, downloads, sign-in pages). */
  base: string;
  personId: Record<string, string>;
  staffId: Record<string, string>;
  unitId: Record<string, string>;
  /** The demo cases by their holder's personnummer (Tolvan's "Ekonomiskt bistånd", Sanna's, Kalle's). */
  caseId: Record<string, string>;
  mailboxId: string;
  /** Rows of one SQL statement on a fresh EntityManager, for arranging and checking what the API cannot show. */
  sql<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  staff(username: string): Promise<Api>;
  citizen(personnummer: string): Promise<Api>;
  as(who: Caller): Promise<Api>;
  close(): Promise<void>;
}

export async function demoWorld(env: Record<string, string> = {}, opts: TestServerOptions = {}): Promise<DemoWorld> {
  const t = await startTestServer(env, opts);
  await seedDemoData(t.em());
  const em = t.em();
  const clients: Api[] = [];
  const track = (c: Api) => (clients.push(c), c);
  const world: DemoWorld = {
    t,
    base: t.url.replace(/\/graphql$/, ''),
    personId: Object.fromEntries((await em.find(Person, {})).map((p) => [p.personnummer, p.id])),
    staffId: Object.fromEntries((await em.find(Staff, {})).map((s) => [s.username, s.id])),
    unitId: Object.fromEntries((await em.find(Unit, {})).map((u) => [u.name, u.id])),
    caseId: Object.fromEntries(
      (await em.find(Case, {}, { populate: ['holder'] })).map((c) => [c.holder.personnummer, c.id]),
    ),
    mailboxId: (await em.findOneOrFail(SharedMailbox, { name: 'Försörjningsstöd mottagning' })).id,
    sql: (text, params = []) =>
      t
        .em()
        .getConnection()
        .execute(text, params as never[]),
    staff: async (username) => track(apiAs(t, await t.token.staff(username))),
    citizen: async (personnummer) => track(apiAs(t, await t.token.citizen(personnummer))),
    as: (who) => (who === 'citizen' ? world.citizen(DEMO.tolvan) : world.staff(DEMO[who])),
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await t.close();
    },
  };
  return world;
}
