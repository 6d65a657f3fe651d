import { DEMO } from '../../src/db/demo-data';
import { ErrorCode, formatError } from '../../src/errors';
import { postRaw } from '../testkit/api';
import type { TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * Hostile documents and requests (H1–H4): each is refused with a
 * 4xx status and a JSON body, never an HTML page or a stack, and the server
 * keeps answering afterwards. Then the masking of unexpected errors (H6, H7)
 * and the health check (H5).
 */
let w: DemoWorld;
let t: TestServer;
let citizen: string;
let staff: string;

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  citizen = await t.token.citizen(DEMO.tolvan);
  staff = await t.token.staff(DEMO.caseworker);
});
afterAll(() => w.close());

type Raw = Awaited<ReturnType<typeof postRaw>>;

/** A 4xx answered as JSON `{ errors: [...] }`, with the given code when one is named. */
function expectRefused(r: Raw, status: number, code?: string) {
  expect({ status: r.status, contentType: r.contentType }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/json/),
  });
  expect(Array.isArray(r.body?.errors)).toBe(true);
  expect(r.body.errors.length).toBeGreaterThan(0);
  if (code) expect(r.body.errors.map((e: any) => e.extensions?.code)).toContain(code);
  expect(r.text).not.toMatch(/<html|<!DOCTYPE|\bat [\w.<>]+ \(|node_modules/i);
  expect(r.body.data ?? null).toBeNull();
}

/** After every refusal: a normal query still works. */
async function expectStillServing() {
  const r = await postRaw(t.url, { query: '{ me { name } }' }, { token: citizen });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
}

/**
 * `{ persons { nodes { cases { holder { cases … { name | title } } } } } }`
 * with exactly `depth` levels of fields, as GraphQL Armor counts them
 * (`{ persons { nodes { name } } }` is 3). `cases` is for staff: send a staff token.
 */
function nested(depth: number): string {
  const wraps = depth - 3;
  let inner = wraps % 2 === 0 ? 'name' : 'title';
  for (let i = wraps; i > 0; i--) inner = `${i % 2 === 1 ? 'cases' : 'holder'} { ${inner} }`;
  return `{ persons(search: "Tolvan") { nodes { ${inner} } } }`;
}

describe('H1 limits on the document', () => {
  test('a document exactly at the depth limit runs', async () => {
    const r = await postRaw(t.url, { query: nested(t.config.limits.maxDepth) }, { token: staff });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(JSON.stringify(r.body.data)).toContain('"title":"Ekonomiskt bistånd"');
  });

  test('one level beyond GRAPHQL_MAX_DEPTH is refused (400 GRAPHQL_VALIDATION_FAILED)', async () => {
    expect(t.config.limits.maxDepth).toBe(12);
    const r = await postRaw(t.url, { query: nested(t.config.limits.maxDepth + 1) }, { token: staff });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0].message).toMatch(/depth/i);
    await expectStillServing();
  });

  test('deep nesting hidden in fragments is refused too', async () => {
    let fragments = 'fragment F0 on Person { name }';
    for (let i = 1; i <= 14; i++) {
      fragments +=
        i % 2 === 1
          ? ` fragment F${i} on Case { holder { ...F${i - 1} } }`
          : ` fragment F${i} on Person { cases { ...F${i - 1} } }`;
    }
    const r = await postRaw(t.url, { query: `{ persons { nodes { ...F14 } } } ${fragments}` }, { token: staff });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    await expectStillServing();
  });

  test('thousands of nested levels are refused without a stack overflow', async () => {
    const r = await postRaw(t.url, { query: nested(5000) }, { token: staff });
    expectRefused(r, 400);
    await expectStillServing();
  });

  test('more aliases than GRAPHQL_MAX_ALIASES (inside the token limit) are refused', async () => {
    const n = t.config.limits.maxAliases + 1;
    const aliases = Array.from({ length: n }, (_, i) => `a${i}: name`).join(' ');
    const r = await postRaw(t.url, { query: `{ me { ${aliases} } }` }, { token: citizen });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0].message).toMatch(/alias/i);
    await expectStillServing();
  });

  test('thousands of aliases are refused', async () => {
    const aliases = Array.from({ length: 5000 }, (_, i) => `a${i}: name`).join(' ');
    const r = await postRaw(t.url, { query: `{ me { ${aliases} } }` }, { token: citizen });
    expectRefused(r, 400);
    await expectStillServing();
  });

  test('more directives than GRAPHQL_MAX_DIRECTIVES (inside the token limit) are refused', async () => {
    const n = t.config.limits.maxDirectives + 1;
    const directives = Array.from({ length: n }, () => '@include(if: true)').join(' ');
    const r = await postRaw(t.url, { query: `{ me { name ${directives} } }` }, { token: citizen });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0].message).toMatch(/directive/i);
    await expectStillServing();
  });

  test('thousands of directives are refused', async () => {
    const directives = Array.from({ length: 5000 }, () => '@skip(if: false)').join('');
    const r = await postRaw(t.url, { query: `{ me { name ${directives} } }` }, { token: citizen });
    expectRefused(r, 400);
    await expectStillServing();
  });

  test('more tokens than GRAPHQL_MAX_TOKENS are refused at parse (400 GRAPHQL_PARSE_FAILED)', async () => {
    // Plain repeated fields: no alias or directive limit applies, only the token count.
    const fields = Array.from({ length: t.config.limits.maxTokens }, () => 'name').join(' ');
    const r = await postRaw(t.url, { query: `{ me { ${fields} } }` }, { token: citizen });
    expectRefused(r, 400, 'GRAPHQL_PARSE_FAILED');
    expect(r.body.errors[0].message).toMatch(/token/i);
    await expectStillServing();
  });
});

describe('H2 refused request shapes', () => {
  test('a batched array body is refused', async () => {
    const r = await postRaw(t.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }], { token: citizen });
    expectRefused(r, 400);
    await expectStillServing();
  });

  test('a text/plain POST is refused (CSRF prevention)', async () => {
    const r = await postRaw(t.url, JSON.stringify({ query: '{ me { name } }' }), {
      token: citizen,
      contentType: 'text/plain',
    });
    expectRefused(r, 400);
    expect(r.text).not.toContain('Tolvan');
    await expectStillServing();
  });

  test('a form POST is refused (CSRF prevention)', async () => {
    const r = await postRaw(t.url, `query=${encodeURIComponent('{ me { name } }')}`, {
      token: citizen,
      contentType: 'application/x-www-form-urlencoded',
    });
    expectRefused(r, 400);
    expect(r.text).not.toContain('Tolvan');
    await expectStillServing();
  });

  test('a multipart POST is refused (CSRF prevention)', async () => {
    const r = await postRaw(
      t.url,
      '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ me { name } }\r\n--x--\r\n',
      {
        token: citizen,
        contentType: 'multipart/form-data; boundary=x',
      },
    );
    expectRefused(r, 400);
    expect(r.text).not.toContain('Tolvan');
  });

  test('a GET query without a preflight header is refused (CSRF prevention)', async () => {
    const res = await fetch(`${t.url}?query=${encodeURIComponent('{ me { name } }')}`, {
      headers: { authorization: `Bearer ${citizen}` },
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(text).errors.length).toBeGreaterThan(0);
    expect(text).not.toContain('Tolvan');
    await expectStillServing();
  });

  test('malformed JSON answers 400 JSON, not an HTML page', async () => {
    const r = await postRaw(t.url, '{"query": "{ me { name } }"', { token: citizen });
    expectRefused(r, 400, 'BAD_REQUEST');
    expect(r.body.errors[0].message).toMatch(/JSON/);
    await expectStillServing();
  });

  test('a JSON body that is not an object is refused', async () => {
    const r = await postRaw(t.url, '"{ me { name } }"', { token: citizen });
    expectRefused(r, 400);
    await expectStillServing();
  });

  test('a body without a query is refused', async () => {
    const r = await postRaw(t.url, { variables: {} }, { token: citizen });
    expectRefused(r, 400);
  });

  test('a body over 1 MB answers 413 JSON', async () => {
    const big = { query: '{ me { name } }', variables: { padding: 'x'.repeat(1024 * 1024 + 1) } };
    const r = await postRaw(t.url, big, { token: citizen });
    expectRefused(r, 413, 'BAD_REQUEST');
    expect(r.body.errors[0].message).toMatch(/1 MB/);
    await expectStillServing();
  });

  test('a body just under 1 MB is read', async () => {
    const r = await postRaw(
      t.url,
      { query: '{ me { name } }', variables: { padding: 'x'.repeat(1000 * 1000) } },
      { token: citizen },
    );
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
  });

  test('an unknown field is refused without a "Did you mean" suggestion', async () => {
    const r = await postRaw(t.url, { query: '{ me { nam } }' }, { token: citizen });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0].message).toMatch(/nam/);
    expect(r.text).not.toMatch(/did you mean/i);
    await expectStillServing();
  });

  test('an unknown root field is refused without a suggestion, also without a token', async () => {
    const r = await postRaw(t.url, { query: '{ persns { nodes { name } } }' });
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.text).not.toMatch(/did you mean/i);
  });

  test('an unknown argument is refused without a suggestion', async () => {
    const r = await postRaw(
      t.url,
      { query: '{ persons(serch: "x") { nodes { name } } }' },
      { token: await t.token.staff(DEMO.caseworker) },
    );
    expectRefused(r, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(r.text).not.toMatch(/did you mean/i);
  });

  test('an unknown path answers 404 JSON', async () => {
    const res = await fetch(t.url.replace(/\/graphql$/, '/wp-admin/setup.php'));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  test('a POST to an unknown path answers 404 JSON', async () => {
    const r = await postRaw(t.url.replace(/\/graphql$/, '/graphql-old'), { query: '{ __typename }' });
    expectRefused(r, 404, 'NOT_FOUND');
  });

  test('no X-Powered-By header', async () => {
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('H3 limits follow the configuration exactly', () => {
  let strict: TestServer;
  let token: string;
  let staffToken: string;
  beforeAll(async () => {
    strict = (await demoWorld({ GRAPHQL_MAX_TOKENS: '100', GRAPHQL_MAX_DEPTH: '4' })).t;
    token = await strict.token.citizen(DEMO.tolvan);
    staffToken = await strict.token.staff(DEMO.caseworker);
  });
  afterAll(() => strict.close());

  // `{ me { name … } }` with `tokens` tokens; graphql-js also counts the end of the document as one.
  const fields = (tokens: number) => `{ me { ${Array.from({ length: tokens - 4 }, () => 'name').join(' ')} } }`;

  test('a document within GRAPHQL_MAX_TOKENS runs', async () => {
    const r = await postRaw(strict.url, { query: fields(99) }, { token });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
  });

  test('one token more is refused at parse (400 GRAPHQL_PARSE_FAILED)', async () => {
    const r = await postRaw(strict.url, { query: fields(100) }, { token });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(r.body.errors[0].message).toMatch(/100 tokens/);
  });

  test('a document at GRAPHQL_MAX_DEPTH runs, one level deeper is refused', async () => {
    const ok = await postRaw(strict.url, { query: nested(4) }, { token: staffToken });
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const deep = await postRaw(strict.url, { query: nested(5) }, { token: staffToken });
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.body.errors[0].message).toMatch(/depth/i);
  });
});

describe('H4 the cost limit', () => {
  let cheap: TestServer;
  let staffToken: string;
  beforeAll(async () => {
    cheap = (await demoWorld({ GRAPHQL_MAX_COST: '100' })).t;
    staffToken = await cheap.token.staff(DEMO.caseworker);
  });
  afterAll(() => cheap.close());

  // Armor's cost: objects 2, scalars 1, times 1.5 per level; `cases { title }` under nodes adds 7.875.
  const repeated = (n: number) =>
    `{ persons { nodes { ${Array.from({ length: n }, () => 'cases { title }').join(' ')} } } }`;

  test('a document within GRAPHQL_MAX_COST runs', async () => {
    const r = await postRaw(cheap.url, { query: repeated(11) }, { token: staffToken });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });

  test('a document over GRAPHQL_MAX_COST is refused with 400', async () => {
    // Shallow, 60 tokens, no aliases or directives: only the cost limit can refuse it.
    const r = await postRaw(cheap.url, { query: repeated(13) }, { token: staffToken });
    expect(r.status).toBe(400);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(r.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.errors[0].message).toMatch(/cost/i);
  });
});

describe('H5 health', () => {
  test('/healthz answers 200 {status: ok} once the database is migrated', async () => {
    const res = await fetch(t.url.replace(/\/graphql$/, '/healthz'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('H6 unexpected errors are masked', () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = (await demoWorld({ TRUST_PROXY_REQUEST_ID: 'true' })).t; // so the test can name the request id it looks for
  });
  afterAll(() => broken.close());

  // The server's error log (JSON lines on stderr) is where an operator finds what the client is not told.
  let logged: string[] = [];
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    logged = [];
    stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (logged.push(String(chunk)), true));
  });
  afterEach(() => stderr.mockRestore());
  const errorLines = () =>
    logged
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            level: string;
            msg: string;
            requestId?: string;
            err?: { message: string; stack?: string };
          },
      );

  function expectMasked(r: Raw) {
    expect(r.contentType).toMatch(/^application\/json/);
    const errors = r.body.errors as any[];
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.extensions.code).toBe(ErrorCode.INTERNAL_SERVER_ERROR);
      expect(e.extensions.requestId).toEqual(expect.any(String));
      expect(e.message).toContain(e.extensions.requestId);
      expect(e.extensions.stacktrace).toBeUndefined();
    }
    // Nothing of the SQL, the database's words or a stack frame, anywhere in the body.
    const withoutDetail = JSON.stringify({
      ...r.body,
      errors: errors.map(({ extensions: { detail: _d, ...ext }, ...e }) => ({ ...e, extensions: ext })),
    });
    expect(withoutDetail).not.toMatch(/select|relation|"unit"|does not exist|\bat [\w.<>]+ \(|\.ts:\d+/i);
  }

  test('a resolver whose table is gone answers INTERNAL_SERVER_ERROR with a request id and no SQL', async () => {
    const staff = await broken.token.staff(DEMO.admin);
    const before = await postRaw(broken.url, { query: '{ units { name } }' }, { token: staff });
    expect(before.status).toBe(200);
    expect(before.body.data.units.length).toBeGreaterThan(0);

    await broken.em().getConnection().execute('drop table "unit" cascade');
    const r = await postRaw(
      broken.url,
      { query: '{ units { name } }' },
      { token: staff, headers: { 'x-request-id': 'masking-test-0001' } },
    );
    expectMasked(r);
    expect(r.body.errors[0].extensions.requestId).toBe('masking-test-0001');
    // The log keeps the whole story under the same request id, so the client's id leads to it.
    const line = errorLines().find((l) => l.requestId === 'masking-test-0001');
    expect(line).toMatchObject({
      level: 'error',
      msg: 'unexpected error',
      err: { message: expect.stringContaining('relation "unit" does not exist') },
    });
    expect(line!.err!.stack).toMatch(/\bat /);
  });

  test('a failure while looking up the caller (context creation) is masked too', async () => {
    await broken.em().getConnection().execute('drop table "staff" cascade');
    const r = await postRaw(
      broken.url,
      { query: '{ staffMe { name } }' },
      { token: await broken.token.staff(DEMO.caseworker) },
    );
    expect(r.status).toBeGreaterThanOrEqual(500);
    expectMasked(r);
    const requestId = (r.body.errors as { extensions: { requestId: string } }[])[0].extensions.requestId;
    expect(errorLines().find((l) => l.requestId === requestId)?.err?.message).toContain(
      'relation "staff" does not exist',
    );
  });

  test('with the database gone entirely, /readyz answers 503 and a query is masked', async () => {
    await broken.orm.close();
    const health = await fetch(broken.url.replace(/\/graphql$/, '/readyz'));
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: expect.not.stringMatching(/^ok$/) });
    const r = await postRaw(
      broken.url,
      { query: '{ me { name } }' },
      { token: await broken.token.citizen(DEMO.tolvan) },
    );
    expect(r.status).toBeGreaterThanOrEqual(500);
    expectMasked(r);
  });
});

describe('H7 formatError in production mode', () => {
  const opts = (exposeDetails: boolean) => ({ requestId: 'req-12345678', exposeDetails, log: () => undefined });

  test('an unexpected error loses its message and gains the request id; no detail in production', () => {
    const sqlError = new Error(
      'select "s0".* from "staff" as "s0" - relation "staff" does not exist\n    at Connection.execute (src/db.ts:1:1)',
    );
    const out = formatError(
      { message: sqlError.message, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } },
      sqlError,
      opts(false),
    );
    expect(out.extensions).toEqual({ code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: 'req-12345678' });
    expect(out.message).toContain('req-12345678');
    expect(JSON.stringify(out)).not.toMatch(/select|relation|staff|at Connection/);
  });

  test('an error with an unknown code is masked the same way', () => {
    const out = formatError(
      { message: 'ECONNREFUSED 127.0.0.1:5432', extensions: { code: 'ECONNREFUSED' } },
      new Error('x'),
      opts(false),
    );
    expect(out.extensions).toEqual({ code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: 'req-12345678' });
    expect(JSON.stringify(out)).not.toContain('5432');
  });

  test('outside production the detail extension carries the original message', () => {
    const out = formatError(
      { message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      new Error('boom'),
      opts(true),
    );
    expect(out.extensions).toMatchObject({ code: ErrorCode.INTERNAL_SERVER_ERROR, detail: 'boom' });
  });

  test('every unexpected error is logged, expected ones are not', () => {
    const logged: unknown[] = [];
    const log = (e: unknown) => logged.push(e);
    const boom = new Error('boom');
    formatError({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, boom, {
      exposeDetails: false,
      log,
    });
    formatError({ message: 'No person', extensions: { code: ErrorCode.NOT_FOUND } }, new Error('x'), {
      exposeDetails: false,
      log,
    });
    expect(logged).toEqual([boom]);
  });

  test('expected failures keep their code and message but lose stack and http extensions', () => {
    const out = formatError(
      {
        message: 'Sign in first.',
        extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 }, stacktrace: ['at x'] },
      },
      new Error('x'),
      opts(false),
    );
    expect(out).toEqual({ message: 'Sign in first.', extensions: { code: ErrorCode.UNAUTHENTICATED } });
  });

  test('BAD_USER_INPUT keeps the field it names', () => {
    const out = formatError(
      { message: 'Give a valid e-mail address.', extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'email' } },
      new Error('x'),
      opts(false),
    );
    expect(out.extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'email' });
  });
});
