import type { Browser } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { WEB_BUILD } from '../../src/http/web-build';
import {
  axeViolations,
  launchChromium,
  newContext,
  PEOPLE,
  scriptReadableStorage,
  signInAs,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import type { TestServer } from '../testkit/server';

let t: TestServer & { origin: string };
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startUiServer(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('PL1 serving the web UIs', () => {
  test('the citizen UI at / has a strict Content-Security-Policy, no-cache, lang="sv"', async () => {
    const res = await fetch(`${t.origin}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // No third-party origin anywhere in the policy.
    expect(csp.match(/https?:\/\/[^\s;]+/g) ?? []).toEqual([]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toMatch(/<html lang="sv">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
  });

  test('hashed assets are cached for a year; app routes answer the app; /staff/ is the staff UI', async () => {
    const html = await (await fetch(`${t.origin}/meddelanden/nagot`, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(t.origin + script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const staff = await fetch(`${t.origin}/staff/`, { headers: { accept: 'text/html' } });
    expect(staff.status).toBe(200);
    expect(await staff.text()).toMatch(/src="\/staff\/assets\/[^"]+\.js"/);
  });

  test('an unknown page is the app with 404 (it says "Sidan finns inte"); API paths keep their JSON answers, also for a browser', async () => {
    for (const p of ['/graphql-old', '/meddelanden/a/b', '/staff/nagot']) {
      const res = await fetch(t.origin + p, { headers: { accept: 'text/html' } });
      expect([p, res.status, res.headers.get('content-type')]).toEqual([p, 404, 'text/html; charset=utf-8']);
    }
    for (const p of ['/auth/nothing', '/attachments/x/y', '/wp-admin/setup.php', '/assets/missing.js']) {
      const res = await fetch(t.origin + p, { headers: { accept: 'text/html' } });
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect((await fetch(`${t.origin}/healthz`)).status).toBe(200);
  });
});

describe('PL2 sign-in through the real development sign-in page', () => {
  test('signed out: the sign-in screen (axe-clean); signing in lands in Meddelanden; no token is readable by script', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && /Content Security Policy/.test(m.text()) && cspErrors.push(m.text()),
    );
    await page.goto(`${t.origin}/`);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await page.getByText(PEOPLE.tolvan.name).first().waitFor();

    const storage = await scriptReadableStorage(page);
    expect(storage.cookie).not.toMatch(/ifo_session/);
    const everything = JSON.stringify(storage);
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT
    expect(everything).not.toMatch(/[A-Za-z0-9_-]{43}/); // no session id
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'ifo_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(cspErrors).toEqual([]);

    // An address the app does not have: its own page, in Swedish, with a way back.
    await page.goto(`${t.origin}/finns-inte`);
    await page.getByRole('heading', { name: 'Sidan finns inte', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Gå till Meddelanden' }).click();
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await context.close();
  });

  test('signing out ends the session and shows the sign-in screen again', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    expect((await context.cookies()).find((c) => c.name === 'ifo_session')).toBeUndefined();
    await context.close();
  });

  test('the staff UI at /staff/ has its own sign-in and passes axe', async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await page.goto(`${t.origin}/staff/`);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: /^Logga in/ }).click();
    await page.getByRole('button', { name: 'Logga in som Marita Aronsson' }).click();
    await page.getByRole('heading', { name: 'Inkorg', level: 1 }).waitFor();
    await page.getByText('Marita Aronsson').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});

describe('PL3 the build', () => {
  test("the citizen app's first load is at most 150 KB of JavaScript gzipped", () => {
    const dir = WEB_BUILD.citizen;
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    // The entry script and the chunks it preloads: what the browser fetches before the first page shows.
    const scripts = [
      ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g),
    ].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (sum, s) => sum + zlib.gzipSync(fs.readFileSync(path.join(dir, s)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
  });

  test("a production build with React's automatic JSX runtime", () => {
    const dir = path.join(WEB_BUILD.citizen, 'assets');
    const code = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    // The classic runtime would compile <main> to createElement('main', …); the automatic one to jsx('main', …).
    const classic = code.match(/createElement\([`"'](?:main|h1|article|nav)[`"']/g) ?? [];
    const automatic = code.match(/\.jsxs?\)\([`"'](?:main|h1|article|nav)[`"']/g) ?? [];
    expect(classic.length).toBe(0);
    expect(automatic.length).toBeGreaterThan(0);
    // Not the development runtime or React's development build (which also print source paths).
    expect(code).not.toMatch(/jsxDEV|clients\/citizen\/app\/src/);
  });
});
