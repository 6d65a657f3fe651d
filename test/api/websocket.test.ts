import { CloseCode, createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Staff } from '../../src/entities/staff';
import { forger } from '../testkit/forge';
import { startTestServer, type TestServer } from '../testkit/server';
import { openAcknowledgedSocket, openRawSocket, type RawSocket } from '../testkit/ws';

/**
 * The websocket (graphql-ws on /graphql): the token
 * comes in `connection_init` and a bad one is refused with 4403; the same
 * document limits as over HTTP answer an `error` message and keep the
 * socket open; errors are masked as over HTTP.
 */
let t: TestServer;
let forge: Awaited<ReturnType<typeof forger>>;
const clients: Client[] = [];
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
  forge = await forger(t.config.dataDir, t.config.auth.audience);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => t.close());

/** A graphql-ws client that connects at once and reports how its first connection ended. */
function connect(connectionParams?: Record<string, unknown>) {
  let settle!: (r: { connected: true } | { connected: false; code: number; reason: string }) => void;
  const outcome = new Promise<{ connected: true } | { connected: false; code: number; reason: string }>(
    (r) => (settle = r),
  );
  const client = createClient({
    url: t.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => settle({ connected: true }),
      closed: (event) => {
        const e = event as { code: number; reason: string };
        settle({ connected: false, code: e.code, reason: e.reason });
      },
    },
  });
  clients.push(client);
  return { client, outcome };
}

async function raw(token?: string): Promise<RawSocket> {
  const s = token ? await openAcknowledgedSocket(t.wsUrl, token) : await openRawSocket(t.wsUrl);
  sockets.push(s);
  return s;
}

/** Sends `subscribe` and collects every message for that id up to `complete` or `error`. */
async function run(s: RawSocket, id: string, query: string) {
  s.send({ id, type: 'subscribe', payload: { query } });
  const messages = [];
  for (;;) {
    const m = await s.next();
    expect(m.id).toBe(id);
    messages.push(m);
    if (m.type === 'complete' || m.type === 'error') return messages;
  }
}

async function expectStillOpen(s: RawSocket) {
  s.send({ type: 'ping' });
  expect(await s.next()).toEqual({ type: 'pong' });
  expect(s.isOpen).toBe(true);
}

describe('WS1 refusal in connection_init: 4403 Forbidden', () => {
  test('no connection params at all', async () => {
    expect(await connect().outcome).toEqual({ connected: false, code: CloseCode.Forbidden, reason: 'Forbidden' });
  });

  test('params without a token', async () => {
    expect(await connect({ hello: 'world' }).outcome).toMatchObject({ connected: false, code: 4403 });
  });

  test('a malformed token', async () => {
    expect(await connect({ authorization: 'Bearer not-a-token' }).outcome).toMatchObject({
      connected: false,
      code: 4403,
    });
  });

  test('an expired token', async () => {
    const token = await forge.devSigned({ exp: Math.floor(Date.now() / 1000) - 3600 });
    expect(await connect({ authorization: `Bearer ${token}` }).outcome).toMatchObject({ connected: false, code: 4403 });
  });

  test('a token signed by another key', async () => {
    expect(await connect({ authorization: `Bearer ${await forge.strangerSigned()}` }).outcome).toMatchObject({
      connected: false,
      code: 4403,
    });
  });

  test('an unsecured token (alg: none)', async () => {
    expect(await connect({ authorization: `Bearer ${forge.unsecured()}` }).outcome).toMatchObject({
      connected: false,
      code: 4403,
    });
  });

  test('a staff token for an unknown username', async () => {
    expect(await connect({ authorization: `Bearer ${await t.token.staff('nobody99')}` }).outcome).toMatchObject({
      connected: false,
      code: 4403,
    });
  });

  test('a citizen token without an e-service account', async () => {
    expect(await connect({ authorization: `Bearer ${await t.token.citizen('190101010101')}` }).outcome).toMatchObject({
      connected: false,
      code: 4403,
    });
  });

  test('over a raw socket: connection_init without payload is closed with 4403 and nothing else is sent', async () => {
    const s = await raw();
    s.send({ type: 'connection_init' });
    expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  test('subscribe before connection_init is closed with 4401', async () => {
    const s = await raw();
    s.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await s.closed).code).toBe(CloseCode.Unauthorized);
  });

  test('a message that is not JSON is closed with 4400', async () => {
    const s = await raw();
    s.send('{ not json');
    expect((await s.closed).code).toBe(CloseCode.BadRequest);
  });
});

describe('WS2 a valid token is acknowledged', () => {
  test('the graphql-ws client connects and runs a query as the citizen', async () => {
    const token = await t.token.citizen(DEMO.tolvan);
    const { client, outcome } = connect({ authorization: `Bearer ${token}` });
    expect(await outcome).toEqual({ connected: true });
    const result = await new Promise((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: '{ me { name } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
  });

  test('a bare token (no "Bearer") in params is accepted, like the HTTP header', async () => {
    const token = await t.token.staff(DEMO.caseworker);
    expect(await connect({ authorization: token }).outcome).toEqual({ connected: true });
  });

  test('over a raw socket: connection_init answers connection_ack and a staff query runs', async () => {
    const s = await raw(await t.token.staff(DEMO.caseworker));
    const messages = await run(s, 'q1', '{ staffMe { name } }');
    expect(messages).toEqual([
      { id: 'q1', type: 'next', payload: { data: { staffMe: { name: 'Marita Aronsson' } } } },
      { id: 'q1', type: 'complete' },
    ]);
  });

  test('a second connection_init on an acknowledged socket is closed with 4429', async () => {
    const token = await t.token.staff(DEMO.caseworker);
    const s = await raw(token);
    s.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect((await s.closed).code).toBe(CloseCode.TooManyInitialisationRequests);
  });

  test('a disabled staff member is refused on the next connection', async () => {
    const token = await t.token.staff(DEMO.secondCaseworker);
    await t.em().nativeUpdate(Staff, { username: DEMO.secondCaseworker }, { active: false });
    try {
      expect(await connect({ authorization: `Bearer ${token}` }).outcome).toMatchObject({
        connected: false,
        code: 4403,
      });
    } finally {
      await t.em().nativeUpdate(Staff, { username: DEMO.secondCaseworker }, { active: true });
    }
  });
});

describe('WS3 document limits over the websocket: an error message, the socket stays open', () => {
  let s: RawSocket;
  beforeEach(async () => {
    s = await raw(await t.token.staff(DEMO.caseworker));
  });

  function expectErrorMessage(
    messages: { type: string; payload?: any }[],
    pattern: RegExp,
    code = 'GRAPHQL_VALIDATION_FAILED',
  ) {
    expect(messages).toHaveLength(1);
    expect(messages[0].type).toBe('error');
    expect(Array.isArray(messages[0].payload)).toBe(true);
    expect(messages[0].payload[0].message).toMatch(pattern);
    // The same codes as over HTTP.
    expect(messages[0].payload[0].extensions?.code).toBe(code);
  }

  test('a document beyond GRAPHQL_MAX_DEPTH', async () => {
    let inner = 'name';
    for (let i = 0; i < t.config.limits.maxDepth; i++) inner = `${i % 2 === 0 ? 'holder' : 'cases'} { ${inner} }`;
    const query = `{ persons { nodes { ${inner.startsWith('holder') ? `cases { ${inner} }` : inner} } } }`;
    expectErrorMessage(await run(s, 'deep', query), /depth/i);
    await expectStillOpen(s);
    expect(await run(s, 'after', '{ staffMe { name } }')).toEqual([
      { id: 'after', type: 'next', payload: { data: { staffMe: { name: 'Marita Aronsson' } } } },
      { id: 'after', type: 'complete' },
    ]);
  });

  test('a document over GRAPHQL_MAX_TOKENS', async () => {
    const query = `{ staffMe { ${Array.from({ length: t.config.limits.maxTokens }, () => 'name').join(' ')} } }`;
    expectErrorMessage(await run(s, 'tokens', query), /tokens/i, 'GRAPHQL_PARSE_FAILED');
    await expectStillOpen(s);
  });

  test('a document that does not parse', async () => {
    expectErrorMessage(await run(s, 'syntax', '{ staffMe { name '), /Syntax Error/, 'GRAPHQL_PARSE_FAILED');
    await expectStillOpen(s);
  });

  test('too many aliases', async () => {
    const aliases = Array.from({ length: t.config.limits.maxAliases + 1 }, (_, i) => `a${i}: name`).join(' ');
    expectErrorMessage(await run(s, 'aliases', `{ staffMe { ${aliases} } }`), /alias/i);
    await expectStillOpen(s);
  });

  test('too many directives', async () => {
    const directives = Array.from({ length: t.config.limits.maxDirectives + 1 }, () => '@include(if: true)').join(' ');
    expectErrorMessage(await run(s, 'directives', `{ staffMe { name ${directives} } }`), /directive/i);
    await expectStillOpen(s);
  });

  test('an unknown field: refused without a "Did you mean" suggestion', async () => {
    const messages = await run(s, 'typo', '{ staffMe { nam } }');
    expectErrorMessage(messages, /nam/);
    expect(messages[0].payload[0].locations).toEqual([{ line: 1, column: 13 }]);
    expect(JSON.stringify(messages)).not.toMatch(/did you mean/i);
    await expectStillOpen(s);
  });
});

describe('WS4 errors over the websocket are coded like over HTTP', () => {
  test('a variable of the wrong type is BAD_USER_INPUT, not masked', async () => {
    const s = await raw(await t.token.staff(DEMO.caseworker));
    s.send({
      id: 'v',
      type: 'subscribe',
      payload: { query: 'query ($n: Int) { persons(first: $n) { nodes { name } } }', variables: { n: 'many' } },
    });
    const next = await s.next();
    expect(next.type).toBe('next');
    expect(next.payload.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(next.payload.errors[0].message).toMatch(/\$n/);
    expect(await s.next()).toEqual({ id: 'v', type: 'complete' });
  });

  test('an expected failure keeps its code and message', async () => {
    const s = await raw(await t.token.citizen(DEMO.tolvan));
    const messages = await run(s, 'staff-only', '{ staffMe { name } }');
    expect(messages[0].payload.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(messages[0].payload.errors[0].message).toMatch(/staff/);
  });
});

describe('WS5 errors over the websocket are masked like over HTTP', () => {
  test('a resolver failure arrives as INTERNAL_SERVER_ERROR with a request id and no SQL', async () => {
    const s = await raw(await t.token.staff(DEMO.admin));
    const before = await run(s, 'ok', '{ units { name } }');
    expect(before[0].payload.data.units.length).toBeGreaterThan(0);

    await t.em().getConnection().execute('drop table "unit" cascade');
    const logged: string[] = [];
    const stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (logged.push(String(chunk)), true));
    const messages = await run(s, 'broken', '{ units { name } }').finally(() => stderr.mockRestore());
    expect(messages.map((m) => m.type)).toEqual(['next', 'complete']);
    const errors = messages[0].payload.errors as any[];
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(errors[0].extensions.requestId).toEqual(expect.any(String));
    expect(errors[0].message).toContain(errors[0].extensions.requestId);
    const { detail: _detail, ...extensions } = errors[0].extensions;
    expect(JSON.stringify({ ...errors[0], extensions })).not.toMatch(/select|relation|does not exist/i);
    // The detail goes to the server's error log under the same request id.
    const line = logged
      .flatMap((c) => c.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((l) => l.requestId === errors[0].extensions.requestId);
    expect(line).toMatchObject({
      level: 'error',
      err: { message: expect.stringContaining('relation "unit" does not exist') },
    });
    await expectStillOpen(s);
  });
});
