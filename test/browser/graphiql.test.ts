import type { Browser, Page } from 'playwright-core';
import { NoticesSinceDocument } from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from '../testkit/api';
import {
  caseworkerSends,
  launchChromium,
  newContext,
  PEOPLE,
  screenshot,
  signInAs,
  startUiServer,
} from '../testkit/chromium';
import { startTestServer, type TestServer } from '../testkit/server';

let t: TestServer & { origin: string };
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startUiServer(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/**
 * Replaces the query editor's text (Monaco) as a paste would, without its bracket auto-closing,
 * and waits until GraphiQL has taken in the new operation (its tab shows the operation's name).
 */
async function setQuery(page: Page, query: string, operationName: string) {
  await page.locator('.graphiql-query-editor .monaco-editor').first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);
  await page.locator('.graphiql-tab', { hasText: operationName }).first().waitFor();
}

/** The response pane's text (Monaco renders lines with non-breaking spaces). */
async function responseText(page: Page): Promise<string> {
  return ((await page.locator('.graphiql-response .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/**
 * Tolvan's notice cursor now. A subscription without one gets only what happens after the server has set it
 * up, which the test cannot see from the page; one from this cursor also gets what came in between.
 */
async function tolvansCursor(): Promise<string> {
  const api = apiAs(t, await t.token.citizen(DEMO.tolvan));
  try {
    return (await api.query(NoticesSinceDocument, { cursor: null })).data!.noticesSince.cursor;
  } finally {
    await api.close();
  }
}

async function waitForResponse(page: Page, pattern: RegExp, timeout = 15_000) {
  const until = Date.now() + timeout;
  let text = '';
  while (Date.now() < until) {
    text = await responseText(page);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`the response pane never showed ${pattern}; it shows: ${text}`);
}

describe('GQ1 GraphiQL at GET /graphql, served by this server', () => {
  test("a browser gets the IDE page under the web UIs' strict CSP (plus style attributes, for Monaco); an API client still gets GraphQL", async () => {
    const page = await fetch(t.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    // The staff and citizen pages' policy, word for word but the nonce, and one addition.
    const ui = (await fetch(`${t.origin}/`, { headers: { accept: 'text/html' } })).headers.get(
      'content-security-policy',
    )!;
    const withoutNonce = (p: string) => p.replace(/'nonce-[^']+'/, "'nonce'");
    expect(withoutNonce(csp)).toBe(`${withoutNonce(ui)}; style-src-attr 'unsafe-inline'`);
    expect(csp).toContain("script-src 'self';");
    expect(csp.replace("style-src-attr 'unsafe-inline'", '')).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp.match(/https?:\/\/[^\s;]+/g) ?? []).toEqual([]);
    const html = await page.text();
    expect(html).toMatch(/src="\/graphql\/ide\/assets\/[^"]+\.js"/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);

    const api = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test('Chromium with every other origin blocked: a query with the session cookie and a live subscription in GraphiQL; no request leaves 127.0.0.1', async () => {
    const context = await newContext(browser);
    const elsewhere: string[] = [];
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => {
        elsewhere.push(route.request().url());
        return route.abort();
      },
    );
    const page = await context.newPage();
    const origins = new Set<string>();
    page.on('request', (r) => origins.add(new URL(r.url()).origin));
    page.on('websocket', (ws) => origins.add(new URL(ws.url()).origin.replace(/^ws/, 'http')));
    const cspRefusals: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) cspRefusals.push(m.text());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // The development sign-in's session (an HttpOnly cookie), then the IDE on the same origin.
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.goto(`${t.origin}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });

    // The schema explorer (the docs plugin) reads the schema from this server.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await page.getByText('Query', { exact: true }).first().waitFor();

    await setQuery(page, 'query Mine { me { name } }', 'Mine');
    await page.getByRole('button', { name: /execute query/i }).click();
    const text = await waitForResponse(page, /"name": "Tolvan/);
    expect(text).toContain('"me"');

    // A subscription over this server's websocket, the session cookie going with the upgrade.
    // From the cursor of now (a fixed 500 ms for the subscription to reach the server was not always enough).
    const cursor = await tolvansCursor();
    await setQuery(page, `subscription Live { notices(after: "${cursor}") { kind subject senderName } }`, 'Live');
    await page.getByRole('button', { name: /execute query/i }).click();
    expect(await responseText(page)).not.toContain('"notices"');
    // A caseworker writes to Tolvan.
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Hej från GraphiQL-testet', body: '<p>Hej</p>' });
    // The new message's notices arrive live (NEW_MESSAGE, then the mailbox's UNREAD_COUNT; the pane shows the latest).
    await waitForResponse(page, /"notices": \{\s*"kind": "(NEW_MESSAGE|UNREAD_COUNT)"/);

    await screenshot(page, 'graphiql');
    expect(elsewhere).toEqual([]);
    expect([...origins]).toEqual([t.origin]);
    expect(cspRefusals).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});

describe('GQ3 a token pasted under Headers, without any session', () => {
  test('the query goes with the Authorization header, and the subscription with it in connection_init', async () => {
    const context = await newContext(browser);
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.abort(),
    );
    const page = await context.newPage();
    await page.goto(`${t.origin}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    const token = await t.token.citizen(DEMO.tolvan);
    await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));

    await setQuery(page, 'query WithToken { me { name } }', 'WithToken');
    await page.getByRole('button', { name: /execute query/i }).click();
    await waitForResponse(page, /"name": "Tolvan/);

    const cursor = await tolvansCursor();
    await setQuery(page, `subscription LiveWithToken { notices(after: "${cursor}") { kind } }`, 'LiveWithToken');
    await page.getByRole('button', { name: /execute query/i }).click();
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Hej via token', body: '<p>Hej</p>' });
    await waitForResponse(page, /"notices": \{\s*"kind": "(NEW_MESSAGE|UNREAD_COUNT)"/);
    // The token stays in the tab: GraphiQL is told not to keep headers in localStorage.
    expect(await page.evaluate<string>('JSON.stringify(localStorage)')).not.toContain(token);
    await context.close();
  });
});

describe("GQ2 off (GRAPHQL_IDE=off; the default in production): no IDE and never Apollo's landing page", () => {
  test("a browser at /graphql gets neither GraphiQL nor Apollo Sandbox; the IDE's files are not served", async () => {
    const off = await startTestServer({ GRAPHQL_IDE: 'off' });
    try {
      const res = await fetch(off.url, { headers: { accept: 'text/html' } });
      const body = await res.text();
      expect(res.headers.get('content-type') ?? '').not.toMatch(/^text\/html/);
      expect(body).not.toMatch(/graphiql|apollographql|sandbox/i);
      expect((await fetch(`${off.url}/ide/index.html`)).status).not.toBe(200);
    } finally {
      await off.close();
    }
  });
});
