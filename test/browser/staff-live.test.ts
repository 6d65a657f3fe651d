import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { DEMO } from '../../src/db/demo-data';
import { launchChromium, newContext, startUiServer } from '../testkit/chromium';
import { holdAnswers, operation } from './held-answers';
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

/**
 * The page's websockets, passed through to the server while `online()` (else closed as a dropped network), with the
 * page's subscribe messages counted on their way: `subscribes()` is how many have gone.
 */
async function routeSockets(page: Page, online: () => boolean = () => true) {
  const sockets: WebSocketRoute[] = [];
  let count = 0;
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    if (!online()) return void ws.close({ code: 1011, reason: 'nätverket är nere' });
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === 'string' && /"type":\s*"subscribe"/.test(message)) count++;
      server.send(message);
    });
    sockets.push(ws);
  });
  return { sockets, subscribes: () => count };
}

describe('SU2 live notices', () => {
  test('a citizen writes: the badge at Meddelanden, the Inkorg count and the list change without a reload, and a screen reader hears it; after a network drop the counts catch up', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    let online = true;
    const { sockets, subscribes } = await routeSockets(page, () => online);
    await signInStaff(page, t.origin, STAFF.marita);
    const nav = page.getByRole('navigation', { name: 'Brevlådor' });
    const badge = page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: /^Meddelanden/ });
    await ui(badge).toHaveAccessibleName('Meddelanden 3 olästa meddelanden');
    await ui(page.getByText('Anslutningen bröts')).toHaveCount(0);
    // The feed subscribes after its catch-up query: what is sent from here on is timed from a live subscription.
    await ui.poll(subscribes).toBeGreaterThan(0);

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

describe('SU2b the counts after a reconnect', () => {
  test('the unread counts the page asks for again after a drop do not put back a count older than a notice that came while they were on their way', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const { sockets, subscribes } = await routeSockets(page);
    await signInStaff(page, t.origin, STAFF.marita);
    const badge = page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: /^Meddelanden/ });
    await ui(badge).toHaveAccessibleName(/^Meddelanden \d+ olästa meddelanden$/);
    await ui.poll(subscribes).toBeGreaterThan(0);
    const before = Number(
      /(\d+) olästa/.exec((await badge.getAttribute('aria-label')) ?? (await badge.innerText()))?.[1],
    );
    expect(before).toBeGreaterThan(0);

    // The answer to the page's next Mailboxes query is read by the server at once but reaches the page only later,
    // as on a slow network.
    const mailboxes = await holdAnswers(page, operation('Mailboxes'), { readAtOnce: true });
    // The socket drops and comes back: the page asks for the counts again, and that answer (still `before`) is held.
    const subscribedBefore = subscribes();
    await Promise.all(sockets.splice(0).map((ws) => ws.close({ code: 1011, reason: 'nätverket är nere' })));
    await mailboxes.asked;
    await ui.poll(subscribes).toBeGreaterThan(subscribedBefore);
    // A message comes meanwhile: its notice moves the badge on.
    await citizenSends(t, DEMO.tolvan, { subject: 'Under återanslutningen', body: '<p>Hej</p>' });
    await ui(badge).toHaveAccessibleName(`Meddelanden ${before + 1} olästa meddelanden`);
    // The older answer arrives: the badge keeps the notice's count.
    await mailboxes.release();
    await ui(badge).toHaveAccessibleName(`Meddelanden ${before + 1} olästa meddelanden`);
    await context.close();
  });
});
