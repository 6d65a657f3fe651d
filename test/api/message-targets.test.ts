import { CitizenTargetsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Relation } from '../../src/entities/relation';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterAll(() => w.close());

async function targets(
  who: 'caseworker' | 'secondCaseworker' | 'otherUnitCaseworker' | 'executor',
  search: string | null = null,
) {
  const api = await w.as(who);
  const res = await api.query(CitizenTargetsDocument, { search });
  expect(res.errors).toEqual([]);
  return res.data!.persons.nodes.map((p) => p.name).sort();
}

// persons(messageTargetsOnly: true): the recipient search of Skriv nytt's "Till klient" lists M1/M2 with the e-service on (M5).
describe('MT persons(messageTargetsOnly) lists exactly whom the caller may write to', () => {
  test("MT1 a caseworker: the holders of ongoing cases in her caseload and their activated relations; not a protected person without the e-service, not another unit's person", async () => {
    // Sanna (Anna's case, same unit) is in Marita's caseload but has no e-service; Kalle is another unit's.
    expect(await targets('caseworker')).toEqual(['Josefine Test Ek', 'Tolvan Tolvansson']);
    expect(await targets('secondCaseworker')).toEqual(['Josefine Test Ek', 'Tolvan Tolvansson']);
    expect(await targets('otherUnitCaseworker')).toEqual([]);
    expect(await targets('caseworker', 'Josef')).toEqual(['Josefine Test Ek']);
  });

  test('MT2 an executor: the holder of the case his ongoing assignment is in; not its relation', async () => {
    expect(await targets('executor')).toEqual(['Tolvan Tolvansson']);
  });

  test('MT3 a relation drops out the moment it is no longer activated', async () => {
    const em = w.t.em();
    const relation = await em.findOneOrFail(Relation, { person: { personnummer: DEMO.relation } });
    relation.activatedAt = null;
    await em.flush();
    try {
      expect(await targets('caseworker')).toEqual(['Tolvan Tolvansson']);
    } finally {
      relation.activatedAt = new Date();
      await em.flush();
    }
  });
});
