import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { MAX_FILE_BYTES } from '../../src/domain/attachment.service';
import { startTestServer, type TestServer } from '../testkit/server';

/**
 * UL1: a citizen's 20 MB scan gets the 413 FILE_TOO_LARGE
 * answer with its reason, never a connection reset. Node's own fetch (undici)
 * keeps sending the body after the server has answered; a server that hangs
 * up on it mid-body makes it fail with EPIPE before it reads the answer. On
 * loopback that shows when the body comes at a network's pace, as a real
 * upload does, so the bodies here are paced (64 KB a millisecond).
 */
let t: TestServer;
let base: string;
let token: string;
const SIZE = 20 * 1024 * 1024;
const ROUNDS = 4;

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  base = t.url.replace(/\/graphql$/, '');
  token = await t.token.citizen(DEMO.tolvan);
});
afterAll(() => t.close());

const storedUploads = async () =>
  (await t.em().getConnection().execute('select count(*)::int as n from attachment'))[0].n as number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `size` bytes in 64 KB chunks, one a millisecond. */
function paced(size: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= size) return controller.close();
      await sleep(1);
      controller.enqueue(chunk.subarray(0, Math.min(chunk.length, size - sent)));
      sent += chunk.length;
    },
  });
}

/** POST /uploads; `declare` sends the Content-Length up front, otherwise the body is chunked. */
async function post(body: Buffer | ReadableStream<Uint8Array>, declare: boolean) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' };
  if (declare && !Buffer.isBuffer(body)) headers['content-length'] = String(SIZE);
  const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers, body };
  if (!Buffer.isBuffer(body)) init.duplex = 'half';
  try {
    const res = await fetch(new URL('/uploads?filename=skanning.pdf', base), init);
    return {
      status: res.status,
      body: (await res.json()) as { errors: { message: string; extensions: { code: string } }[] },
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: `network error ${cause?.code ?? cause?.message ?? err}`, body: undefined };
  }
}

function expectTooLarge(results: Awaited<ReturnType<typeof post>>[]) {
  expect(results.map((r) => r.status)).toEqual(results.map(() => 413));
  for (const r of results) {
    expect(r.body!.errors[0].extensions.code).toBe('FILE_TOO_LARGE');
    expect(r.body!.errors[0].message).toMatch(/16 MB/);
  }
}

test(`UL1 20 MB with a Content-Length, ${ROUNDS} times: 413 FILE_TOO_LARGE every time, never a reset`, async () => {
  const before = await storedUploads();
  expect(SIZE).toBeGreaterThan(MAX_FILE_BYTES);
  const results = [];
  for (let i = 0; i < ROUNDS; i++) results.push(await post(paced(SIZE), true));
  for (let i = 0; i < ROUNDS; i++) results.push(await post(Buffer.alloc(SIZE, 0x20), true));
  expectTooLarge(results);
  expect(await storedUploads()).toBe(before);
});

test(`UL1 20 MB without a Content-Length (chunked), ${ROUNDS} times: 413 FILE_TOO_LARGE every time, never a reset`, async () => {
  const before = await storedUploads();
  const results = [];
  for (let i = 0; i < ROUNDS; i++) results.push(await post(paced(SIZE), false));
  expectTooLarge(results);
  expect(await storedUploads()).toBe(before);
});

test('UL1 a refused body is read only up to a bound: a client streaming on and on is cut off', async () => {
  const size = 1024 * 1024 * 1024;
  let sent = 0;
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
  const r = await post(endless, false);
  // Answered (413) or cut off; either way the server stopped reading long before the gigabyte.
  expect([413, expect.stringMatching(/^network error/)]).toContainEqual(r.status);
  expect(sent).toBeLessThan(200 * 1024 * 1024);
});

test('UL1 after refused uploads the server answers as before', async () => {
  expectTooLarge([await post(paced(SIZE), false)]);
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(res.status).toBe(200);
});
