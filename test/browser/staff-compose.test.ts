import { expect as playwrightExpect } from '@playwright/test';
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
import { signInStaff, STAFF, tabTo } from '../testkit/staff-ui';
import { citizenConversations } from '../testkit/staff-ui-api';
import type { TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there.
const ui = playwrightExpect.configure({ timeout: 10_000 });

jest.setTimeout(90_000);

let t: TestServer & { origin: string };
let browser: Browser;
let pdf: Buffer;
beforeAll(async () => {
  [t, browser, pdf] = await Promise.all([startUiServer(), launchChromium(), makePdf('Punkter att återkoppla kring')]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('SU3 Skriv nytt', () => {
  test('keyboard only: Marita writes to Tolvan (Till klient search), subject, bold text, Läskvitto, a PDF, and sends; focus is visible at every stop', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && /Content Security Policy/.test(m.text()) && cspErrors.push(m.text()),
    );
    await signInStaff(page, t.origin, STAFF.marita);
    await page.locator('body').focus();

    expect(await tabTo(page, 'a[href="/staff/skriv"]')).not.toBe('none');
    await page.keyboard.press('Enter');
    await ui(page.getByRole('heading', { level: 1, name: 'Skriv nytt' })).toBeVisible();
    await ui(page.getByTestId('editor')).toBeVisible({ timeout: 15_000 }); // the editor's chunk loads on demand
    expect(await axeViolations(page)).toEqual([]);
    // The editor runs under the strict CSP: nothing it does is refused.
    expect(cspErrors).toEqual([]);

    expect(await tabTo(page, '[data-field="recipients"] input')).not.toBe('none');
    await page.keyboard.type('Tolvan');
    await ui(page.getByRole('option', { name: /Tolvan Tolvansson, 19121212-1212/ })).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await ui(
      page
        .getByRole('row', { name: 'Tolvan Tolvansson' })
        .or(page.getByRole('gridcell', { name: /Tolvan Tolvansson/ }))
        .first(),
    ).toBeVisible();

    expect(await tabTo(page, '[data-field="subject"] input')).not.toBe('none');
    await page.keyboard.type('Påminnelse av mötestid');
    expect(await tabTo(page, 'input[type="checkbox"]')).not.toBe('none'); // Läskvitto
    await page.keyboard.press('Space');
    await ui(page.getByRole('checkbox', { name: 'Läskvitto' })).toBeChecked();

    expect(await tabTo(page, '[data-testid="editor"]')).not.toBe('none');
    await page.keyboard.type('Torsdag 23/8 kl 14.00 har vi nästa möte inbokat. ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('Ta med kontoutdragen.');
    await page.keyboard.press('Control+b');
    // Centred with the toolbar (one tab stop; arrows move inside), then back to the text.
    await page.keyboard.press('Shift+Tab');
    const toolbar = page.getByRole('toolbar', { name: 'Textformat' });
    expect(await toolbar.evaluate((t) => t.contains(t.ownerDocument.activeElement))).toBe(true);
    const tools = await toolbar.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
    const at = await toolbar.evaluate((t) =>
      Array.from(t.querySelectorAll('button')).findIndex((b) => b === t.ownerDocument.activeElement),
    );
    const target = tools.indexOf('Centrera');
    for (let i = at; i !== target; i += Math.sign(target - at))
      await page.keyboard.press(target > at ? 'ArrowRight' : 'ArrowLeft');
    await ui(page.getByRole('button', { name: 'Centrera' })).toBeFocused();
    await page.keyboard.press('Space');
    await ui(page.getByRole('button', { name: 'Centrera' })).toHaveAttribute('aria-pressed', 'true');

    expect(await tabTo(page, 'text=Lägg till bilaga')).not.toBe('none');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles({ name: 'punkter.pdf', mimeType: 'application/pdf', buffer: pdf });
    await ui(page.getByText('punkter.pdf')).toBeVisible();
    await ui(page.getByRole('progressbar')).toHaveCount(0);
    await ui(page.getByTestId('saved-at')).toHaveText(/^Senast sparad \d\d:\d\d$/, { timeout: 10_000 });
    await screenshot(page, 'staff-compose');

    expect(await tabTo(page, 'button[type="submit"]')).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/staff\/skickat$/);
    await ui(page.getByTestId('announcer')).toHaveText('Meddelandet är skickat.');

    const [conversation] = await citizenConversations(t, DEMO.tolvan, 'Påminnelse av mötestid');
    const message = (await caseworkerSees(t, conversation.id)).messages[0];
    expect(message).toMatchObject({
      readReceiptRequested: true,
      attachments: [expect.objectContaining({ filename: 'punkter.pdf' })],
    });
    expect(message.bodyHtml).toMatch(/<strong>\s?Ta med kontoutdragen\.<\/strong>/);
    expect(message.bodyHtml).toMatch(/^<p class="align-center">/);
    // The signature was added by the server (Marita's is empty in the demo data: the text is as typed).
    expect(message.bodyText).toContain('Torsdag 23/8 kl 14.00');
    // Sent, the draft is gone.
    await ui(page.getByRole('navigation', { name: 'Brevlådor' }).getByRole('link', { name: 'Utkast' })).toBeVisible();
    await context.close();
  });

  test('a draft saves itself ("Senast sparad HH:MM") and survives a reload; Utkast lists it; a refused file keeps the server\'s reason', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await page.getByRole('link', { name: 'Skriv nytt' }).click();
    await page.getByRole('combobox', { name: 'Till klient' }).pressSequentially('Tolv');
    await page.getByRole('option', { name: /Tolvan Tolvansson/ }).click();
    await page.getByRole('radiogroup', { name: 'Från' }).getByText('Försörjningsstöd mottagning').click();
    await page.getByRole('textbox', { name: 'Ämne i meddelande' }).fill('Utkast som ska överleva');
    await page.getByTestId('editor').click();
    // Saved a moment after the typing stops, without a click.
    const saved = page.waitForResponse(
      (r) =>
        (r.request().postData() ?? '').includes('"operationName":"SaveStaffDraft"') &&
        (r.request().postData() ?? '').includes('Första stycket.'),
    );
    await page.keyboard.type('Första stycket.');
    await saved;
    await ui(page.getByTestId('saved-at')).toHaveText(/^Senast sparad \d\d:\d\d$/, { timeout: 10_000 });
    await page.waitForURL(/\/staff\/skriv\/[0-9a-f-]{36}$/);
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Lägg till bilaga' }).click(),
    ]);
    await chooser.setFiles({
      name: 'inte-en.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('hej, jag är text'),
    });
    await ui(page.getByRole('alert').filter({ hasText: 'Filen är inte en PDF' })).toBeVisible();
    await ui(
      page.getByRole('navigation', { name: 'Brevlådor' }).getByRole('link', { name: 'Utkast 1 utkast' }),
    ).toBeVisible();

    await page.reload();
    await ui(page.getByRole('textbox', { name: 'Ämne i meddelande' })).toHaveValue('Utkast som ska överleva');
    await ui(page.getByRole('radio', { name: 'Försörjningsstöd mottagning' })).toBeChecked();
    await ui(page.getByTestId('editor')).toHaveText('Första stycket.', { timeout: 15_000 });
    await ui(
      page
        .getByRole('row', { name: 'Tolvan Tolvansson' })
        .or(page.getByRole('gridcell', { name: /Tolvan Tolvansson/ }))
        .first(),
    ).toBeVisible();
    await ui(page.getByTestId('saved-at')).toHaveText(/^Senast sparad \d\d:\d\d$/);

    await page
      .getByRole('navigation', { name: 'Brevlådor' })
      .getByRole('link', { name: /^Utkast/ })
      .click();
    await ui(page.getByTestId('draft')).toHaveCount(1);
    await ui(page.getByRole('link', { name: 'Utkast som ska överleva' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    const pageErrors: string[] = [];
    phone.on('pageerror', (e) => pageErrors.push(e.message));
    await phone.goto(`${t.origin}/staff/skriv`);
    await ui(phone.getByTestId('editor')).toBeVisible({ timeout: 15_000 });
    expect(pageErrors).toEqual([]);
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-compose-360');
    await context.close();
  });

  test('sending is idempotent: the answer to the first click is lost on the way back, the retry sends nothing new; a double click sends once', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    let lost = 0;
    let sends = 0;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('"operationName":"SendMessage"')) return route.continue(); // the UIs send trusted documents by hash, with their name
      sends++;
      if (lost === 0) {
        lost++;
        await route.fetch(); // the server sends it…
        return route.abort('connectionreset'); // …and the answer never arrives
      }
      return route.continue();
    });
    await page.getByRole('link', { name: 'Skriv nytt' }).click();
    await page.getByRole('combobox', { name: 'Till klient' }).pressSequentially('Tolvansson');
    await page.getByRole('option', { name: /Tolvan Tolvansson/ }).click();
    await page.getByRole('textbox', { name: 'Ämne i meddelande' }).fill('Skickas en gång');
    // Nothing written yet: said next to the editor, focus goes there, nothing is sent.
    await page.getByRole('button', { name: 'Skicka', exact: true }).click();
    await ui(page.getByText('Skriv ett meddelande.')).toBeVisible();
    await ui(page.getByTestId('editor')).toHaveAttribute('aria-invalid', 'true');
    await ui(page.getByTestId('editor')).toBeFocused();
    await page.getByTestId('editor').click();
    await page.keyboard.type('En gång, inte två.');
    await page.getByRole('button', { name: 'Skicka', exact: true }).dblclick();
    await ui(page.getByRole('alert').filter({ hasText: 'Det går inte att nå tjänsten' })).toBeVisible();
    expect(sends).toBe(1);
    await page.getByRole('button', { name: 'Skicka', exact: true }).click();
    await page.waitForURL(/\/staff\/skickat$/);
    expect(sends).toBe(2);
    expect(await citizenConversations(t, DEMO.tolvan, 'Skickas en gång')).toHaveLength(1);
    await context.close();
  });
});
