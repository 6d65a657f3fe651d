import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { print } from 'graphql';
import { sessionCookieName, SessionStore } from '../../src/auth/session';
import { staffViewer } from '../../src/auth/viewer';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Staff } from '../../src/entities/staff';
import { StaffMeDocument } from '../../clients/staff/src';
import { formatDocument } from '@urql/core';
import { parse } from 'graphql';
import { asUrqlSendsIt, TRUSTED_MANIFESTS } from '../../src/http/trusted-documents';
import { openRawSocket } from '../testkit/ws';
import { startTestServer, type TestServer } from '../testkit/server';

/** The sha256 codegen puts on a generated document (`__meta__.hash`), as the web UIs read it (clients/shared/ui/api.tsx). */
const documentHash = (doc: unknown) =>
  ((doc as { __meta__?: { hash?: string } }).__meta__?.hash ?? '').replace(/^sha256:/, '');

/**
 * NODE_ENV=production as an operator runs it, with an identity provider of the
 * test's own (its JWKS served here) so a bearer token can be answered.
 */
let prod: TestServer;
let jwks: http.Server;
let signToken: (username: string) => Promise<string>;
let cookie: string;
const ISSUER = 'https://idp.kommun.example/';

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = http.createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  prod = await startTestServer({
    NODE_ENV: 'production',
    AUTH_MODE: 'oidc',
    AUTH_STAFF_ISSUER: ISSUER,
    AUTH_STAFF_JWKS_URL: jwksUrl,
    AUTH_CITIZEN_ISSUER: 'https://eid-broker.example/',
    AUTH_CITIZEN_JWKS_URL: jwksUrl,
    SMTP_URL: 'smtp://127.0.0.1:1',
    SMS_API_URL: 'http://127.0.0.1:1/sms',
    SMS_API_KEY: 'k',
    WORKER: 'off',
  });
  await seedDemoData(prod.em());
  signToken = (username) =>
    new SignJWT({ preferred_username: username })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(prod.config.auth.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  // A staff member's browser session, as the OIDC sign-in leaves it (HttpOnly cookie).
  const em = prod.em();
  const { id } = await new SessionStore(prod.config.session).create(
    em,
    staffViewer(await em.findOneOrFail(Staff, { username: DEMO.caseworker }, { populate: ['unit'] })),
  );
  cookie = `${sessionCookieName(prod.config)}=${id}`;
});
afterAll(async () => {
  await prod?.close();
  await new Promise((r) => jwks?.close(r));
});

async function post(body: unknown, headers: Record<string, string>) {
  const res = await fetch(prod.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { data?: any; errors?: { message: string; extensions: { code: string } }[] },
  };
}
const session = () => ({ cookie, 'sec-fetch-site': 'same-origin' });

const UNKNOWN = 'query Mine { staffMe { id username } }';

describe("T1 production: a browser session runs only the web UIs' trusted documents", () => {
  test("the UI's own operation by its hash alone is answered", async () => {
    const hash = documentHash(StaffMeDocument)!;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const r = await post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, variables: {} },
      session(),
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.staffMe).toMatchObject({ username: DEMO.caseworker });
    // As urql's document cache would have asked: __typename on every object below the root (it refetches by type after a mutation).
    expect(r.body.data.staffMe.__typename).toBe('Staff');
    expect(r.body.data.__typename).toBeUndefined();
    // GraphQL over HTTP's documentId names it as well.
    const byId = await post({ documentId: `sha256:${hash}` }, session());
    expect(byId.body.data.staffMe).toMatchObject({ username: DEMO.caseworker });
  });

  test('an unknown document from a cookie session is refused with OPERATION_NOT_ALLOWED; the same document with a bearer token is answered', async () => {
    const refused = await post({ query: UNKNOWN }, session());
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions.code).toBe('OPERATION_NOT_ALLOWED');
    expect(refused.body.errors![0].message).toMatch(/bearer token/);
    expect(refused.body.data).toBeUndefined();

    const answered = await post({ query: UNKNOWN }, { authorization: `Bearer ${await signToken(DEMO.caseworker)}` });
    expect(answered.status).toBe(200);
    expect(answered.body.data.staffMe).toMatchObject({ username: DEMO.caseworker });
  });

  test('an unknown hash is PERSISTED_QUERY_NOT_FOUND, for any caller; the exact text of a UI document and public fields pass', async () => {
    const missing = await post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } },
      session(),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.errors![0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const bearerMissing = await post(
      { documentId: `sha256:${'0'.repeat(64)}` },
      { authorization: `Bearer ${await signToken(DEMO.caseworker)}` },
    );
    expect(bearerMissing.body.errors![0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../..', TRUSTED_MANIFESTS[0]), 'utf8'),
    ) as Record<string, string>;
    const text = manifest[`sha256:${documentHash(StaffMeDocument)}`];
    expect(text).toContain('staffMe');
    expect((await post({ query: text }, session())).body.data.staffMe).toBeDefined();
    // The session keep-alive asks for __typename alone: public, no viewer needed.
    expect((await post({ query: '{ __typename }' }, session())).body).toEqual({ data: { __typename: 'Query' } });
    // The generated document's printed text is not the manifest's (whitespace): still refused, only hashes and exact texts count.
    expect((await post({ query: print(StaffMeDocument) + ' ' }, session())).body.errors![0].extensions.code).toBe(
      'OPERATION_NOT_ALLOWED',
    );
  });

  test("on the websocket too: a session socket gets OPERATION_NOT_ALLOWED for an unknown document and runs the UI's by hash", async () => {
    const socket = await openRawSocket(prod.wsUrl, {
      headers: { cookie, origin: new URL(prod.config.publicUrl).origin },
    });
    socket.send({ type: 'connection_init', payload: {} });
    expect((await socket.next()).type).toBe('connection_ack');
    socket.send({ id: '1', type: 'subscribe', payload: { query: UNKNOWN } });
    const refused = await socket.next();
    expect(refused).toMatchObject({
      id: '1',
      type: 'error',
      payload: [{ extensions: { code: 'OPERATION_NOT_ALLOWED' } }],
    });
    socket.send({
      id: '2',
      type: 'subscribe',
      payload: { query: '', extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(StaffMeDocument) } } },
    });
    const answered = await socket.next();
    expect(answered).toMatchObject({
      id: '2',
      type: 'next',
      payload: { data: { staffMe: { username: DEMO.caseworker } } },
    });
    socket.close();
  });
});

test("T2 the manifests are made by codegen from the UIs' operation files, not by hand: every generated document is in them", () => {
  const all = TRUSTED_MANIFESTS.map(
    (f) => JSON.parse(fs.readFileSync(path.resolve(__dirname, '../..', f), 'utf8')) as Record<string, string>,
  );
  const keys = new Set(all.flatMap((m) => Object.keys(m)));
  const staffGenerated = fs.readFileSync(
    path.resolve(__dirname, '../../clients/staff/src/generated/graphql.ts'),
    'utf8',
  );
  const hashes = [...staffGenerated.matchAll(/"__meta__":\{"hash":"(sha256:[0-9a-f]{64})"\}/g)].map((m) => m[1]);
  expect(hashes.length).toBeGreaterThan(20);
  for (const h of hashes) expect(keys.has(h)).toBe(true);
});

test("T3 the server runs each trusted document exactly as the UIs' urql client would have sent it (its __typename selections)", () => {
  for (const f of TRUSTED_MANIFESTS) {
    const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../..', f), 'utf8')) as Record<string, string>;
    for (const text of Object.values(manifest)) expect(asUrqlSendsIt(text)).toBe(print(formatDocument(parse(text))));
  }
});
