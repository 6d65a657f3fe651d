import { startTestServer, type TestServer } from '../testkit/server';

/** NODE_ENV=production as an operator would run it: OIDC issuers, real notification providers. */
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_MODE: 'oidc',
  AUTH_STAFF_ISSUER: 'https://idp.kommun.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.kommun.example/jwks',
  AUTH_CITIZEN_ISSUER: 'https://eid-broker.example/',
  AUTH_CITIZEN_JWKS_URL: 'https://eid-broker.example/jwks',
  SMTP_URL: 'smtp://127.0.0.1:1',
  SMS_API_URL: 'http://127.0.0.1:1/sms',
  SMS_API_KEY: 'k',
  WORKER: 'off',
};

let prod: TestServer;
let dev: TestServer;
beforeAll(async () => {
  [prod, dev] = await Promise.all([startTestServer(PRODUCTION), startTestServer()]);
});
afterAll(async () => {
  await Promise.all([prod?.close(), dev?.close()]);
});

const browserGet = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

test('PR1 no landing page in production; development shows one', async () => {
  const inProd = await browserGet(prod.url);
  expect(inProd.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  expect(await inProd.text()).not.toMatch(/<html/i);
  const inDev = await browserGet(dev.url);
  expect(inDev.status).toBe(200);
  expect(inDev.headers.get('content-type')).toMatch(/text\/html/);
});

test('PR2 introspection stays open in production (the schema is public for third parties)', async () => {
  const res = await fetch(prod.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
  });
  expect(res.status).toBe(200);
  expect(
    ((await res.json()) as { data: { __schema: { queryType: { name: string } } } }).data.__schema.queryType.name,
  ).toBe('Query');
});

test('PR3 a development token means nothing in production: 401 UNAUTHENTICATED', async () => {
  const token = await dev.token.staff('mararo01');
  const res = await fetch(prod.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ staffMe { id } }' }),
  });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
    'UNAUTHENTICATED',
  );
});
