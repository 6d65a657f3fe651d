import { DEMO } from '../../src/db/demo-data';
import { PersonsDocument } from '../../clients/staff/src';
import { MeDocument } from '../../clients/citizen/src';
import { demoWorld, type DemoWorld } from '../testkit/world';

let w: DemoWorld;
beforeAll(async () => {
  w = await demoWorld();
});
afterAll(() => w.close());

test('smoke', async () => {
  const staff = await w.staff(DEMO.caseworker);
  const r = await staff.query(PersonsDocument, { search: 'Tolvan' });
  expect(r.codes).toEqual([]);
  expect(r.data?.persons.nodes.map((p) => p.name)).toEqual(['Tolvan Tolvansson']);
  const citizen = await w.citizen(DEMO.tolvan);
  const me = await citizen.query(MeDocument);
  expect(me.data?.me.name).toBe('Tolvan Tolvansson');
});
