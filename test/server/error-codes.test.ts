import { getMetadataStorage } from 'type-graphql';
import { Authorized, Role } from '../../src/auth/auth-checker';
import { createTokenVerifier } from '../../src/auth/tokens';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { ErrorCode, HTTP_STATUS, httpStatusOf } from '../../src/errors';
import { logger } from '../../src/log';
import { freeListenPort } from '../../src/ports';
import { getSchema } from '../../src/schema';
import { startServer, type RunningServer } from '../../src/server';
import { postRaw } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.em());
});
afterAll(() => t.close());

describe('one table from error code to HTTP status (src/errors.ts)', () => {
  test("every code has a 4xx or 5xx status; the unexpected one alone is 500; graphql-js's own codes are 400", () => {
    for (const code of Object.values(ErrorCode)) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code]).toBeLessThan(600);
    }
    expect(Object.values(ErrorCode).filter((c) => HTTP_STATUS[c] === 500)).toEqual([ErrorCode.INTERNAL_SERVER_ERROR]);
    expect(httpStatusOf('GRAPHQL_PARSE_FAILED')).toBe(400);
  });

  test('the HTTP routes answer with the status their code has in the table', async () => {
    const token = await t.token.citizen(DEMO.tolvan);
    const base = t.url.replace(/\/graphql$/, '');
    const answers = [
      await fetch(`${base}/no-such-path`),
      await fetch(`${base}/attachments/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${token}` },
      }),
      await fetch(`${base}/attachments/00000000-0000-4000-8000-000000000000`),
      await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }),
    ];
    for (const r of answers) {
      const body = (await r.json()) as { errors: { extensions: { code: string } }[] };
      expect(r.status).toBe(httpStatusOf(body.errors[0].extensions.code));
    }
    expect(answers.map((r) => r.status)).toEqual([404, 404, 401, 400]);
  });
});

describe('an expected condition is not a masked bug', () => {
  let bare: RunningServer;
  beforeAll(async () => {
    // The same database, served without the job queue (as a server whose pg-boss did not start).
    const config = { ...t.config, port: await freeListenPort() };
    bare = await startServer({
      config,
      orm: t.orm,
      verifier: await createTokenVerifier(config),
      sink: t.runtime.sink,
      bus: t.runtime.bus,
    });
  });
  afterAll(() => bare.close());

  test('retryNotification without the job queue: JOB_QUEUE_NOT_RUNNING with a message that says what to do, nothing logged as a bug', async () => {
    const logged: string[] = [];
    const stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (logged.push(String(chunk)), true));
    try {
      const r = await postRaw(
        bare.url,
        { query: 'mutation { retryNotification(id: "00000000-0000-4000-8000-000000000000") }' },
        { token: await t.token.staff(DEMO.admin) },
      );
      expect(r.status).toBe(200);
      expect(r.body.errors).toHaveLength(1);
      expect(r.body.errors[0].extensions).toEqual({ code: ErrorCode.JOB_QUEUE_NOT_RUNNING });
      expect(r.body.errors[0].message).toMatch(
        /^Notifications are not running on this server.*Try again in a few minutes/,
      );
      expect(r.body.data).toBeNull();
    } finally {
      stderr.mockRestore();
    }
    expect(logger.level).toBe('error');
    expect(logged.join('')).not.toMatch(/"level":50|INTERNAL_SERVER_ERROR/);
  });
});

describe('roles in @Authorized are written one typed way', () => {
  test("every role a resolver names is one of Role's", async () => {
    await getSchema();
    const named = new Set(getMetadataStorage().authorizedFields.flatMap((f) => f.roles as string[]));
    expect(named.size).toBeGreaterThan(0);
    for (const role of named) expect(Object.values(Role)).toContain(role);
  });

  test('a misspelt role does not compile (checked by npm run typecheck)', () => {
    // @ts-expect-error 'ADMNI' is not a role
    const misspelt = () => Authorized('ADMNI');
    expect(typeof misspelt).toBe('function');
  });
});
