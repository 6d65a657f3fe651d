import { DEV_CITIZEN_ISSUER } from '../../src/auth/dev-keys';
import { DEMO } from '../../src/db/demo-data';
import { Staff } from '../../src/entities/staff';
import { Unit } from '../../src/entities/unit';
import { postRaw } from '../testkit/api';
import { forger } from '../testkit/forge';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * Authentication over HTTP (AU1–AU4): every kind of bad token on a
 * real query answers HTTP 401 UNAUTHENTICATED as JSON and reveals nothing;
 * the public parts of the schema need no token.
 */
let w: DemoWorld;
let t: TestServer;
let forge: Awaited<ReturnType<typeof forger>>;

const STAFF_QUERY = { query: '{ staffMe { name } }' };
const CITIZEN_QUERY = { query: '{ me { name } }' };

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  forge = await forger(t.config.dataDir, t.config.auth.audience);
});
afterAll(() => w.close());

/** The whole response: 401, JSON, one UNAUTHENTICATED error and no data. */
function expectUnauthenticated(r: Awaited<ReturnType<typeof postRaw>>) {
  expect(r.status).toBe(401);
  expect(r.contentType).toMatch(/^application\/json/);
  expect(r.body).toBeDefined();
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(r.body.data ?? null).toBeNull();
  // Neither stack traces nor the http status extension go over the wire.
  expect(r.body.errors[0].extensions.stacktrace).toBeUndefined();
  expect(r.body.errors[0].extensions.http).toBeUndefined();
}

describe('AU1 valid tokens are accepted (the baseline every refusal below differs from)', () => {
  test('a staff development token reads staffMe', async () => {
    const r = await postRaw(t.url, STAFF_QUERY, { token: await t.token.staff(DEMO.caseworker) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { staffMe: { name: 'Marita Aronsson' } } });
  });

  test('a citizen development token reads me', async () => {
    const r = await postRaw(t.url, CITIZEN_QUERY, { token: await t.token.citizen(DEMO.tolvan) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
  });

  test('a token forged by the test kit with the server key and no changes is accepted', async () => {
    const r = await postRaw(t.url, STAFF_QUERY, { token: await forge.devSigned() });
    expect(r.status).toBe(200);
    expect(r.body.data.staffMe.name).toBe('Marita Aronsson');
  });
});

describe('AU2 a bad token on a real query answers 401 UNAUTHENTICATED', () => {
  test('no Authorization header', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY));
  });

  test('an empty bearer token', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { headers: { authorization: 'Bearer ' } }));
  });

  test.each([
    ['not a JWT at all', 'not-a-token'],
    ['three parts of garbage', 'abc.def.ghi'],
    [
      'a payload that is not JSON',
      `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('nope').toString('base64url')}.sig`,
    ],
    ['two parts only', 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0'],
  ])('a malformed token: %s', async (_what, token) => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token }));
  });

  test('a good token under another scheme (Basic) is not taken as a bearer token', async () => {
    const token = await t.token.staff(DEMO.caseworker);
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { headers: { authorization: `Basic ${token}` } }));
  });

  test('an expired token (beyond the clock tolerance)', async () => {
    const exp = Math.floor(Date.now() / 1000) - t.config.auth.clockToleranceSeconds - 600;
    const r = await postRaw(t.url, STAFF_QUERY, { token: await forge.devSigned({ exp }) });
    expectUnauthenticated(r);
    expect(r.body.errors[0].message).toMatch(/expired/i);
  });

  test('a token without an expiry', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token: await forge.devSigned({ exp: null }) }));
  });

  test('a token signed by another ES256 key', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token: await forge.strangerSigned() }));
  });

  test('an unsecured token (alg: none)', async () => {
    const token = forge.unsecured();
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg).toBe('none');
    expect(token.endsWith('.')).toBe(true);
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token }));
  });

  test('an HS256 token keyed with the public key PEM (algorithm confusion)', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token: await forge.hmacWithPublicKey() }));
  });

  test('an HS256 token keyed with the public JWK', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token: await forge.hmacWithPublicJwk() }));
  });

  test('a token for another audience', async () => {
    expectUnauthenticated(
      await postRaw(t.url, STAFF_QUERY, { token: await forge.devSigned({ audience: 'some-other-api' }) }),
    );
  });

  test('a token from an untrusted issuer', async () => {
    expectUnauthenticated(
      await postRaw(t.url, STAFF_QUERY, { token: await forge.devSigned({ issuer: 'https://evil.example/' }) }),
    );
  });

  test('a staff token whose identity claim is missing', async () => {
    const token = await forge.devSigned({ claims: { preferred_username: undefined } });
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token }));
  });

  test('a citizen-issuer token carrying a malformed personnummer', async () => {
    const token = await forge.devSigned({
      issuer: DEV_CITIZEN_ISSUER,
      claims: { personal_identity_number: '1212121212' },
    });
    expectUnauthenticated(await postRaw(t.url, CITIZEN_QUERY, { token }));
  });

  test('a staff token for a username that is not registered', async () => {
    expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token: await t.token.staff('nobody99') }));
  });

  test('a staff token for a disabled staff member (active = false)', async () => {
    const token = await t.token.staff(DEMO.secondCaseworker);
    // Accepted while active, refused once disabled: the token itself is good.
    expect((await postRaw(t.url, STAFF_QUERY, { token })).status).toBe(200);
    await t.em().nativeUpdate(Staff, { username: DEMO.secondCaseworker }, { active: false });
    try {
      expectUnauthenticated(await postRaw(t.url, STAFF_QUERY, { token }));
    } finally {
      await t.em().nativeUpdate(Staff, { username: DEMO.secondCaseworker }, { active: true });
    }
  });

  test('a mutation is refused the same way, before anything runs', async () => {
    const r = await postRaw(t.url, {
      query: 'mutation { createUnit(name: "Smugglad enhet", municipality: "X") { id } }',
    });
    expectUnauthenticated(r);
    expect(await t.em().count(Unit, { name: 'Smugglad enhet' })).toBe(0);
  });
});

describe('AU3 a citizen without an e-service account', () => {
  test('a citizen token for an unknown personnummer answers 403 E_SERVICE_NOT_ACTIVATED', async () => {
    const r = await postRaw(t.url, CITIZEN_QUERY, { token: await t.token.citizen('190101010101') });
    expect(r.status).toBe(403);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0].extensions.code).toBe('E_SERVICE_NOT_ACTIVATED');
    expect(r.body.errors[0].message).toMatch(/caseworker/);
    expect(r.body.data ?? null).toBeNull();
  });
});

describe('AU4 the schema is public', () => {
  test('{ __typename } needs no token', async () => {
    const r = await postRaw(t.url, { query: '{ __typename }' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { __typename: 'Query' } });
  });

  test('{ __typename } with a bad token still answers', async () => {
    const r = await postRaw(t.url, { query: '{ __typename }' }, { token: 'not-a-token' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { __typename: 'Query' } });
  });

  test('introspection needs no token', async () => {
    const r = await postRaw(t.url, { query: '{ __schema { queryType { name } types { name } } }' });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.__schema.queryType.name).toBe('Query');
    expect(r.body.data.__schema.types.map((x: { name: string }) => x.name)).toEqual(
      expect.arrayContaining(['Person', 'Case', 'Staff']),
    );
  });

  test('__type needs no token', async () => {
    const r = await postRaw(t.url, { query: '{ __type(name: "Person") { name } }' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { __type: { name: 'Person' } } });
  });

  test('a public field next to a private one does not open the private one', async () => {
    expectUnauthenticated(await postRaw(t.url, { query: '{ __typename staffMe { name } }' }));
  });

  test('an alias named like a public field does not open a private one', async () => {
    expectUnauthenticated(await postRaw(t.url, { query: '{ __typename: staffMe { name } }' }));
  });

  test('a private field behind an inline fragment on Query is refused', async () => {
    expectUnauthenticated(await postRaw(t.url, { query: '{ ... on Query { staffMe { name } } }' }));
  });

  test('a private field behind a named fragment is refused', async () => {
    expectUnauthenticated(await postRaw(t.url, { query: 'query { ...F } fragment F on Query { staffMe { name } }' }));
  });
});
