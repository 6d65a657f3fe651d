import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { MailboxesDocument } from '../../clients/citizen/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from '../testkit/api';
import { makePdf } from '../testkit/files';
import {
  axeViolations,
  caseworkerSees,
  caseworkerSends,
  launchChromium,
  overflowX,
  newContext,
  PEOPLE,
  screenshot,
  signInAs,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import type { TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there (as in the staff UI's tests).
const ui = playwrightExpect.configure({ timeout: 10_000 });

// Real browser, real server: slower than the API tests.
jest.setTimeout(60_000);

let t: TestServer & { origin: string };
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startUiServer(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The citizen's unread count as the server has it (the menu's badge shows the same). */
async function unreadOf(personnummer: string): Promise<number> {
  const api = apiAs(t, await t.token.citizen(personnummer));
  try {
    return (await api.query(MailboxesDocument, {})).data!.mailboxes[0].unreadCount;
  } finally {
    await api.close();
  }
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max` presses. */
async function tabTo(page: Page, matches: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(matches)}) ?? false`)) {
      // Focus is visible: a real outline, not the browser default removed.
      const outline = await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`);
      expect(outline).not.toBe('none');
      return;
    }
  }
  throw new Error(`${matches} was not reached with ${max} Tab presses`);
}

describe('CU1 Meddelanden', () => {
  let conversationId: string;
  let pdf: Buffer;

  test('the inbox marks the unread conversation with a count; opening it marks it read (Marita sees the receipt); the PDF downloads; each message has its history', async () => {
    pdf = await makePdf('Beslut om ekonomiskt bistånd');
    ({ conversationId } = await caseworkerSends(t, DEMO.tolvan, {
      subject: 'Beslut om ekonomiskt bistånd',
      body: '<p>Hej Tolvan!</p><p>Beslutet är bifogat. Hör av dig om du har frågor.</p>',
      pdf: { name: 'Beslut.pdf', bytes: pdf },
    }));
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();

    // Newest first, the unread one with its count; the menu's badge says the same.
    const rows = page.getByRole('list', { name: 'Inkorg' }).getByRole('link');
    await ui(rows.first()).toHaveAccessibleName(/^Beslut om ekonomiskt bistånd .* 1 oläst meddelande$/);
    await ui(rows.nth(1)).toHaveAccessibleName(/^Påminnelse om mötestid .* 1 oläst meddelande$/); // the demo's welcome, not yet opened
    const menu = page.getByRole('navigation', { name: 'Huvudmeny' });
    await ui(menu.getByRole('link', { name: 'Meddelanden 2 olästa' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'inkorg');
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, 'inkorg-360');
    expect(await overflowX(page)).toBe(0);
    await page.setViewportSize(VIEWPORTS.desktop);

    await rows.first().click();
    await page.getByRole('heading', { name: 'Beslut om ekonomiskt bistånd', level: 1 }).waitFor();
    await page.getByText('Beslutet är bifogat.').waitFor();
    // Opening is reading: the receipt reaches Marita, and the unread count goes down.
    const seen = await eventually(
      () => caseworkerSees(t, conversationId),
      (c) => !!c.messages[0].readReceipts?.[0]?.readAt,
    );
    expect(seen.messages[0].readReceipts?.[0]?.readAt).toBeTruthy();
    await ui(menu.getByRole('link', { name: 'Meddelanden 1 olästa' })).toBeVisible();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Ladda ner Beslut.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Beslut.pdf');
    expect(fs.readFileSync(await download.path())).toEqual(pdf);

    // History (Händelser): sent, read, downloaded.
    await page.reload();
    const first = page.getByRole('article').first();
    await first.getByRole('button', { name: 'Händelser' }).click();
    await ui(first.getByRole('listitem').filter({ hasText: 'Skickat' })).toHaveCount(1);
    await ui(first.getByRole('listitem').filter({ hasText: 'Läst' })).toHaveCount(1);
    await ui(first.getByRole('listitem').filter({ hasText: 'Bilaga nedladdad' })).toHaveCount(1);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'meddelande');
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, 'meddelande-360');
    expect(await overflowX(page)).toBe(0);
    await context.close();
  });

  test('keyboard only: write a reply, attach a PDF through the file dialog, send; Marita gets it with the attachment', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name, `/meddelanden/${conversationId}`);
    await page.getByRole('heading', { name: 'Beslut om ekonomiskt bistånd', level: 1 }).waitFor();
    await page.locator('body').focus();

    await tabTo(page, 'textarea');
    await ui(page.getByRole('textbox', { name: 'Ditt svar' })).toBeFocused();
    await page.keyboard.type('Tack för beslutet.\n\nJag bifogar mitt intyg.');
    await tabTo(page, '.attachments button');
    await ui(page.getByRole('button', { name: 'Lägg till bilaga (PDF)' })).toBeFocused();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles({ name: 'Intyg.pdf', mimeType: 'application/pdf', buffer: await makePdf('Intyg') });
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Intyg.pdf' })
      .getByRole('button', { name: 'Ta bort Intyg.pdf' })
      .waitFor();
    await ui(page.getByRole('progressbar')).toHaveCount(0);
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');

    await page.getByRole('article').filter({ hasText: 'Jag bifogar mitt intyg.' }).waitFor();
    await ui(page.getByRole('textbox', { name: 'Ditt svar' })).toHaveValue('');
    const seen = await caseworkerSees(t, conversationId);
    const reply = seen.messages[seen.messages.length - 1];
    expect(reply.sender.name).toBe(PEOPLE.tolvan.name);
    expect(reply.bodyText).toContain('Jag bifogar mitt intyg.');
    expect(reply.attachments.map((a) => a.filename)).toEqual(['Intyg.pdf']);
    await context.close();
  });

  test('an upload shows its progress; a non-PDF and a file over 16 MB are refused in Swedish and nothing typed is lost', async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name, `/meddelanden/${conversationId}`);
    const reply = page.getByRole('textbox', { name: 'Ditt svar' });
    await reply.fill('Här kommer fler papper.');
    const input = page.locator('input[type="file"]');

    // A slow line, so the progress is there to see.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400 * 1024,
    });
    await input.setInputFiles({
      name: 'Kontoutdrag.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([await makePdf('Kontoutdrag'), Buffer.alloc(1_500_000, 0x20)]),
    });
    const progress = page.getByRole('progressbar', { name: 'Laddar upp Kontoutdrag.pdf' });
    await progress.waitFor();
    await eventually(
      async () => Number(await progress.getAttribute('aria-valuenow').catch(() => '100')),
      (v) => v > 0,
    );
    await screenshot(page, 'svar-uppladdning-360');
    expect(await overflowX(page)).toBe(0);
    await progress.waitFor({ state: 'detached', timeout: 20_000 });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    await input.setInputFiles({
      name: 'bild.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('GIF89a not a pdf at all'),
    });
    await ui(page.getByRole('listitem').filter({ hasText: 'bild.pdf' }).getByRole('alert')).toHaveText(
      'Filen är inte en PDF. Du kan bara bifoga PDF-filer.',
    );
    // From disk: the browser reads the file itself (17 MB through the test protocol would be slow).
    const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ifo-ui-')), 'Stor.pdf');
    fs.writeFileSync(big, Buffer.alloc(16 * 1024 * 1024 + 1, 0x25));
    await input.setInputFiles(big);
    await ui(page.getByRole('listitem').filter({ hasText: 'Stor.pdf' }).getByRole('alert')).toHaveText(
      'Filen är större än 16 MB. Välj en mindre fil.',
    );
    await ui(reply).toHaveValue('Här kommer fler papper.');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'svar-avvisad-fil-360');
    expect(await overflowX(page)).toBe(0);

    // Only the accepted file goes with the reply.
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('article').filter({ hasText: 'Här kommer fler papper.' }).waitFor();
    const seen = await caseworkerSees(t, conversationId);
    expect(seen.messages[seen.messages.length - 1].attachments.map((a) => a.filename)).toEqual(['Kontoutdrag.pdf']);
    await context.close();
  });

  test('at most 5 PDFs: of six chosen at once, five are attached and the person is told why not the sixth', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name, `/meddelanden/${conversationId}`);
    const pdf = await makePdf('Bilaga');
    const files = Array.from({ length: 6 }, (_, i) => ({
      name: `Bilaga-${i + 1}.pdf`,
      mimeType: 'application/pdf',
      buffer: pdf,
    }));
    await page.locator('input[type="file"]').setInputFiles(files);
    await ui(page.getByRole('button', { name: /^Ta bort Bilaga-\d\.pdf$/ })).toHaveCount(5);
    await ui(page.getByRole('button', { name: 'Ta bort Bilaga-6.pdf' })).toHaveCount(0);
    await ui(page.getByRole('button', { name: 'Lägg till bilaga (PDF)' })).toHaveCount(0);
    await ui(page.getByText('Du kan bifoga högst 5 filer i ett meddelande.')).toBeVisible();
    // Removing one makes room again.
    await page.getByRole('button', { name: 'Ta bort Bilaga-5.pdf' }).click();
    await ui(page.getByRole('button', { name: 'Lägg till bilaga (PDF)' })).toBeVisible();
    await context.close();
  });

  test('a new message to one of the contacts (messageTargets), with Swedish errors for what is missing', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('link', { name: 'Skriv nytt meddelande' }).click();
    await page.getByRole('heading', { name: 'Skriv nytt meddelande', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Skicka' }).click();
    await ui(page.getByText('Välj vem meddelandet ska till.')).toBeVisible();
    await ui(page.getByText('Skriv ett ämne.')).toBeVisible();
    await ui(page.getByText('Skriv ditt meddelande.')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: /Till/ }).click();
    const options = page.getByRole('option');
    await ui(options.filter({ hasText: 'Marita Aronsson, Socialsekreterare' })).toHaveCount(1);
    await options.filter({ hasText: 'Marita Aronsson, Socialsekreterare' }).click();
    await page.getByRole('textbox', { name: 'Ämne' }).fill('Fråga om utbetalning');
    await page.getByRole('textbox', { name: 'Meddelande' }).fill('Hej! När kommer utbetalningen?');
    await page.setViewportSize(VIEWPORTS.phone);
    await screenshot(page, 'nytt-meddelande-360');
    expect(await overflowX(page)).toBe(0);
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('heading', { name: 'Fråga om utbetalning', level: 1 }).waitFor();
    const conversation = new URL(page.url()).pathname.split('/').pop()!;
    const seen = await caseworkerSees(t, conversation);
    expect(seen.messages[0].bodyText).toContain('När kommer utbetalningen?');
    expect(seen.messages[0].recipients.map((r) => r.name)).toEqual(['Marita Aronsson']);
    await context.close();
  });
});

describe('CU1b keyboard only, a new message', () => {
  test('from the menu to a sent message with Tab, Enter and the arrow keys: choose the recipient, write, send', async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    // The skip link comes first and is visible when focused.
    await page.keyboard.press('Tab');
    await ui(page.getByRole('link', { name: 'Hoppa till innehållet' })).toBeFocused();
    await ui(page.getByRole('link', { name: 'Hoppa till innehållet' })).toBeInViewport();

    await tabTo(page, 'a[href="/meddelanden/nytt"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Skriv nytt meddelande', level: 1 }).waitFor();
    await tabTo(page, '.select-button');
    await page.keyboard.press('ArrowDown'); // opens the list
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('Enter');
    await ui(page.getByRole('button', { name: /Marita Aronsson/ })).toBeFocused();
    await tabTo(page, 'input');
    await page.keyboard.type('Med tangentbordet');
    await tabTo(page, 'textarea');
    await page.keyboard.type('Skrivet utan mus.');
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Med tangentbordet', level: 1 }).waitFor();
    // After the page changes, focus is on its heading, so reading starts there.
    await ui(page.getByRole('heading', { name: 'Med tangentbordet', level: 1 })).toBeFocused();
    await ui(page.getByRole('article').filter({ hasText: 'Skrivet utan mus.' })).toBeVisible();
    await context.close();
  });
});

describe('CU2 live', () => {
  test('a message sent through the staff API appears within 2 s without a reload; the badge changes; the live region says so', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');
    // The count before, from the server, and the badge showing it: read off the page, the badge may not be there yet.
    const before = await unreadOf(DEMO.tolvan);
    const menu = page.getByRole('navigation', { name: 'Huvudmeny' });
    await ui(menu.getByRole('link', { name: /^Meddelanden/ })).toHaveAccessibleName(
      before ? `Meddelanden ${before} olästa` : 'Meddelanden',
    );

    const started = Date.now();
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Ny tid för möte', body: '<p>Kan du komma på tisdag?</p>' });
    const row = page.getByRole('list', { name: 'Inkorg' }).getByRole('link', { name: /^Ny tid för möte/ });
    await row.waitFor({ timeout: 2000 });
    await ui(menu.getByRole('link', { name: `Meddelanden ${before + 1} olästa` })).toBeVisible({
      timeout: 2000 - (Date.now() - started),
    });
    await ui(page.getByTestId('announcer')).toHaveText('Nytt meddelande från Marita Aronsson: Ny tid för möte');
    await context.close();
  });

  test('after a network drop the page catches up: what was sent meanwhile appears once, nothing twice', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    // The page's websocket goes through this route, so the test can cut it and refuse new ones, as a lost network would.
    let online = true;
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!online) return void ws.close({ code: 1011, reason: 'nätverket är nere' });
      ws.connectToServer();
      sockets.push(ws);
    });
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await eventually(
      async () => sockets.length,
      (n) => n > 0,
    );

    online = false;
    await Promise.all(sockets.splice(0).map((ws) => ws.close({ code: 1011, reason: 'nätverket är nere' })));
    await page.getByText('Anslutningen bröts').waitFor({ timeout: 5000 });
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Medan du var borta 1', body: '<p>Ett</p>' });
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Medan du var borta 2', body: '<p>Två</p>' });
    online = true;

    const inbox = page.getByRole('list', { name: 'Inkorg' });
    await inbox.getByRole('link', { name: /^Medan du var borta 2/ }).waitFor({ timeout: 15_000 });
    await ui(inbox.getByRole('link', { name: /^Medan du var borta 1/ })).toHaveCount(1);
    await ui(page.getByText('Anslutningen bröts')).toHaveCount(0);
    // One more after the reconnect arrives live, once.
    await caseworkerSends(t, DEMO.tolvan, { subject: 'Efter återanslutning', body: '<p>Tre</p>' });
    await inbox.getByRole('link', { name: /^Efter återanslutning/ }).waitFor({ timeout: 3000 });
    await ui(inbox.getByRole('link', { name: /^Efter återanslutning/ })).toHaveCount(1);
    await context.close();
  });
});
