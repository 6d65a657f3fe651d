import net from 'node:net';
import { Writable } from 'node:stream';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { createLogger, logger } from '../../src/log';
import { postRaw } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';

// Personal data sent as GraphQL variables: none of it may be written to a log line, in any form.
const PNR = '19121212-1212';
const PNR_DIGITS = '191212121212';
const EMAIL = 'tolvan.tolvansson@example.se';
const MOBILE = '+46731234567';
const MOBILE_TYPED = '073-123 45 67';
const SECRETS = [
  PNR,
  PNR_DIGITS,
  PNR_DIGITS.slice(2),
  EMAIL,
  MOBILE,
  MOBILE_TYPED,
  '731234567',
  'Tolvan',
  'Tolvansson',
];

let t: TestServer;
let lines: string[] = [];
let stderr: jest.SpyInstance;

beforeAll(async () => {
  t = await startTestServer({ TRUST_PROXY_REQUEST_ID: 'true' });
  await seedDemoData(t.em());
});
afterAll(() => t.close());

beforeEach(() => {
  lines = [];
  // Every level, as in production (tests log errors only by default).
  logger.level = 'debug';
  stderr = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation(
      (chunk: string | Uint8Array) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true),
    );
});
afterEach(() => {
  stderr.mockRestore();
  logger.level = 'error';
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
/** The request's line, written once the response has gone (give the 'finish' event a moment). */
async function requestLine(requestId: string) {
  for (let i = 0; i < 50; i++) {
    const line = parsed().find((l) => l.msg?.startsWith('request') && l.requestId === requestId);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no request line for ${requestId} in:\n${lines.join('\n')}`);
}
function expectNoPersonalData() {
  const all = lines.join('\n');
  for (const secret of SECRETS) expect(all).not.toContain(secret);
}

describe('LG1 one JSON line per request', () => {
  test('request id, viewer kind and id (no name, no personnummer), operation name, status, duration', async () => {
    const token = await t.token.citizen(DEMO.tolvan);
    const r = await postRaw(
      t.url,
      {
        query:
          'mutation SaveContact($input: MyContactDetailsInput!) { updateMyContactDetails(input: $input) { email mobile } }',
        variables: { input: { email: EMAIL, mobile: MOBILE_TYPED } },
      },
      { token, headers: { 'x-request-id': 'log-test-0001' } },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateMyContactDetails.email).toBe(EMAIL);
    const line = await requestLine('log-test-0001');
    expect(line).toMatchObject({
      level: 'info',
      requestId: 'log-test-0001',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'SaveContact',
      viewer: { kind: 'citizen', id: expect.any(String) },
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
    expect(Object.keys(line.viewer)).toEqual(['kind', 'id']);
    expectNoPersonalData();
  });

  test('a staff search by personnummer in the variables of a GET: the path is logged without its query string', async () => {
    const token = await t.token.staff(DEMO.caseworker);
    const query = 'query FindPerson($s: String) { persons(search: $s) { nodes { id } } }';
    const url = `${t.url}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ s: PNR }))}`;
    const res = await fetch(url, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': 'log-test-0002',
        'apollo-require-preflight': 'true',
      },
    });
    expect(res.status).toBe(200);
    const line = await requestLine('log-test-0002');
    expect(line).toMatchObject({
      path: '/graphql',
      operationName: 'FindPerson',
      viewer: { kind: 'staff' },
      status: 200,
    });
    expectNoPersonalData();
  });

  test('an invalid document is logged as such, with its error codes', async () => {
    const r = await postRaw(
      t.url,
      { query: `{ persons(search: "${PNR}") { nope } }` },
      { token: await t.token.staff(DEMO.caseworker), headers: { 'x-request-id': 'log-test-0003' } },
    );
    expect(r.status).toBe(400);
    const line = await requestLine('log-test-0003');
    expect(line).toMatchObject({
      level: 'warn',
      status: 400,
      operationName: 'invalid',
      errorCodes: ['GRAPHQL_VALIDATION_FAILED'],
    });
    expectNoPersonalData();
  });
  test('a request the client gives up on before the answer is logged once, as aborted; a probe is not logged', async () => {
    const { port } = new URL(t.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // The body is announced and never sent: the server is still reading it when the client goes.
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n' +
        'X-Request-Id: log-test-0005\r\n\r\n{"query":',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const line = await requestLine('log-test-0005');
    expect(line).toMatchObject({ msg: 'request aborted', method: 'POST', path: '/graphql' });
    expect(parsed().filter((l) => l.requestId === 'log-test-0005' && l.msg?.startsWith('request'))).toHaveLength(1);
    const probe = await fetch(t.url.replace(/\/graphql$/, '/healthz'), {
      headers: { 'x-request-id': 'log-test-0006' },
    });
    expect(probe.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(parsed().filter((l) => l.requestId === 'log-test-0006')).toEqual([]);
  });
});

describe('LG2 personal data in variables never reaches a log line', () => {
  test('not even through a database error that quotes the values (the error line keeps its request id and stack)', async () => {
    const token = await t.token.citizen(DEMO.tolvan);
    // The table the contact details are written to is gone: the driver's error names the statement and its values.
    await t.em().getConnection().execute('alter table "person" rename column "email" to "email_gone"');
    try {
      const r = await postRaw(
        t.url,
        {
          query:
            'mutation SaveContact($input: MyContactDetailsInput!) { updateMyContactDetails(input: $input) { email } }',
          variables: { input: { email: EMAIL, mobile: MOBILE } },
        },
        { token, headers: { 'x-request-id': 'log-test-0004' } },
      );
      expect(r.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await t.em().getConnection().execute('alter table "person" rename column "email_gone" to "email"');
    }
    const errorLine = parsed().find((l) => l.msg === 'unexpected error' && l.requestId === 'log-test-0004');
    expect(errorLine).toMatchObject({ level: 'error', err: { message: expect.stringContaining('email') } });
    expect(errorLine!.err.stack).toMatch(/\bat /);
    await requestLine('log-test-0004');
    expectNoPersonalData();
  });

  test('fields named for personal data are redacted by path, and LOG_REDACT_PATHS adds paths', () => {
    const out: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) });
    const custom = createLogger({ level: 'info', format: 'json', redactPaths: ['case.secretAddress'] }, sink);
    custom.info(
      {
        variables: { input: { email: EMAIL } },
        person: { personnummer: PNR, name: 'Tolvan Tolvansson', mobile: MOBILE },
        case: { secretAddress: 'Hemliga vägen 1', id: 'c1' },
      },
      'fields',
    );
    custom.info(`a free text naming ${PNR}, ${EMAIL} and ${MOBILE_TYPED}`);
    const [fields, text] = out.map((l) => JSON.parse(l));
    expect(fields).toMatchObject({
      variables: '[Redacted]',
      person: { personnummer: '[Redacted]', name: '[Redacted]', mobile: '[Redacted]' },
      case: { secretAddress: '[Redacted]', id: 'c1' },
    });
    expect(text.msg).toBe('a free text naming [Redacted], [Redacted] and [Redacted]');
    expect(out.join('')).not.toMatch(/Hemliga|Tolvan|1212|example\.se|731/);
  });
});
