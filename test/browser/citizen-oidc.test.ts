import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, Page } from 'playwright-core';
import { seedDemoConversations, seedDemoData } from '../../src/db/demo-data';
import { axeViolations, launchChromium, newContext, PEOPLE } from '../testkit/chromium';
import { startOpenIdProvider, type TestProvider } from '../testkit/openid-provider';
import { freePort } from '../testkit/process';
import { startTestServer, type TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there (as in the staff UI's tests).
const ui = playwrightExpect.configure({ timeout: 10_000 });

// Real browser, real server, real OpenID Provider: slower than the API tests.
jest.setTimeout(60_000);

let t: TestServer;
let op: TestProvider;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  const [appPort, opPort] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${appPort}`;
  op = await startOpenIdProvider(opPort, [
    { client_id: 'ifo-citizen', client_secret: 'citizen-secret', redirect_uris: [`${origin}/auth/callback/citizen`] },
  ]);
  [t, browser] = await Promise.all([
    startTestServer({
      AUTH_MODE: 'oidc',
      PORT: String(appPort),
      PUBLIC_URL: origin,
      AUTH_CITIZEN_ISSUER: op.issuer,
      AUTH_CITIZEN_JWKS_URL: op.jwksUrl,
      AUTH_CITIZEN_CLIENT_ID: 'ifo-citizen',
      AUTH_CITIZEN_CLIENT_SECRET: 'citizen-secret',
      AUTH_STAFF_ISSUER: op.issuer,
      AUTH_STAFF_JWKS_URL: op.jwksUrl,
    }),
    launchChromium(),
  ]);
  await seedDemoData(t.em());
  await seedDemoConversations(t.em());
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await op?.close();
});

/** At the provider's own pages (another origin): log in as `login`, then give consent. */
async function atProvider(page: Page, login: string) {
  await page.waitForURL((url) => url.origin === op.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('valfritt');
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent
}

describe('CU8 sign-in with e-legitimation (OIDC code flow with PKCE, through a real provider)', () => {
  test('the sign-in screen leads to the provider and back to the page asked for, signed in; sign-out ends it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${origin}/kontakter`);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Logga in med e-legitimation' }).click();
    await atProvider(page, PEOPLE.tolvan.personnummer);

    await page.getByRole('heading', { name: 'Kontakter', level: 1 }).waitFor();
    expect(new URL(page.url()).origin).toBe(origin);
    await ui(page.getByText(PEOPLE.tolvan.name).first()).toBeVisible();
    await ui(page.getByTestId('contact')).toContainText('Marita Aronsson');

    await page.getByRole('button', { name: 'Logga ut' }).click();
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    const session = await (await context.request.get(`${origin}/auth/session`)).json();
    expect(session).toMatchObject({ signedIn: false });
    await context.close();
  });

  test('a person whose e-service is not activated comes back to the sign-in screen with the Swedish reason', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.getByRole('link', { name: 'Logga in med e-legitimation' }).click();
    await atProvider(page, PEOPLE.kalle.personnummer);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    await ui(page.getByRole('alert')).toContainText('Din handläggare har inte aktiverat e-tjänsten');
    await context.close();
  });
});
