import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { DEMO } from '../../src/db/demo-data';
import { launchChromium, newContext, startUiServer } from '../testkit/chromium';
import { citizenSends } from '../testkit/staff-ui-api';
import { signInStaff, STAFF } from '../testkit/staff-ui';
import type { TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there.
const ui = playwrightExpect.configure({ timeout: 10_000 });

jest.setTimeout(90_000);

let t: TestServer & { origin: string };
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startUiServer(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('SU2 live notices', () => {
  test('a citizen writes: the badge at Meddelanden, the Inkorg count and the list change without a reload, and a screen reader hears it; after a network drop the counts catch up', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    let online = true;
    const sockets: WebSocketRoute[] = [];
    // The page's subscribe messages, counted on their way to the server.
    let subscribes = 0;
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!online) return void ws.close({ code: 1011, reason: 'nätverket är nere' });
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        if (typeof message === 'string' && /"type":\s*"subscribe"/.test(message)) subscribes++;
        server.send(message);
      });
      sockets.push(ws);
    });
    await signInStaff(page, t.origin, STAFF.marita);
    const nav = page.getByRole('navigation', { name: 'Brevlådor' });
    const badge = page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: /^Meddelanden/ });
    await ui(badge).toHaveAccessibleName('Meddelanden 3 olästa meddelanden');
    await ui(page.getByText('Anslutningen bröts')).toHaveCount(0);
    // The feed subscribes after its catch-up query: what is sent from here on is timed from a live subscription.
    await ui.poll(() => subscribes).toBeGreaterThan(0);

    const started = Date.now();
    await citizenSends(t, DEMO.tolvan, { subject: 'Ny fråga', body: '<p>Hej igen</p>' });
    await ui(badge).toHaveAccessibleName('Meddelanden 4 olästa meddelanden', { timeout: 2000 });
    expect(Date.now() - started).toBeLessThan(2000);
    await ui(nav.getByRole('link', { name: /^Inkorg 3 olästa$/ })).toBeVisible();
    await ui(page.getByRole('link', { name: /Ny fråga/ })).toBeVisible();
    await ui(page.getByTestId('announcer')).toHaveText('Nytt meddelande från Tolvan Tolvansson: Ny fråga');

    // The network drops; two messages arrive meanwhile; it comes back and the counts catch up, no reload.
    online = false;
    await Promise.all(sockets.splice(0).map((ws) => ws.close({ code: 1011, reason: 'nätverket är nere' })));
    await ui(page.getByText(/Anslutningen bröts/)).toBeVisible();
    await citizenSends(t, DEMO.tolvan, { subject: 'Medan du var borta 1', body: '<p>Ett</p>' });
    await citizenSends(t, DEMO.relation, { subject: 'Medan du var borta 2', body: '<p>Två</p>' });
    online = true;
    await ui(badge).toHaveAccessibleName('Meddelanden 6 olästa meddelanden', { timeout: 10_000 });
    await ui(nav.getByRole('link', { name: /^Inkorg 5 olästa$/ })).toBeVisible();
    await ui(page.getByRole('link', { name: /Medan du var borta 2/ })).toBeVisible();
    await ui(page.getByText(/Anslutningen bröts/)).toHaveCount(0);
    await context.close();
  });
});
