import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect as playwrightExpect } from '@playwright/test';
import { WEB_BUILD } from '../../src/http/web-build';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/db/demo-data';
import { makePdf } from '../testkit/files';
import {
  axeViolations,
  caseworkerSees,
  launchChromium,
  newContext,
  overflowX,
  screenshot,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import { arrangeManyConversations, citizenSends } from '../testkit/staff-ui-api';
import { countOperations, signInStaff, STAFF } from '../testkit/staff-ui';
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

describe('SU1 mailboxes and reading', () => {
  test('Min brevlåda (Inkorg with its unread count, Utkast, Skickat) and the shared mailbox; the unread filter; axe-clean at desktop and 360 px', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await ui(page).toHaveURL(/\/staff\/inkorg$/);
    await ui(page.getByRole('heading', { level: 1, name: 'Inkorg' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Brevlådor' });
    // Demo data: Tolvan's reply and Josefine's question are unread in Marita's inbox; Anna's note in the shared mailbox.
    await ui(nav.getByRole('link', { name: /^Inkorg 2 olästa$/ })).toBeVisible();
    await ui(nav.getByRole('link', { name: /^Försörjningsstöd mottagning 1 olästa$/ })).toBeVisible();
    await ui(nav.getByRole('link', { name: 'Utkast' })).toBeVisible();
    await ui(nav.getByRole('link', { name: 'Skickat' })).toBeVisible();
    await ui(
      page
        .getByRole('navigation', { name: 'Huvudmeny' })
        .getByRole('link', { name: /Meddelanden 3 olästa meddelanden/ }),
    ).toBeVisible();
    const list = page.getByRole('list', { name: 'Inkorg' });
    await ui(list.getByTestId('conversation')).toHaveCount(2);
    await ui(
      list.getByRole('link', { name: /Fråga om ansökan.*Från: Josefine Test Ek.*1 oläst meddelande/ }),
    ).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-inbox');

    await nav.getByRole('link', { name: /^Försörjningsstöd mottagning/ }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Försörjningsstöd mottagning' })).toBeVisible();
    await ui(page.getByRole('link', { name: /Bemanning i receptionen/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    await nav.getByRole('link', { name: 'Skickat' }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Skickat' })).toBeVisible();
    await ui(page.getByRole('link', { name: /Påminnelse om mötestid.*Till: .*Tolvan Tolvansson/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await ui(page).toHaveTitle('Skickat – Meddelande IFO – för personal');

    await nav.getByRole('link', { name: /^Inkorg/ }).click();
    // Anna's colleague note in the shared mailbox is read there; the unread filter leaves it out.
    await nav.getByRole('link', { name: /^Försörjningsstöd mottagning/ }).click();
    await page.getByRole('link', { name: /Bemanning i receptionen/ }).click();
    await ui(nav.getByRole('link', { name: /^Försörjningsstöd mottagning$/ })).toBeVisible();
    await nav.getByRole('link', { name: /^Försörjningsstöd mottagning/ }).click();
    await page.getByText('Visa bara olästa').click();
    await ui(page.getByRole('checkbox', { name: 'Visa bara olästa' })).toBeChecked();
    await ui(page.getByText('Inga olästa meddelanden.')).toBeVisible();

    // An address that leads nowhere: the app says so (and the server answers 404).
    await page.goto(`${t.origin}/staff/finns-inte`);
    await ui(page.getByRole('heading', { level: 1, name: 'Sidan finns inte' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    await phone.goto(`${t.origin}/staff/inkorg`);
    await ui(phone.getByRole('heading', { level: 1, name: 'Inkorg' })).toBeVisible();
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-inbox-360');
    await context.close();
  });

  test('reading a conversation: recipients, read receipts, attachments, history; opening marks it read; reply "SV: …"', async () => {
    // Tolvan answers with a PDF (through the citizen API, as the citizen UI does).
    const pdf = await makePdf('Samtycke');
    const { conversationId } = await citizenSends(t, DEMO.tolvan, {
      subject: 'Samtycke',
      body: '<p>Här kommer samtycket.</p>',
      pdf: { name: 'Registrera Samtycke.pdf', bytes: pdf },
    });

    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    const nav = page.getByRole('navigation', { name: 'Brevlådor' });
    await ui(nav.getByRole('link', { name: /^Inkorg 3 olästa$/ })).toBeVisible();
    await page.getByRole('link', { name: /Samtycke/ }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Samtycke' })).toBeVisible();
    const message = page.getByTestId('message').last();
    await ui(message.getByRole('heading', { name: /Tolvan Tolvansson/ })).toBeVisible();
    await ui(message).toContainText('Här kommer samtycket.');
    await ui(
      message
        .getByRole('link', { name: 'Ladda ner Registrera_Samtycke.pdf' })
        .or(message.getByRole('link', { name: /Ladda ner Registrera.Samtycke\.pdf/ })),
    ).toBeVisible();
    // Opened = read: the count goes down without a reload.
    await ui(nav.getByRole('link', { name: /^Inkorg 2 olästa$/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    // The download is the PDF itself.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      message.getByRole('link', { name: /Ladda ner Registrera/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);

    // The demo message Marita sent with a read receipt: Tolvan has not read it yet (the demo reply came through the API).
    await nav.getByRole('link', { name: 'Skickat' }).click();
    await page.getByRole('link', { name: /Påminnelse om mötestid/ }).click();
    const sent = page.getByTestId('message').first();
    await ui(sent).toContainText('Till: Tolvan Tolvansson');
    await ui(sent.getByRole('heading', { name: 'Läskvitton' })).toBeVisible();
    await ui(sent.getByTestId('read-receipt')).toContainText('Tolvan Tolvansson');
    await sent.getByText('Händelser').click();
    await ui(sent.getByText(/Skickat, Marita Aronsson/)).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-conversation');

    // Reply: goes to Tolvan as "SV: …".
    await page.getByRole('textbox', { name: 'Ditt svar' }).fill('Tack för svaret!');
    await page.getByRole('button', { name: 'Skicka svar' }).click();
    await ui(page.getByTestId('message')).toHaveCount(3);
    await ui(page.getByTestId('message').last()).toContainText('Tack för svaret!');
    const seen = await caseworkerSees(t, /konversation\/([^/?]+)/.exec(page.url())![1]);
    expect(seen.messages.at(-1)).toMatchObject({
      subject: 'SV: Påminnelse om mötestid',
      recipients: [expect.objectContaining({ name: 'Tolvan Tolvansson' })],
    });
    // The citizen's own message stays where it was: read, in its conversation.
    expect((await caseworkerSees(t, conversationId)).messages[0].readByMe).toBe(true);
    await context.close();
  });

  test('paging: 5,000 conversations open and page by cursor without loading them all (requests counted)', async () => {
    await arrangeManyConversations(t, 5000);
    const context = await newContext(browser);
    const page = await context.newPage();
    const lists = countOperations(page, 'Conversations');
    await signInStaff(page, t.origin, STAFF.anna);
    const list = page.getByRole('list', { name: 'Inkorg' });
    await ui(list.getByTestId('conversation')).toHaveCount(25);
    await page.mouse.wheel(0, 5000);
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await ui(list.getByTestId('conversation')).toHaveCount(50);
    // Keyboard users continue at the first conversation that came in.
    await ui(list.getByTestId('conversation').nth(25).getByRole('link')).toBeFocused();
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await ui(list.getByTestId('conversation')).toHaveCount(75);
    // One request per page shown, each asking for 25: 75 of 5,000 conversations loaded.
    expect(lists.count()).toBe(3);
    await context.close();
  });
});

describe('SU0 the staff build', () => {
  test("the staff app's first load is at most 300 KB of JavaScript gzipped; the editor is not part of it", () => {
    const dir = WEB_BUILD.staff;
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    // The entry script and the chunks it preloads: what the browser fetches before the first page shows.
    const scripts = [
      ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/staff\/([^"]+\.js)"/g),
    ].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce(
      (sum, s) => sum + zlib.gzipSync(fs.readFileSync(path.join(dir, s)), { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(300 * 1024);
    expect(scripts.some((s) => /RichTextEditor|ComposePage/.test(s))).toBe(false);
    // The editor exists as its own chunk, loaded when Skriv nytt opens.
    expect(fs.readdirSync(path.join(dir, 'assets')).some((f) => /^RichTextEditor-.*\.js$/.test(f))).toBe(true);
  });
});
