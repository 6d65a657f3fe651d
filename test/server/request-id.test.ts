import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../testkit/server';

// One request id per request (src/http/request-id.ts), the same on every route: the file routes honour
// TRUST_PROXY_REQUEST_ID as GraphQL does, and answer with the id their access-log rows carry.

let trusting: TestServer;
let plain: TestServer;
beforeAll(async () => {
  trusting = await startTestServer({ TRUST_PROXY_REQUEST_ID: 'true' });
  plain = await startTestServer({}, { databaseUrl: trusting.config.databaseUrl });
});
afterAll(async () => {
  await plain?.close();
  await trusting?.close();
});

const origin = (t: TestServer) => new URL(t.url).origin;
const download = (t: TestServer, requestId: string) =>
  fetch(`${origin(t)}/attachments/${randomUUID()}`, { headers: { 'x-request-id': requestId } });
const upload = (t: TestServer, requestId: string) =>
  fetch(`${origin(t)}/uploads`, {
    method: 'POST',
    headers: { 'x-request-id': requestId, 'content-type': 'application/pdf' },
    body: Buffer.from('%PDF-1.4\n'),
  });

describe("RID1 an attachment request behind a trusted proxy (TRUST_PROXY_REQUEST_ID=true) keeps the proxy's X-Request-Id", () => {
  test('a download echoes it', async () => {
    const requestId = `proxy-${randomUUID()}`;
    const res = await download(trusting, requestId);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe(requestId);
  });

  test('an upload echoes it', async () => {
    const requestId = `proxy-${randomUUID()}`;
    const res = await upload(trusting, requestId);
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe(requestId);
  });

  test("a malformed one is replaced by the server's own", async () => {
    const res = await download(trusting, 'short');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("RID2 without TRUST_PROXY_REQUEST_ID an attachment request gets the server's own id, whatever the client sends", () => {
  test('a download', async () => {
    const sent = `client-${randomUUID()}`;
    const res = await download(plain, sent);
    expect(res.status).toBe(401);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).not.toBe(sent);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an upload', async () => {
    const sent = `client-${randomUUID()}`;
    const res = await upload(plain, sent);
    expect(res.status).toBe(401);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).not.toBe(sent);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
