import { seedDemoData, DEMO } from '../../src/db/demo-data';
import { PersonsDocument } from '../../clients/staff/src';
import { MeDocument } from '../../clients/citizen/src';
import { apiAs } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
});
afterAll(() => t.close());

test('smoke', async () => {
  const staff = apiAs(t, await t.token.staff(DEMO.caseworker));
  const r = await staff.query(PersonsDocument, { search: 'Tolvan' });
  expect(r.codes).toEqual([]);
  expect(r.data?.persons.nodes.map((p) => p.name)).toEqual(['Tolvan Tolvansson']);
  const citizen = apiAs(t, await t.token.citizen(DEMO.tolvan));
  const me = await citizen.query(MeDocument);
  expect(me.data?.me.name).toBe('Tolvan Tolvansson');
});
