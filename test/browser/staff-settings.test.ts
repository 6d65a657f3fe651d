import { expect as playwrightExpect } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../src/db/demo-data';
import {
  axeViolations,
  caseworkerSees,
  launchChromium,
  newContext,
  screenshot,
  startUiServer,
} from '../testkit/chromium';
import { citizenSends } from '../testkit/staff-ui-api';
import { signInStaff, STAFF } from '../testkit/staff-ui';
import type { TestServer } from '../testkit/server';
import { answerDrawn, operation } from './held-answers';

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

describe('SU5 Inställningar and Kontaktlistor', () => {
  test('signature; out-of-office forwards to "Försörjningsstöd mottagning" and Anna answers from the shared mailbox', async () => {
    const marita = await (await newContext(browser)).newPage();
    await signInStaff(marita, t.origin, STAFF.marita);
    await marita.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Inställningar' }).click();
    await ui(marita.getByRole('heading', { level: 1, name: 'Inställningar' })).toBeVisible();
    await ui(marita.getByRole('region', { name: 'Gemensamma brevlådor' })).toBeVisible();
    await ui(marita.getByText('Försörjningsstöd mottagning (IFO Vuxen – Försörjningsstöd)')).toBeVisible();
    await marita.getByRole('textbox', { name: 'Signatur' }).fill('Marita Aronsson, socialsekreterare');
    await marita.getByText('Aktivera frånvaromeddelande').click();
    await marita.getByRole('button', { name: 'Spara' }).click();
    // On without a reply: said next to the field, nothing saved.
    await ui(marita.getByText('Skriv ett frånvaromeddelande.')).toBeVisible();
    await marita
      .getByRole('textbox', { name: 'Frånvaromeddelande' })
      .fill('Jag är ledig till måndag. Din fråga går till mottagningen.');
    await marita
      .getByRole('radiogroup', { name: 'Vidarebefordra meddelanden till gemensam brevlåda' })
      .getByText('Försörjningsstöd mottagning')
      .click();
    // The save is followed by a refetch of the settings; what it brings back must not wipe the "sparade" message.
    const refetched = answerDrawn(marita, operation('MailboxSettings'));
    await marita.getByRole('button', { name: 'Spara' }).click();
    await ui(marita.getByTestId('announcer')).toHaveText('Inställningarna är sparade.');
    await refetched;
    await ui(marita.locator('.saved-at')).toHaveText('Inställningarna är sparade.');
    expect(await axeViolations(marita)).toEqual([]);
    await screenshot(marita, 'staff-settings');

    // Kept after a reload; the signature shows under the editor in Skriv nytt.
    await marita.reload();
    await ui(marita.getByRole('textbox', { name: 'Signatur' })).toHaveValue('Marita Aronsson, socialsekreterare');
    await ui(marita.getByRole('checkbox', { name: 'Aktivera frånvaromeddelande' })).toBeChecked();
    await marita.getByRole('link', { name: 'Skriv nytt' }).click();
    await ui(marita.getByText('Marita Aronsson, socialsekreterare')).toBeVisible();

    // Tolvan writes while Marita is away: the automatic reply goes back, the message also lands in the shared mailbox.
    const { conversationId } = await citizenSends(t, DEMO.tolvan, {
      subject: 'Fråga under frånvaro',
      body: '<p>Hej, när kommer beslutet?</p>',
    });
    const anna = await (await newContext(browser)).newPage();
    await signInStaff(anna, t.origin, STAFF.anna);
    const nav = anna.getByRole('navigation', { name: 'Brevlådor' });
    await nav.getByRole('link', { name: /^Försörjningsstöd mottagning/ }).click();
    await anna.getByRole('link', { name: /Fråga under frånvaro/ }).click();
    await ui(anna.getByTestId('message').first()).toContainText('Hej, när kommer beslutet?');
    await ui(anna.getByTestId('message').nth(1)).toContainText('Automatiskt svar');
    await anna
      .getByRole('textbox', { name: 'Ditt svar' })
      .fill('Hej Tolvan, jag svarar i Maritas ställe: beslutet kommer på fredag.');
    await anna.getByRole('button', { name: 'Skicka svar' }).click();
    await ui(anna.getByTestId('message')).toHaveCount(3);

    const seen = await caseworkerSees(t, conversationId);
    expect(seen.messages.at(-1)).toMatchObject({
      sender: expect.objectContaining({ kind: 'SHARED_MAILBOX', name: 'Försörjningsstöd mottagning' }),
      writtenBy: expect.objectContaining({ name: 'Anna Ekholm' }),
      recipients: expect.arrayContaining([expect.objectContaining({ name: 'Tolvan Tolvansson' })]),
    });
  });

  test('contact lists: create, change, use as recipients in Skriv nytt, delete', async () => {
    const page = await (await newContext(browser)).newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await page.getByRole('navigation', { name: 'Brevlådor' }).getByRole('link', { name: 'Kontaktlistor' }).click();
    await ui(page.getByText('Du har inga kontaktlistor ännu.')).toBeVisible();
    await page.getByRole('button', { name: 'Ny kontaktlista' }).click();
    await page.getByRole('textbox', { name: 'Namn på listan' }).fill('Mottagningen');
    await page.getByRole('combobox', { name: 'Medlemmar' }).pressSequentially('Ekholm');
    await page.getByRole('option', { name: /Anna Ekholm/ }).click();
    await page.getByRole('combobox', { name: 'Medlemmar' }).pressSequentially('mottagning');
    await page.getByRole('option', { name: 'Försörjningsstöd mottagning' }).click();
    await ui(page.getByRole('listbox')).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Spara lista' }).click();
    await ui(page.getByTestId('contact-list')).toHaveCount(1);
    await ui(page.getByTestId('contact-list')).toContainText('Anna Ekholm');
    await ui(page.getByTestId('contact-list')).toContainText('Försörjningsstöd mottagning');

    await page.getByRole('button', { name: 'Ändra Mottagningen' }).click();
    await page.getByRole('textbox', { name: 'Namn på listan' }).fill('Mottagningsgruppen');
    await page.getByRole('button', { name: 'Spara lista' }).click();
    await ui(page.getByRole('heading', { name: 'Mottagningsgruppen' })).toBeVisible();
    // The overview with a saved list, as a reader of it meets it.
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Skriv nytt' }).click();
    await page.getByRole('combobox', { name: 'Till', exact: true }).pressSequentially('Mottagnings');
    await page.getByRole('option', { name: 'Kontaktlista: Mottagningsgruppen (2)' }).click();
    const chosen = page.getByRole('grid', { name: 'Till: Valda mottagare' });
    await ui(chosen.getByRole('row')).toHaveCount(2);
    await ui(chosen).toContainText('Anna Ekholm');
    await ui(chosen).toContainText('Försörjningsstöd mottagning');

    await page.getByRole('navigation', { name: 'Brevlådor' }).getByRole('link', { name: 'Kontaktlistor' }).click();
    await page.getByRole('button', { name: 'Ta bort Mottagningsgruppen' }).click();
    await ui(page.getByText('Du har inga kontaktlistor ännu.')).toBeVisible();
  });
});
