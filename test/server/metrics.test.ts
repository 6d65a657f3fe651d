import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { NOTIFY_QUEUE } from '../../src/notifications/boss';
import { viewerTopic } from '../../src/subscriptions/notice-pipeline';
import { postRaw } from '../testkit/api';
import { startTestServer, type TestServer } from '../testkit/server';
import { openRawSocket } from '../testkit/ws';

/** The value of one series in the Prometheus text format, e.g. `ifo_websocket_connections` or `ifo_graphql_errors_total{code="X"}`. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    if (line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return undefined;
}

async function scrape(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

describe('MET1 GET /metrics in the Prometheus text format (development and tests: no token needed)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await seedDemoData(t.em());
  });
  afterAll(() => t.close());
  const metricsUrl = () => t.url.replace(/\/graphql$/, '/metrics');

  test('requests by operation name and status, errors by code, websockets and subscriptions, fan-out delay, job queue, db pool', async () => {
    const citizen = await t.token.citizen(DEMO.tolvan);
    for (let i = 0; i < 3; i++)
      expect((await postRaw(t.url, { query: 'query Me { me { id } }' }, { token: citizen })).status).toBe(200);
    const refused = await postRaw(t.url, { query: 'query Me { me { id } }' });
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await postRaw(t.url, { query: '{ nope }' }, { token: citizen });
    // Refused before Apollo (an unknown trusted-document hash): counted by its code too.
    expect((await postRaw(t.url, { documentId: `sha256:${'0'.repeat(64)}` }, { token: citizen })).status).toBe(400);

    // A live subscription, and a wake-up on its topic (as the notice pipeline publishes after a commit).
    const socket = await openRawSocket(t.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${citizen}` } });
    expect((await socket.next()).type).toBe('connection_ack');
    socket.send({ id: 'n1', type: 'subscribe', payload: { query: 'subscription { notices { __typename } }' } });
    const person = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    let text = '';
    for (let i = 0; i < 50 && !(sample(text, 'ifo_notice_fanout_delay_seconds_count')! > 0); i++) {
      t.runtime.bus.publish(viewerTopic({ kind: 'citizen', person }), { seq: '0' });
      await new Promise((r) => setTimeout(r, 50));
      text = (await scrape(metricsUrl())).text;
    }
    // A job waiting in the queue (no worker in this test server).
    await t.runtime.boss.send(NOTIFY_QUEUE, { probe: true });

    const m = await scrape(metricsUrl());
    expect(m.status).toBe(200);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    text = m.text;
    expect(sample(text, 'ifo_graphql_request_duration_seconds_count{operation="Me",status="200"}')).toBe(3);
    expect(sample(text, 'ifo_graphql_request_duration_seconds_count{operation="Me",status="401"}')).toBe(1);
    expect(sample(text, 'ifo_graphql_request_duration_seconds_count{operation="invalid",status="400"}')).toBe(1);
    expect(sample(text, 'ifo_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(sample(text, 'ifo_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(sample(text, 'ifo_graphql_errors_total{code="PERSISTED_QUERY_NOT_FOUND"}')).toBe(1);
    expect(sample(text, 'ifo_websocket_connections')).toBe(1);
    expect(sample(text, 'ifo_websocket_operations')).toBe(1);
    expect(sample(text, 'ifo_notice_fanout_delay_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, `ifo_job_queue_jobs{queue="${NOTIFY_QUEUE}",state="created"}`)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ifo_db_pool_connections{state="max"}')).toBe(5);
    expect(sample(text, 'ifo_db_pool_connections{state="used"}')).toEqual(expect.any(Number));
    expect(sample(text, 'ifo_process_resident_memory_bytes')).toBeGreaterThan(0);

    socket.close();
    await socket.closed;
    for (let i = 0; i < 50 && sample((await scrape(metricsUrl())).text, 'ifo_websocket_connections') !== 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    text = (await scrape(metricsUrl())).text;
    expect(sample(text, 'ifo_websocket_connections')).toBe(0);
    expect(sample(text, 'ifo_websocket_operations')).toBe(0);
  });

  test('operation names a caller chooses cannot create unbounded series: odd names are "other"', async () => {
    const citizen = await t.token.citizen(DEMO.tolvan);
    await postRaw(t.url, { query: 'query Me { me { id } }', operationName: 'Me' }, { token: citizen });
    const r = await postRaw(t.url, { query: `query ${'X'.repeat(80)} { me { id } }` }, { token: citizen });
    expect(r.status).toBe(200);
    const text = (await scrape(metricsUrl())).text;
    expect(text).not.toContain('X'.repeat(80));
    expect(sample(text, 'ifo_graphql_request_duration_seconds_count{operation="other",status="200"}')).toBe(1);
  });
});

describe('MET2 access: a bearer token (METRICS_TOKEN) or a port of its own (METRICS_PORT)', () => {
  const TOKEN = 'metrics-secret-0123456789abcdef';

  test('with METRICS_TOKEN: 401 without or with a wrong token, 200 with it', async () => {
    const t = await startTestServer({ METRICS_TOKEN: TOKEN });
    try {
      const url = t.url.replace(/\/graphql$/, '/metrics');
      expect((await scrape(url)).status).toBe(401);
      expect((await scrape(url, 'metrics-secret-wrong-0123456789ab')).status).toBe(401);
      const ok = await scrape(url, TOKEN);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('ifo_graphql_request_duration_seconds');
    } finally {
      await t.close();
    }
  });

  test('with METRICS_PORT: on that port only; the API port answers 404', async () => {
    const t = await startTestServer({ METRICS_PORT: '0' });
    try {
      expect((await scrape(t.url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
      expect(t.server.metricsPort).toEqual(expect.any(Number));
      const own = await scrape(`http://127.0.0.1:${t.server.metricsPort}/metrics`);
      expect(own.status).toBe(200);
      expect(own.text).toContain('ifo_db_pool_connections');
    } finally {
      await t.close();
    }
  });

  test('METRICS_TOKEN must be a real secret', () => {
    const { loadConfig } = jest.requireActual('../../src/config') as typeof import('../../src/config');
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 24 characters/,
    );
  });
});
