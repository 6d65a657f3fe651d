import { CitizenTargetsDocument } from '../../clients/staff/src';
import { Relation } from '../../src/entities/relation';
import { seed } from '../testkit/seed';
import { startTestServer, type TestServer } from '../testkit/server';

/**
 * The recipient search, over a world of its own rather than the README's demo: two caseworkers of one unit,
 * one of another unit, an executor, and the people whose cases they hold.
 */
const arrange = (t: TestServer) =>
  seed(t)
    .unit('children')
    .caseworker('marita')
    .caseworker('anna')
    .caseworker('bo', { unit: 'children' })
    .executor('per')
    .citizen('tolvan', { familyName: 'Tolvansson' })
    // A protected identity without the e-service, in Anna's caseload (so in her unit's).
    .citizen('sanna', { familyName: 'Skyddad', protectedIdentity: true, messagingEnabled: false })
    .citizen('kalle', { familyName: 'Barnsson', messagingEnabled: false })
    .case('ek', { holder: 'tolvan', caseworker: 'marita' })
    .case('skydd', { holder: 'sanna', caseworker: 'anna', title: 'Skydd och stöd' })
    .case('barn', { holder: 'kalle', caseworker: 'bo', title: 'Utredning barn' })
    .relation('josefine', { case: 'ek' })
    .assignment('budget', { case: 'ek', executor: 'per' });

let t: TestServer;
let w: Awaited<ReturnType<typeof arrange>>;
beforeAll(async () => {
  t = await startTestServer();
  w = await arrange(t);
});
afterAll(() => t.close());

async function targets(who: 'marita' | 'anna' | 'bo' | 'per', search: string | null = null) {
  const res = await w.staff[who].api.query(CitizenTargetsDocument, { search });
  expect(res.errors).toEqual([]);
  return res.data!.persons.nodes.map((p) => p.name).sort();
}

// persons(messageTargetsOnly: true): the recipient search of Skriv nytt's "Till klient" lists M1/M2 with the e-service on (M5).
describe('MT persons(messageTargetsOnly) lists exactly whom the caller may write to', () => {
  test("MT1 a caseworker: the holders of ongoing cases in her caseload and their activated relations; not a protected person without the e-service, not another unit's person", async () => {
    // Sanna (Anna's case, same unit) is in Marita's caseload but has no e-service; Kalle is another unit's.
    expect(await targets('marita')).toEqual(['Josefine Testsson', 'Tolvan Tolvansson']);
    expect(await targets('anna')).toEqual(['Josefine Testsson', 'Tolvan Tolvansson']);
    expect(await targets('bo')).toEqual([]);
    expect(await targets('marita', 'Josef')).toEqual(['Josefine Testsson']);
  });

  test('MT2 an executor: the holder of the case his ongoing assignment is in; not its relation', async () => {
    expect(await targets('per')).toEqual(['Tolvan Tolvansson']);
  });

  test('MT3 a relation drops out the moment it is no longer activated', async () => {
    const em = t.em();
    const relation = await em.findOneOrFail(Relation, w.relation.josefine!);
    relation.activatedAt = null;
    await em.flush();
    try {
      expect(await targets('marita')).toEqual(['Tolvan Tolvansson']);
    } finally {
      relation.activatedAt = new Date();
      await em.flush();
    }
  });
});
