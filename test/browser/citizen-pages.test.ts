import { expect as playwrightExpect } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { ConversationsDocument, PersonsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { Person } from '../../src/entities/person';
import { apiAs } from '../testkit/api';
import { makePdf } from '../testkit/files';
import {
  axeViolations,
  caseworkerSees,
  caseworkerSends,
  launchChromium,
  newContext,
  overflowX,
  PEOPLE,
  screenshot,
  signInAs,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import type { TestServer } from '../testkit/server';
import { answerDrawn, holdAnswers, operation } from './held-answers';

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

describe('CU0 the walk-through of the citizen pages', () => {
  test('Tolvan reads the demo message, downloads its PDF, replies with a PDF and changes his mobile number; the staff API shows all of it', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page
      .getByRole('list', { name: 'Inkorg' })
      .getByRole('link', { name: /^Påminnelse om mötestid/ })
      .click();
    await page.getByText('Torsdag 23/8 kl 14.00').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Ladda ner Kallelse till möte.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Kallelse till möte.pdf');
    await page.getByRole('textbox', { name: 'Ditt svar' }).fill('Jag kommer. Här är underlaget.');
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: 'Underlag.pdf', mimeType: 'application/pdf', buffer: await makePdf('Underlag') });
    await page.getByRole('button', { name: 'Ta bort Underlag.pdf' }).waitFor();
    await ui(page.getByRole('progressbar')).toHaveCount(0);
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('article').filter({ hasText: 'Här är underlaget.' }).waitFor();
    await page.getByRole('link', { name: 'Min profil' }).click();
    await page.getByRole('textbox', { name: 'Mobilnummer' }).fill('073-111 22 33');
    await page.getByRole('button', { name: 'Spara' }).click();
    await ui(page.getByText('Dina uppgifter är sparade.').first()).toBeVisible();
    await context.close();

    const marita = apiAs(t, await t.token.staff(DEMO.caseworker));
    try {
      const sent = await marita.query(ConversationsDocument, { folder: 'SENT' });
      const id = sent.data!.conversations.nodes.find((c) => c.subject === 'Påminnelse om mötestid')!.id;
      const conversation = await caseworkerSees(t, id);
      const [welcome, ...replies] = conversation.messages;
      expect(welcome.readReceipts?.[0]?.readAt).toBeTruthy();
      expect(welcome.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['SENT', 'READ', 'DOWNLOADED']));
      const reply = replies[replies.length - 1];
      expect(reply.bodyText).toContain('Här är underlaget.');
      expect(reply.attachments.map((a) => a.filename)).toEqual(['Underlag.pdf']);
      const person = await marita.query(PersonsDocument, { search: DEMO.tolvan });
      expect(person.data!.persons.nodes[0].mobile).toBe('+46731112233');
    } finally {
      await marita.close();
    }
  });
});

describe('CU3 Min profil', () => {
  test('mobile, e-mail and the notification choices, with inline Swedish errors; a valid change is stored', async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle'); // the app's own first Me has been answered
    // Min profil shows the app's copy of Me at once and asks the server again. That answer is held here until
    // the person has typed: when it comes it must not overwrite what they typed (it did, so a quick Spara
    // saved the old number).
    const me = await holdAnswers(page, operation('Me'));
    await page.getByRole('link', { name: 'Min profil' }).click();
    await page.getByRole('heading', { name: 'Min profil', level: 1 }).waitFor();
    const mobile = page.getByRole('textbox', { name: 'Mobilnummer' });
    const email = page.getByRole('textbox', { name: 'E-postadress' });
    const bySms = page.getByRole('checkbox', { name: 'Avisering via SMS' });
    const byEmail = page.getByRole('checkbox', { name: 'Avisering via e-post' });
    await ui(mobile).toHaveValue('+46731112233'); // as CU0 left it
    await ui(bySms).toBeChecked();
    await ui(byEmail).toBeChecked();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'profil-360');
    expect(await overflowX(page)).toBe(0);
    await me.asked;

    await mobile.fill('12345');
    await email.fill('');
    await me.release();
    await ui(mobile).toHaveValue('12345');
    await ui(email).toHaveValue('');

    await page.getByRole('button', { name: 'Spara' }).click();
    await ui(page.getByText('Skriv ett svenskt mobilnummer, till exempel 070-123 45 67.')).toBeVisible();
    await ui(
      page.getByText('Du har valt avisering via e-post. Fyll i en e-postadress eller välj bort e-post.'),
    ).toBeVisible();
    await ui(mobile).toHaveAttribute('aria-invalid', 'true');
    await ui(mobile).toBeFocused();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'profil-fel-360');
    expect(await overflowX(page)).toBe(0);

    // No e-mail address, so no notices by e-mail; a valid mobile number.
    await page.locator('label', { hasText: 'Avisering via e-post' }).click();
    await ui(byEmail).not.toBeChecked();
    await ui(page.getByText('Du har valt avisering via e-post.', { exact: false })).toHaveCount(0);
    await mobile.fill('070-765 43 21');
    // What is typed while the save is on its way is not saved by it, and the refetch of Me after it does not
    // overwrite it either.
    const saving = await holdAnswers(page, operation('UpdateMyContactDetails'));
    await page.getByRole('button', { name: 'Spara' }).click();
    await saving.asked;
    await mobile.fill('070-111 22 33');
    const refetched = answerDrawn(page, operation('Me'));
    await saving.release();
    await ui(page.getByText('Dina uppgifter är sparade.').first()).toBeVisible();
    await refetched;
    await ui(mobile).toHaveValue('070-111 22 33');
    const saved = await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan });
    expect([saved.mobile, saved.email, saved.notifyBySms, saved.notifyByEmail]).toEqual([
      '+46707654321',
      null,
      true,
      false,
    ]);
    await page.reload();
    await ui(page.getByRole('textbox', { name: 'Mobilnummer' })).toHaveValue('+46707654321');
    await ui(page.getByRole('checkbox', { name: 'Avisering via e-post' })).not.toBeChecked();
    await context.close();
  });
});

describe('CU4 Kontakter', () => {
  test('the caseworker on the ongoing case, with title, case and unit', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('link', { name: 'Kontakter' }).click();
    await page.getByRole('heading', { name: 'Kontakter', level: 1 }).waitFor();
    const card = page.getByTestId('contact');
    await ui(card).toHaveCount(1);
    await ui(card.getByRole('heading', { name: 'Marita Aronsson' })).toBeVisible();
    await ui(card).toContainText('Socialsekreterare');
    await ui(card).toContainText('Ekonomiskt bistånd');
    await ui(card).toContainText('IFO Vuxen – Försörjningsstöd');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'kontakter');
    await context.close();
  });
});

describe('CU5 a relation (Josefine Test Ek) sees what her relation gives her, and nothing more', () => {
  test("her own conversation, the case she follows as a relation; Tolvan's conversation is not found", async () => {
    const tolvansConversation = (
      await caseworkerSends(t, DEMO.tolvan, { subject: 'Bara för Tolvan', body: '<p>Privat</p>' })
    ).conversationId;
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.josefine.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    const inbox = page.getByRole('list', { name: 'Inkorg' });
    await inbox.getByRole('link', { name: /^Fråga om ansökan/ }).waitFor();
    await ui(inbox.getByRole('link')).toHaveCount(1);
    await ui(page.getByText('Påminnelse om mötestid')).toHaveCount(0);
    await ui(page.getByText('Bara för Tolvan')).toHaveCount(0);
    await ui(
      page.getByText('Du är godkänd för meddelanden som relation i ärendet Ekonomiskt bistånd.', { exact: false }),
    ).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'relation-inkorg');

    await page.getByRole('link', { name: 'Kontakter' }).click();
    const card = page.getByTestId('contact');
    await ui(card).toHaveCount(1);
    await ui(card).toContainText('Ekonomiskt bistånd');
    await ui(card).toContainText('Du är godkänd för meddelanden som anhörig/relation i detta ärende.');

    await page.goto(`${t.origin}/meddelanden/${tolvansConversation}`);
    await ui(page.getByRole('alert')).toHaveText(/Meddelandet finns inte, eller så har du inte tillgång till det\./);
    await ui(page.getByText('Privat')).toHaveCount(0);
    await context.close();
  });
});

describe('CU6 states', () => {
  test('e-service not activated: the sign-in says so in Swedish', async () => {
    const context = await newContext(browser, VIEWPORTS.phone);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.kalle.name);
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();
    await ui(page.getByRole('alert')).toContainText('Din handläggare har inte aktiverat e-tjänsten');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'inte-aktiverad-360');
    expect(await overflowX(page)).toBe(0);
    await context.close();
  });

  test('an empty inbox says so, and how to write; turned off later, Meddelanden says the e-service is not activated', async () => {
    await t.em().nativeUpdate(Person, { personnummer: DEMO.otherUnitPerson }, { messagingEnabled: true });
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.kalle.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await ui(page.getByText('Du har inga meddelanden ännu.')).toBeVisible();
    await ui(page.getByRole('link', { name: 'Skriv nytt meddelande' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'tom-inkorg');

    // Turned off while signed in: Meddelanden says so instead of failing on the first send.
    await t.em().nativeUpdate(Person, { personnummer: DEMO.otherUnitPerson }, { messagingEnabled: false });
    await page.reload();
    await page.getByRole('heading', { name: 'E-tjänsten är inte aktiverad', level: 1 }).waitFor();
    await ui(
      page.getByText('Din handläggare har inte aktiverat e-tjänsten för dig ännu.', { exact: false }),
    ).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  test('session expired: "Din session har gått ut", sign in again, the unsent reply is still there and can be sent', async () => {
    const { conversationId } = await caseworkerSends(t, DEMO.tolvan, {
      subject: 'Komplettering',
      body: '<p>Skicka kontoutdraget.</p>',
    });
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name, `/meddelanden/${conversationId}`);
    const reply = page.getByRole('textbox', { name: 'Ditt svar' });
    await reply.fill('Svar som inte får försvinna.');

    // The session ends on the server (idle limit, sign-out elsewhere): the next request is refused.
    await t.em().getConnection().execute('delete from browser_session');
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('heading', { name: 'Din session har gått ut' }).waitFor();
    await ui(reply).toHaveValue('Svar som inte får försvinna.');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'session-utgangen');

    await page.getByRole('link', { name: 'Logga in igen' }).click();
    await page.getByRole('button', { name: `Logga in som ${PEOPLE.tolvan.name}` }).click();
    await page.getByRole('heading', { name: 'Komplettering', level: 1 }).waitFor();
    await ui(page.getByRole('textbox', { name: 'Ditt svar' })).toHaveValue('Svar som inte får försvinna.');
    await page.getByRole('button', { name: 'Skicka' }).click();
    await page.getByRole('article').filter({ hasText: 'Svar som inte får försvinna.' }).waitFor();
    await ui(page.getByRole('textbox', { name: 'Ditt svar' })).toHaveValue('');
    await context.close();
  });

  test('before the idle limit the person is warned and can stay signed in with one button (WCAG 2.2.1); at the limit the page says the session has ended', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.clock.install(); // the page's own clock, to move it on by minutes; the server keeps real time
    // The page re-reads its session 1.5 s after the last API answer (the idle limit moved). The clock is moved on
    // only after that re-read has been answered: one still due then would run with the moved clock and reckon
    // the session from it (a fixed 2 s wait was too short on busy cores).
    let lastAnswer = 0;
    let sessionRead: Promise<unknown> = Promise.resolve();
    let lastSessionRead = 0;
    page.on('response', (r) => {
      if (r.url().endsWith('/graphql')) lastAnswer = Date.now();
      if (r.url().endsWith('/auth/session')) {
        lastSessionRead = Date.now();
        sessionRead = r.finished();
      }
    });
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await ui(page.getByText('loggas du ut om')).toHaveCount(0);
    await page.waitForLoadState('networkidle');
    await ui.poll(() => lastAnswer > 0 && lastSessionRead > lastAnswer, { timeout: 10_000 }).toBe(true);
    await sessionRead;
    await page.evaluate('new Promise((done) => setTimeout(done, 0))');

    await page.clock.fastForward('27:30'); // the idle limit is 30 minutes
    const warning = page.getByRole('alert').filter({ hasText: 'För din säkerhet loggas du ut om 3 min.' });
    await ui(warning).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'snart-utloggad');
    await warning.getByRole('button', { name: 'Fortsätt vara inloggad' }).click();
    await ui(warning).toHaveCount(0);

    await page.clock.fastForward('31:00');
    await page.getByRole('heading', { name: 'Din session har gått ut' }).waitFor();
    await context.close();
  });

  test('server unreachable: a clear Swedish message and "Försök igen", on the first load and while signed in', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.route('**/auth/session', (route) => route.abort('connectionrefused'));
    await page.goto(`${t.origin}/`);
    await page.getByRole('heading', { name: 'Tjänsten går inte att nå just nu', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'ej-natbar');
    await page.unroute('**/auth/session');
    await page.getByRole('button', { name: 'Försök igen' }).click();
    await page.getByRole('heading', { name: 'Logga in', level: 1 }).waitFor();

    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    // A page whose data is not in the page's cache yet (what is cached stays on screen).
    await page.getByRole('link', { name: 'Skriv nytt meddelande' }).click();
    await ui(page.getByRole('alert')).toContainText('Det går inte att nå tjänsten just nu.');
    await page.unroute('**/graphql');
    await page.getByRole('button', { name: 'Försök igen' }).click();
    await ui(page.getByRole('button', { name: /Till/ })).toBeVisible();
    await context.close();
  });
});

describe('CU6b a page that cannot load', () => {
  test('a page whose code cannot be fetched (e.g. replaced by a new version) says so and offers a reload; the rest of the app still works', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    await page.getByRole('heading', { name: 'Meddelanden', level: 1 }).waitFor();
    await page.route(/\/assets\/ProfilePage-[^/]+\.js$/, (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Min profil' }).click();
    await page.getByRole('heading', { name: 'Sidan kunde inte visas', level: 1 }).waitFor();
    await ui(page.getByRole('button', { name: 'Ladda om sidan' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Kontakter' }).click();
    await page.getByRole('heading', { name: 'Kontakter', level: 1 }).waitFor();
    await context.close();
  });
});

describe('CU7 a long inbox', () => {
  test('25 conversations a page; "Visa fler" loads the next page and moves focus to the first one that came in', async () => {
    for (let i = 1; i <= 26; i++)
      await caseworkerSends(t, DEMO.tolvan, {
        subject: `Ärende nummer ${i}`,
        body: `<p>Nummer ${i}</p>`,
        readReceipt: false,
      });
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAs(page, t.origin, PEOPLE.tolvan.name);
    const rows = page.getByRole('list', { name: 'Inkorg' }).getByRole('link');
    await ui(rows).toHaveCount(25);
    await ui(rows.first()).toHaveAccessibleName(/^Ärende nummer 26 /);
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await ui(rows.nth(25)).toBeFocused();
    await ui(rows.nth(25)).toHaveAccessibleName(/^Ärende nummer 1 /);
    const names = await rows.evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(26);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
