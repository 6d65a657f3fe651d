import { expect as playwrightExpect } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { makePdf } from '../testkit/files';
import { caseworkerSees, launchChromium, newContext, PEOPLE, signInAs, startUiServer } from '../testkit/chromium';
import { caseJournal } from '../testkit/staff-ui-api';
import { signInStaff, STAFF } from '../testkit/staff-ui';
import type { TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there.
const ui = playwrightExpect.configure({ timeout: 10_000 });

jest.setTimeout(120_000);

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

describe("SU7 the seed's staff steps, end to end in two browsers", () => {
  test('Marita writes to Tolvan with a PDF and a read receipt → Tolvan reads and replies with a PDF in the citizen UI → Marita sees the badge, the receipt and the reply live, and journals the reply and its PDF', async () => {
    const marita = await (await newContext(browser)).newPage();
    await signInStaff(marita, t.origin, STAFF.marita);
    const badge = marita.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: /^Meddelanden/ });
    await ui(badge).toHaveAccessibleName('Meddelanden 3 olästa meddelanden');

    // 1. Skriv nytt: Till klient, Ämne, Läskvitto, Bilagor, Skicka.
    await marita.getByRole('link', { name: 'Skriv nytt' }).click();
    await marita.getByRole('combobox', { name: 'Till klient' }).pressSequentially('Tolvan');
    await marita.getByRole('option', { name: /Tolvan Tolvansson/ }).click();
    await marita.getByRole('textbox', { name: 'Ämne i meddelande' }).fill('Påminnelse av mötestid');
    await marita.getByRole('checkbox', { name: 'Läskvitto' }).check({ force: true });
    await marita.getByTestId('editor').click();
    await marita.keyboard.type(
      'Torsdag 23/8 kl 14.00 har vi nästa möte inbokat. Bifogar de punkter som vi ska återkoppla kring.',
    );
    const [chooser] = await Promise.all([
      marita.waitForEvent('filechooser'),
      marita.getByRole('button', { name: 'Lägg till bilaga' }).click(),
    ]);
    await chooser.setFiles({ name: 'punkter.pdf', mimeType: 'application/pdf', buffer: await makePdf('Punkter') });
    // Skicka during an upload only says "Vänta tills bilagorna är uppladdade.": wait until it is done.
    await ui(marita.getByRole('button', { name: 'Ta bort punkter.pdf' })).toBeVisible();
    await ui(marita.getByRole('progressbar')).toHaveCount(0);
    await marita.getByRole('button', { name: 'Skicka', exact: true }).click();
    await marita.waitForURL(/\/staff\/skickat$/);
    await marita.getByRole('link', { name: /Påminnelse av mötestid/ }).click();
    const receipt = marita.getByTestId('read-receipt');
    await ui(receipt).toHaveText('Tolvan Tolvansson: Inte läst ännu');

    // Every count the badge shows from now on, recorded by the page itself: the 4 of Tolvan's reply lasts only
    // until the open conversation has marked it read (about 0.1 s), too short to be sure to catch by polling.
    await marita.evaluate(`(() => {
      const link = document.querySelector('nav[aria-label="Huvudmeny"] a[href$="/inkorg"]');
      const count = () => link.querySelector('[data-testid="nav-badge"] [aria-hidden="true"]')?.textContent ?? '0';
      window.badgeCounts = [count()];
      const record = () => count() !== window.badgeCounts.at(-1) && window.badgeCounts.push(count());
      new MutationObserver(record).observe(link, { subtree: true, childList: true, characterData: true });
    })()`);
    // 2. Tolvan, in the citizen UI: reads it (Marita's receipt changes live) and replies with a PDF.
    const tolvan = await (await newContext(browser)).newPage();
    await signInAs(tolvan, t.origin, PEOPLE.tolvan.name);
    await tolvan.getByRole('link', { name: /Påminnelse av mötestid/ }).click();
    await ui(tolvan.getByText('Torsdag 23/8 kl 14.00')).toBeVisible();
    await ui(receipt).toHaveText(/^Tolvan Tolvansson: Läst \d/, { timeout: 5000 });
    await tolvan.getByRole('textbox', { name: 'Ditt svar' }).fill('Tack, jag kommer. Här är samtycket.');
    const [file] = await Promise.all([
      tolvan.waitForEvent('filechooser'),
      tolvan.getByRole('button', { name: /^Lägg till bilaga/ }).click(),
    ]);
    await file.setFiles({
      name: 'Registrera Samtycke.pdf',
      mimeType: 'application/pdf',
      buffer: await makePdf('Samtycke'),
    });
    await ui(tolvan.getByRole('button', { name: /^Ta bort Registrera Samtycke\.pdf/ })).toBeVisible();
    await ui(tolvan.getByRole('progressbar')).toHaveCount(0);
    await tolvan.getByRole('button', { name: 'Skicka' }).click();
    await ui(tolvan.getByText('Tack, jag kommer. Här är samtycket.').last()).toBeVisible();

    // 3. Marita: the badge and the open conversation change without a reload. The reply shows in the open
    // conversation, which reads it: the badge went to 4 and is back at 3.
    const reply = marita.getByTestId('message').last();
    await ui(reply).toContainText('Tack, jag kommer. Här är samtycket.');
    await ui(badge).toHaveAccessibleName('Meddelanden 3 olästa meddelanden');
    expect(await marita.evaluate('window.badgeCounts')).toEqual(['3', '4', '3']);

    // 4. Journalför the reply, Infoga filer its PDF; both in the case journal.
    await reply.getByRole('button', { name: /^Journalför meddelandet/ }).click();
    const dialog = marita.getByRole('dialog', { name: 'Journalför' });
    await dialog.getByRole('radio', { name: INSATS }).check({ force: true });
    await dialog.getByRole('button', { name: 'OK' }).click();
    await ui(reply.getByTestId('journaled')).toHaveCount(1);
    await reply.getByRole('button', { name: /^Infoga filer: Registrera/ }).click();
    const files = marita.getByRole('dialog', { name: 'Infoga filer' });
    await files.getByRole('radio', { name: INSATS }).check({ force: true });
    await ui(files.getByRole('button', { name: /Inkommen handling/ })).toBeVisible();
    await ui(files.getByRole('button', { name: /Den enskilde/ })).toBeVisible();
    await files.getByRole('textbox', { name: 'Rubrik' }).fill('Samtycke från klient');
    await files.getByRole('button', { name: 'OK' }).click();
    await ui(reply.getByTestId('journaled')).toHaveCount(2);

    const conversationId = /konversation\/([^/?]+)/.exec(marita.url())![1];
    const conversation = await caseworkerSees(t, conversationId);
    expect(conversation.messages[0].readReceipts).toEqual([expect.objectContaining({ readAt: expect.any(String) })]);
    const journal = await caseJournal(t, conversation.caseId!);
    expect(journal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ heading: 'SV: Påminnelse av mötestid', targetLabel: INSATS, attachment: null }),
        expect.objectContaining({
          heading: 'Samtycke från klient',
          targetLabel: INSATS,
          documentType: 'INCOMING_DOCUMENT',
          senderKind: 'INDIVIDUAL',
          attachment: expect.objectContaining({ filename: expect.stringMatching(/Samtycke\.pdf$/) }),
        }),
      ]),
    );
  });
});
