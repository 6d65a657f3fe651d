import { expect as playwrightExpect } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { CaseViewWriteNoteDocument, PersonDocument, PersonsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from '../testkit/api';
import { makePdf } from '../testkit/files';
import {
  axeViolations,
  caseworkerSees,
  launchChromium,
  newContext,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import { caseJournal, citizenSends } from '../testkit/staff-ui-api';
import { signInStaff, STAFF, viewportScreenshot } from '../testkit/staff-ui';
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

const INSATS = 'Insats EK Ekonomiskt bistånd 2024-02-15';

describe('SU4 Journalför and Infoga filer', () => {
  test("Tolvan's reply and its PDF: Journalför to the intervention, Infoga filer as Inkommen handling from Den enskilde, 'Samtycke från klient'; both in the case journal and shown on the message", async () => {
    const { conversationId } = await citizenSends(t, DEMO.tolvan, {
      subject: 'Testar',
      body: '<p>Bifogar en fil</p>',
      pdf: { name: 'Registrera Samtycke.pdf', bytes: await makePdf('Samtycke') },
    });
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita, `/staff/konversation/${conversationId}`);
    const message = page.getByTestId('message').last();
    await ui(message).toContainText('Bifogar en fil');

    await message.getByRole('button', { name: /^Journalför meddelandet/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Journalför' });
    await ui(dialog.getByRole('radiogroup', { name: 'Välj var meddelandet ska journalföras' })).toBeVisible();
    await dialog.getByRole('radio', { name: INSATS }).check({ force: true });
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'OK' }).click();
    await ui(dialog).toHaveCount(0);
    await ui(page.getByTestId('announcer')).toHaveText(`Journalfört i ${INSATS}.`);
    await ui(message.getByTestId('journaled')).toContainText(`Journalfört i ${INSATS}`);
    // Focus went back to where the user was.
    await ui(message.getByRole('button', { name: /^Journalför meddelandet/ })).toBeFocused();

    await message.getByRole('button', { name: /^Infoga filer: Registrera/ }).click();
    const files = page.getByRole('dialog', { name: 'Infoga filer' });
    await ui(files.getByRole('radiogroup', { name: 'Knyt till' })).toBeVisible();
    await files.getByRole('radio', { name: INSATS }).check({ force: true });
    await ui(files.getByRole('button', { name: /Inkommen handling/ })).toBeVisible();
    await ui(files.getByRole('button', { name: /Den enskilde/ })).toBeVisible();
    await files.getByRole('textbox', { name: 'Rubrik' }).fill('Samtycke från klient');
    await ui(files.getByRole('textbox', { name: 'Benämning avsändare' })).toHaveValue('Tolvan Tolvansson');
    expect(await axeViolations(page)).toEqual([]);
    await viewportScreenshot(page, 'staff-journal');
    await files.getByRole('button', { name: 'OK' }).click();
    await ui(files).toHaveCount(0);
    await ui(message.getByTestId('journaled')).toHaveCount(2);
    await ui(message.getByTestId('journaled').nth(1)).toContainText(/Registrera.Samtycke\.pdf journalförd i Insats EK/);

    const caseId = (await caseworkerSees(t, conversationId)).caseId!;
    const journal = await caseJournal(t, caseId);
    expect(journal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          heading: 'Testar',
          targetLabel: INSATS,
          documentType: 'INCOMING_DOCUMENT',
          senderKind: 'INDIVIDUAL',
          attachment: null,
        }),
        expect.objectContaining({
          heading: 'Samtycke från klient',
          targetLabel: INSATS,
          documentType: 'INCOMING_DOCUMENT',
          senderKind: 'INDIVIDUAL',
          attachment: expect.objectContaining({ filename: expect.stringMatching(/Samtycke\.pdf$/) }),
        }),
      ]),
    );

    // Journaling the same message again is refused with the reason, in Swedish.
    await message.getByRole('button', { name: /^Journalför meddelandet/ }).click();
    await page.getByRole('dialog', { name: 'Journalför' }).getByRole('radio', { name: INSATS }).check({ force: true });
    await page.getByRole('dialog', { name: 'Journalför' }).getByRole('button', { name: 'OK' }).click();
    await ui(page.getByRole('dialog').getByRole('alert')).toContainText('Det är redan journalfört där.');
    await page.keyboard.press('Escape');
    await ui(page.getByRole('dialog')).toHaveCount(0);
    await context.close();
  });

  test("a relation's message (Josefine): the seed's OBSERVERA text, and 'Skriv journalanteckning' files the copied text as a note", async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await page.getByRole('link', { name: /Fråga om ansökan/ }).click();
    const message = page.getByTestId('message').first();
    await message.getByRole('button', { name: /^Journalför meddelandet/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Journalför' });
    await ui(dialog.getByTestId('observera')).toContainText(
      'OBSERVERA - För en person i relation med aktbäraren går det inte att journalföra ett meddelande eller en PDF via denna funktion.',
    );
    await ui(dialog.getByTestId('observera')).toContainText(
      'Kopiera texten och skapa/skriv in en journalanteckning i aktuell journal.',
    );
    expect(await axeViolations(page)).toEqual([]);
    await viewportScreenshot(page, 'staff-journal-relation-360');
    await dialog.getByRole('button', { name: 'Skriv journalanteckning' }).click();
    const note = page.getByRole('dialog', { name: 'Skriv journalanteckning' });
    await ui(note.getByRole('textbox', { name: 'Anteckning' })).toHaveValue(/Vilka papper behövs\?/);
    await note.getByRole('button', { name: 'Spara' }).click();
    await ui(page.getByRole('dialog')).toHaveCount(0);
    await ui(page.getByTestId('announcer')).toHaveText('Journalanteckningen är sparad i akten.');

    const conversationId = /konversation\/([^/?]+)/.exec(page.url())![1];
    const caseId = (await caseworkerSees(t, conversationId)).caseId!;
    const journal = await caseJournal(t, caseId);
    expect(journal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          heading: 'Fråga om ansökan',
          documentType: 'NOTE',
          senderKind: 'RELATION',
          senderDesignation: 'Josefine Test Ek',
          text: expect.stringContaining('Vilka papper behövs?'),
        }),
      ]),
    );
    await context.close();
  });
});

describe('SU4b the case journal, paged', () => {
  test('the older entries "Visa fler" brought stay when the first page is answered again with nothing changed', async () => {
    // 25 notes in Tolvan's case, written through the staff API: more than the journal's first page of 20.
    const api = apiAs(t, await t.token.staff(DEMO.caseworker));
    let caseId: string;
    try {
      const found = await api.query(PersonsDocument, { search: DEMO.tolvan });
      const person = (await api.query(PersonDocument, { id: found.data!.persons.nodes[0].id })).data!.person;
      caseId = person.cases.find((c) => c.status === 'OPEN')!.id;
      for (let i = 1; i <= 25; i++) {
        const note = await api.mutate(CaseViewWriteNoteDocument, {
          input: { target: { caseId }, heading: `Anteckning ${i}`, text: `Nummer ${i}.` },
        });
        expect(note.codes).toEqual([]);
      }
    } finally {
      await api.close();
    }
    const total = (await caseJournal(t, caseId)).length;
    expect(total).toBeGreaterThanOrEqual(25);
    expect(total).toBeLessThan(50); // caseJournal reads 50

    const context = await newContext(browser);
    const page = await context.newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await page.goto(`${t.origin}/staff/arende/${caseId}/journal`);
    const entries = page.getByTestId('journal-entry');
    await ui(entries).toHaveCount(20);
    // Back from Översikt the first page shows from the page's cache and is asked for again: that answer is held.
    const parts = page.getByRole('navigation', { name: 'Ärendets delar' });
    await parts.getByRole('link', { name: 'Översikt' }).click();
    await ui(entries).toHaveCount(0);
    const firstPage = await holdAnswers(
      page,
      operation('CaseViewJournal', (body) => !body.includes('"after"')),
    );
    await parts.getByRole('link', { name: 'Journal' }).click();
    await firstPage.asked;
    await ui(entries).toHaveCount(20);
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await ui(entries).toHaveCount(total);
    // The first page's answer comes, the same as before: the older entries stay.
    await firstPage.release();
    await ui(entries).toHaveCount(total);
    await context.close();
  });
});
