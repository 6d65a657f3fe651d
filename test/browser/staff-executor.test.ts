import { expect as playwrightExpect } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { ConversationDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from '../testkit/api';
import { axeViolations, launchChromium, newContext, startUiServer } from '../testkit/chromium';
import { citizenConversations, citizenReplies, journalAs } from '../testkit/staff-ui-api';
import { signInStaff, STAFF } from '../testkit/staff-ui';
import type { TestServer } from '../testkit/server';
import { holdAnswers, operation } from './held-answers';

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

describe('SU6 executors (perutf01) with their own rights', () => {
  test('Per sends to Tolvan (Mottagartyp Medborgare), receives the answer live, and journals it into his assignment', async () => {
    const page = await (await newContext(browser)).newPage();
    await signInStaff(page, t.origin, STAFF.per);
    await page.getByRole('link', { name: 'Skriv nytt' }).click();
    const type = page.getByRole('radiogroup', { name: 'Mottagartyp' });
    await ui(type.getByRole('radio', { name: 'Medborgare' })).toBeChecked();
    await ui(type.getByRole('radio', { name: 'Personal' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Till' }).pressSequentially('Tolvan');
    await ui(page.getByRole('option', { name: /Tolvan Tolvansson/ })).toBeVisible();
    // While the answer for another term is on its way (held here), the people found before are not offered:
    // they were, and the first of them was what a quick ArrowDown and Enter (or click) chose.
    const barnsson = await holdAnswers(
      page,
      operation('CitizenTargets', (body) => body.includes('"Barnsson"')),
    );
    // Only the citizens of his assignments: Kalle (another unit's case) is not found.
    await page.getByRole('combobox', { name: 'Till' }).fill('');
    await page.getByRole('combobox', { name: 'Till' }).pressSequentially('Barnsson');
    await barnsson.asked;
    await ui(page.getByRole('option', { name: /Tolvan/ })).toHaveCount(0);
    await ui(page.getByRole('option', { name: 'Söker…' })).toBeVisible();
    await barnsson.release();
    await ui(page.getByRole('option', { name: 'Inga träffar.' })).toBeVisible();
    await ui(page.getByRole('option', { name: /Kalle/ })).toHaveCount(0);
    await page.getByRole('combobox', { name: 'Till' }).fill('');
    await page.getByRole('combobox', { name: 'Till' }).pressSequentially('Tolvan');
    await page.getByRole('option', { name: /Tolvan Tolvansson/ }).click();
    await page.getByRole('textbox', { name: 'Ämne i meddelande' }).fill('TEST utförare');
    await page.getByTestId('editor').click();
    await page.keyboard.type('Test, test');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Skicka', exact: true }).click();
    await page.waitForURL(/\/staff\/skickat$/);
    await ui(page.getByRole('link', { name: /TEST utförare/ })).toBeVisible();

    const [conversation] = await citizenConversations(t, DEMO.tolvan, 'TEST utförare');
    const per = apiAs(t, await t.token.staff(DEMO.executor));
    const sent = (await per.query(ConversationDocument, { id: conversation.id })).data!.conversation;
    await per.close();
    await citizenReplies(t, DEMO.tolvan, sent.messages[0].id, '<p>Tack för informationen</p>');

    const nav = page.getByRole('navigation', { name: 'Brevlådor' });
    await ui(nav.getByRole('link', { name: /^Inkorg 1 olästa$/ })).toBeVisible();
    await nav.getByRole('link', { name: /^Inkorg/ }).click();
    await page.getByRole('link', { name: /TEST utförare/ }).click();
    const reply = page.getByTestId('message').last();
    await ui(reply).toContainText('Tack för informationen');
    await reply.getByRole('button', { name: /^Journalför meddelandet/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Journalför' });
    const targets = dialog.getByRole('radio');
    await ui(targets).toHaveCount(1);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await ui(reply.getByTestId('journaled')).toBeVisible();

    const journal = await journalAs(t, DEMO.executor, sent.caseId!);
    expect(journal).toEqual([
      expect.objectContaining({
        heading: 'SV: TEST utförare',
        assignment: expect.objectContaining({ description: 'Budgetrådgivning' }),
        author: expect.objectContaining({ name: 'Per Utförsson' }),
      }),
    ]);
  });
});
