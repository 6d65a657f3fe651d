import fs from 'node:fs';
import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, Page } from 'playwright-core';
import { PersonDocument, PersonsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { until } from '../testkit/mail-sink';
import { apiAs } from '../testkit/api';
import {
  axeViolations,
  caseworkerSends,
  launchChromium,
  newContext,
  overflowX,
  screenshot,
  signInAs,
  startUiServer,
  VIEWPORTS,
} from '../testkit/chromium';
import { startSmsEndpoint, type SmsEndpoint } from '../testkit/sms-endpoint';
import type { TestServer } from '../testkit/server';
import { tabTo } from '../testkit/staff-ui';

// Two shared cores in CI: what a person waits for may take a few seconds there.
const ui = playwrightExpect.configure({ timeout: 10_000 });

jest.setTimeout(120_000);

const ADMIN = 'Siv Systemsson';

let t: TestServer & { origin: string };
let browser: Browser;
let sms: SmsEndpoint;
const ids: Record<string, string> = {};

beforeAll(async () => {
  sms = await startSmsEndpoint();
  // The notification worker runs, with the test SMS provider: a notification can fail for real and be retried.
  [t, browser] = await Promise.all([
    startUiServer({
      WORKER: 'on',
      SMS_API_URL: sms.url,
      SMS_API_KEY: 'test-key',
      QUIET_HOURS: '0-0',
      NOTIFY_RETRY_DELAY_SECONDS: '1',
    }),
    launchChromium(),
  ]);
  const conn = t.em().getConnection();
  for (const r of await conn.execute<{ username: string; id: string }[]>('select username, id from staff'))
    ids[r.username] = r.id;
  const [tolvan] = await conn.execute<{ id: string }[]>('select id from person where personnummer = ?', [DEMO.tolvan]);
  ids.tolvan = tolvan.id;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await sms?.close();
});

/** Waits until no notification job is due or running (the demo data's own have been sent). */
const settledJobs = () =>
  until(
    async () => {
      const [{ n }] = await t
        .em()
        .getConnection()
        .execute<{ n: string }[]>(
          `select count(*) as n from pgboss.job where name = 'notify' and state in ('created', 'retry', 'active') and start_after <= now()`,
        );
      return Number(n) === 0 ? true : undefined;
    },
    20_000,
    'the notification jobs to settle',
  );

/** Marita opens Tolvan's person through the staff API, as the person view does (one PERSON_READ row). */
async function maritaReadsTolvan(): Promise<void> {
  const marita = apiAs(t, await t.token.staff(DEMO.caseworker));
  try {
    const found = await marita.query(PersonsDocument, { search: DEMO.tolvan });
    expect(found.codes).toEqual([]);
    const read = await marita.query(PersonDocument, { id: found.data!.persons.nodes[0].id });
    expect(read.codes).toEqual([]);
  } finally {
    await marita.close();
  }
}

/** Signs in as the administrator through the development sign-in page; lands in Loggkontroll. */
async function signInAdmin(page: Page): Promise<void> {
  await signInAs(page, t.origin, ADMIN, '/staff/');
  // The first load fetches the signed-in staff member, then the administration's code: allow for busy CI cores.
  try {
    await playwrightExpect(page.getByRole('heading', { level: 1, name: 'Loggkontroll' })).toBeVisible({
      timeout: 20_000,
    });
  } catch (e) {
    // What the administrator saw instead, to tell a slow first load from a wrong page.
    throw new Error(
      `${(e as Error).message}\n\nAt ${page.url()} the page said:\n${await page.locator('body').innerText()}`,
    );
  }
}

async function choose(page: Page, label: string | RegExp, option: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

/** A CSV as RFC 4180 reads it, `;`-separated, without the BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') (row.push(cell), (cell = ''));
    else if (c === '\r' && body[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  return rows;
}

describe('AD1 Loggkontroll', () => {
  test("the administrator finds Marita's reads of Tolvan by personnummer, pages, narrows to Marita, downloads the CSV; by keyboard alone at 360 px; axe-clean at both sizes", async () => {
    await maritaReadsTolvan();
    // A long log: 60 older list views of Tolvan by Anna, so the page has more than one page.
    await t
      .em()
      .getConnection()
      .execute(
        `insert into access_log_entry (id, created_at, actor_id, actor_role, person_id, action, request_id)
       select gen_random_uuid(), now() - interval '2 days' - make_interval(mins => i), ?, 'CASEWORKER', ?, 'PERSON_LIST', 'aldre-' || i from generate_series(1, 60) i`,
        [ids[DEMO.secondCaseworker], ids.tolvan],
      );
    const [{ count }] = await t
      .em()
      .getConnection()
      .execute<{ count: string }[]>('select count(*) from access_log_entry where person_id = ?', [ids.tolvan]);
    const total = Number(count);
    expect(total).toBeGreaterThan(60);

    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await ui(page).toHaveURL(/\/staff\/loggkontroll$/);
    await ui(page).toHaveTitle('Loggkontroll – Meddelande IFO – för personal');
    const nav = page.getByRole('navigation', { name: 'Huvudmeny' });
    for (const name of ['Loggkontroll', 'Aviseringar', 'Personal', 'Gemensamma brevlådor'])
      await ui(nav.getByRole('link', { name })).toBeVisible();
    // No mailboxes for an administrator.
    await ui(page.getByRole('navigation', { name: 'Brevlådor' })).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);

    // Neither a personnummer nor a staff member: says what to do.
    await page.getByRole('button', { name: 'Sök i loggen' }).click();
    await ui(page.getByText('Skriv ett personnummer eller välj en person i personalen.')).toBeVisible();
    // A malformed personnummer: the API's refusal, next to the field.
    await page.getByRole('textbox', { name: 'Personnummer' }).fill('19121212-1213');
    await page.getByRole('button', { name: 'Sök i loggen' }).click();
    await ui(
      page.getByText('Personnumret är inte giltigt. Skriv det som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN.'),
    ).toBeVisible();
    await ui(page.getByRole('textbox', { name: 'Personnummer' })).toHaveAttribute('aria-invalid', 'true');

    // By personnummer, written with a dash: newest first, Marita's read of Tolvan at the top.
    await page.getByRole('textbox', { name: 'Personnummer' }).fill('19121212-1212');
    await page.getByRole('button', { name: 'Sök i loggen' }).click();
    // The search is not in the address (no personnummer in the browser's history).
    await ui(page.getByRole('heading', { level: 2, name: 'Loggen för 19121212-1212' })).toBeVisible();
    expect(page.url()).toBe(`${t.origin}/staff/loggkontroll`);
    const table = page.getByRole('table', { name: /Åtkomster, nyast först/ });
    const rows = table.getByTestId('access-log-row');
    await ui(rows).toHaveCount(50);
    const maritaReads = rows.filter({ hasText: 'Marita Aronsson' }).filter({ hasText: 'Personbilden öppnad' });
    await ui(maritaReads.first()).toBeVisible();
    await ui(maritaReads.first()).toContainText('Handläggare');
    await ui(rows.first()).toContainText('Marita Aronsson');
    expect(await axeViolations(page)).toEqual([]);

    // Paged: "Visa fler" brings the rest, and focus goes to the first new row.
    await page.getByRole('button', { name: 'Visa fler' }).click();
    await ui(rows).toHaveCount(total);
    await ui(rows.nth(50)).toBeFocused();
    await ui(page.getByRole('button', { name: 'Visa fler' })).toHaveCount(0);
    await ui(rows.last()).toContainText('Anna Ekholm');

    // The CSV: every matching row (not just the ones shown), Marita's read of Tolvan among them.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Ladda ner som CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^loggkontroll-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, ...records] = parseCsv(csv);
    expect(header).toEqual([
      'Tidpunkt (svensk tid)',
      'Personal',
      'Användarnamn',
      'Roll',
      'Åtgärd',
      'Åtgärdskod',
      'Person-id',
      'Förfrågans id',
    ]);
    expect(records).toHaveLength(total);
    expect(records[0]).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      'Marita Aronsson',
      DEMO.caseworker,
      'Handläggare',
      expect.any(String),
      expect.any(String),
      ids.tolvan,
      expect.any(String),
    ]);
    expect(
      records.filter((r) => r[2] === DEMO.caseworker && r[5] === 'PERSON_READ' && r[6] === ids.tolvan),
    ).toHaveLength(1);
    expect(new Set(records.map((r) => r[6]))).toEqual(new Set([ids.tolvan]));

    // Narrowed to Marita: only her rows of Tolvan.
    await choose(page, /Personal$/, /^Marita Aronsson/);
    await page.getByRole('button', { name: 'Sök i loggen' }).click();
    await ui(page.getByRole('heading', { level: 2, name: 'Loggen för 19121212-1212, Marita Aronsson' })).toBeVisible();
    await ui(rows.filter({ hasText: 'Anna Ekholm' })).toHaveCount(0);
    await ui(rows.filter({ hasText: 'Personbilden öppnad' })).toHaveCount(1);
    const [narrow] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Ladda ner som CSV' }).click(),
    ]);
    const narrowRecords = parseCsv(fs.readFileSync((await narrow.path())!, 'utf8')).slice(1);
    expect(narrowRecords.length).toBe(await rows.count());
    expect(new Set(narrowRecords.map((r) => r[2]))).toEqual(new Set([DEMO.caseworker]));
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-admin-loggkontroll');

    // Back returns to the previous search (kept in the history's state).
    await page.goBack();
    await ui(page.getByRole('heading', { level: 2, name: 'Loggen för 19121212-1212' })).toBeVisible();

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    // By keyboard alone on a phone: Tab to the personnummer, type it, Enter; then the staff member with the arrow keys.
    await phone.goto(`${t.origin}/staff/loggkontroll`);
    await ui(phone.getByRole('heading', { level: 1, name: 'Loggkontroll' })).toBeVisible();
    expect(await tabTo(phone, 'input[name="personnummer"]')).not.toBe('none');
    await phone.keyboard.type('191212121212');
    await phone.keyboard.press('Enter');
    await ui(phone.getByRole('heading', { level: 2, name: 'Loggen för 191212121212' })).toBeVisible();
    await tabTo(phone, 'button.select-button');
    await phone.keyboard.press('Enter');
    await ui(phone.getByRole('option', { name: 'All personal' })).toBeFocused();
    for (
      let i = 0;
      (await phone.evaluate('document.activeElement?.textContent')) !== 'Marita Aronsson (mararo01)';
      i++
    ) {
      if (i === 20) throw new Error('Marita was not reached with the arrow keys');
      await phone.keyboard.press('ArrowDown');
    }
    await phone.keyboard.press('Enter');
    await tabTo(phone, 'text=Sök i loggen');
    await phone.keyboard.press('Enter');
    await ui(phone.getByRole('heading', { level: 2, name: 'Loggen för 191212121212, Marita Aronsson' })).toBeVisible();
    await ui(phone.getByTestId('access-log-row').first()).toContainText('Marita Aronsson');
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-admin-loggkontroll-360');
    await context.close();
  });
});

describe('AD2 failed notifications', () => {
  test('an SMS the provider refused is listed; Skicka om sends it once and it leaves the list', async () => {
    await settledJobs();
    sms.failWith(400);
    let messageId: string;
    try {
      ({ messageId } = await caseworkerSends(t, 'Tolvan', {
        subject: 'Tid för möte',
        body: '<p>Välkommen på tisdag.</p>',
      }));
      await until(
        async () => {
          const rows = await t
            .em()
            .getConnection()
            .execute<{ state: string }[]>(
              `select state from pgboss.job where name = 'notify' and data->>'messageId' = ? and data->>'channel' = 'sms' and data->>'kind' = 'new'`,
              [messageId],
            );
          return rows[0]?.state === 'failed' ? true : undefined;
        },
        15_000,
        'the SMS job to fail',
      );
    } finally {
      sms.failWith(null);
    }
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Aviseringar' }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Misslyckade aviseringar' })).toBeVisible();
    const row = page.getByTestId('failed-notification').filter({ hasText: ids.tolvan }).filter({ hasText: 'SMS' });
    await ui(row).toHaveCount(1);
    await ui(row).toContainText('Nytt meddelande');
    await ui(row).toContainText('SMS provider answered 400');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-admin-aviseringar');

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    await phone.goto(`${t.origin}/staff/aviseringar`);
    await ui(phone.getByTestId('failed-notification').first()).toBeVisible();
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-admin-aviseringar-360');
    await phone.close();

    const before = sms.delivered.length;
    await row.getByRole('button', { name: /^Skicka om SMS köad / }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Aviseringen är köad igen och skickas strax.');
    await ui(page.getByTestId('admin-done')).toBeFocused();
    await until(() => (sms.delivered.length > before ? true : undefined), 15_000, 'the retried SMS');
    expect(sms.delivered.slice(before).map((d) => d.body.to)).toHaveLength(1);
    await page.getByRole('button', { name: 'Uppdatera listan' }).click();
    await ui(row).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});

describe('AD3 shared mailboxes and staff accounts', () => {
  test("membership of a shared mailbox: add an executor, the API's refusal of an administrator in Swedish, remove, the history; axe at both sizes", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page
      .getByRole('navigation', { name: 'Huvudmeny' })
      .getByRole('link', { name: 'Gemensamma brevlådor' })
      .click();
    await ui(page.getByRole('heading', { level: 1, name: 'Gemensamma brevlådor' })).toBeVisible();
    const box = page
      .getByTestId('shared-mailbox')
      .filter({ has: page.getByRole('heading', { name: 'Försörjningsstöd mottagning' }) });
    const members = box.getByRole('list', { name: 'Medlemmar: Försörjningsstöd mottagning' });
    await ui(members.getByText('Marita Aronsson')).toBeVisible();
    await ui(members.getByText('Per Utförsson')).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);

    // Nothing chosen: says so.
    await box.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await ui(box.getByText('Välj en person att lägga till.')).toBeVisible();

    // Separation of duties: the administrator cannot add herself; the API's FORBIDDEN in Swedish.
    await choose(page, /Lägg till medlem i Försörjningsstöd mottagning/, /^Siv Systemsson/);
    await box.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await ui(box.getByRole('alert')).toContainText('En systemförvaltare kan inte vara medlem i en gemensam brevlåda');
    await ui(members.getByText('Siv Systemsson')).toHaveCount(0);

    await choose(page, /Lägg till medlem i Försörjningsstöd mottagning/, /^Per Utförsson/);
    await box.getByRole('button', { name: 'Lägg till', exact: true }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Per Utförsson är tillagd i Försörjningsstöd mottagning.');
    await ui(members.getByText('Per Utförsson')).toBeVisible();
    const [{ n: added }] = await t
      .em()
      .getConnection()
      .execute<{ n: string }[]>(
        `select count(*) as n from shared_mailbox_member m join shared_mailbox b on b.id = m.mailbox_id where b.name = 'Försörjningsstöd mottagning' and m.staff_id = ?`,
        [ids[DEMO.executor]],
      );
    expect(Number(added)).toBe(1);

    await box.getByRole('button', { name: 'Ändringar av medlemskap' }).click();
    await ui(box.getByTestId('membership-history')).toContainText('Per Utförsson lades till av Siv Systemsson');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-admin-brevlador');

    await box.getByRole('button', { name: 'Ta bort Per Utförsson från Försörjningsstöd mottagning' }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Per Utförsson är borttagen från Försörjningsstöd mottagning.');
    await ui(page.getByTestId('admin-done')).toBeFocused();
    await ui(members.getByText('Per Utförsson')).toHaveCount(0);
    await ui(box.getByTestId('membership-history')).toContainText('Per Utförsson togs bort av Siv Systemsson');

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    await phone.goto(`${t.origin}/staff/brevlador`);
    await ui(phone.getByTestId('shared-mailbox').first()).toBeVisible();
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-admin-brevlador-360');
    await context.close();
  });

  test("staff accounts and units: create one, change its role, title and unit, disable it, a new unit; the administrator cannot disable or demote herself (the API's refusals in Swedish)", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Personal' }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Personal' })).toBeVisible();
    const accounts = page.getByTestId('staff-account');
    await ui(accounts.filter({ hasText: 'Marita Aronsson' })).toContainText('Handläggare');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-admin-personal');

    await page.getByRole('button', { name: 'Nytt konto' }).click();
    await page.getByRole('button', { name: 'Spara', exact: true }).click();
    await ui(page.getByText('Fyll i användarnamn.')).toBeVisible();
    await page.getByRole('textbox', { name: 'Användarnamn' }).fill('mararo01');
    await page.getByRole('textbox', { name: 'Förnamn' }).fill('Lisa');
    await page.getByRole('textbox', { name: 'Efternamn' }).fill('Larsson');
    await page.getByRole('textbox', { name: 'Titel' }).fill('Socialsekreterare');
    await choose(page, /Enhet$/, 'IFO Vuxen – Försörjningsstöd');
    expect(await axeViolations(page)).toEqual([]);
    // A taken username: the API's CONFLICT, next to the field.
    await page.getByRole('button', { name: 'Spara', exact: true }).click();
    await ui(page.getByText('Användarnamnet är redan upptaget. Välj ett annat.')).toBeVisible();
    await page.getByRole('textbox', { name: 'Användarnamn' }).fill('lislar01');
    await page.getByRole('button', { name: 'Spara', exact: true }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Kontot för Lisa Larsson är skapat.');
    // The form is gone: keyboard users continue at the confirmation.
    await ui(page.getByTestId('admin-done')).toBeFocused();
    const lisa = accounts.filter({ hasText: 'Lisa Larsson' });
    await ui(lisa).toContainText('Handläggare');

    // Changed: role, title and unit in one form (the username is the identity provider's and stays).
    await lisa.getByRole('button', { name: 'Ändra uppgifter för Lisa Larsson' }).click();
    const form = page.getByRole('region', { name: 'Ändra uppgifter för Lisa Larsson' });
    await ui(form.getByRole('textbox', { name: 'Förnamn' })).toBeFocused();
    await ui(form.getByRole('textbox', { name: 'Användarnamn' })).toHaveCount(0);
    await choose(page, /Roll$/, 'Utförare');
    await form.getByRole('textbox', { name: 'Titel' }).fill('Behandlingsassistent');
    await choose(page, /Enhet$/, 'Öppenvård vuxna (utförare)');
    expect(await axeViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Spara', exact: true }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Uppgifterna för Lisa Larsson är sparade.');
    await ui(page.getByTestId('admin-done')).toBeFocused();
    await ui(lisa).toContainText('Utförare');
    await ui(lisa).toContainText('Behandlingsassistent');
    await ui(lisa).toContainText('Öppenvård vuxna (utförare)');

    await lisa.getByRole('button', { name: 'Stäng av kontot för Lisa Larsson' }).click();
    await lisa.getByRole('button', { name: 'Stäng av kontot för Lisa Larsson' }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Kontot för Lisa Larsson är avstängt.');
    await ui(lisa).toContainText('Avstängt');
    const [row] = await t
      .em()
      .getConnection()
      .execute<{ role: string; active: boolean; title: string }[]>(
        `select role, active, title from staff where username = 'lislar01'`,
      );
    expect(row).toEqual({ role: 'EXECUTOR', active: false, title: 'Behandlingsassistent' });

    // Separation of duties: not herself.
    const siv = accounts.filter({ hasText: 'Siv Systemsson' });
    await siv.getByRole('button', { name: 'Stäng av kontot för Siv Systemsson' }).click();
    await siv.getByRole('button', { name: 'Stäng av kontot för Siv Systemsson' }).click();
    await ui(siv.getByRole('alert')).toHaveText('Du kan inte stänga av ditt eget konto. Be en annan systemförvaltare.');
    await ui(siv).toContainText('Aktivt');
    await siv.getByRole('button', { name: 'Avbryt' }).click();
    // …nor demote herself.
    await siv.getByRole('button', { name: 'Ändra uppgifter för Siv Systemsson' }).click();
    await choose(page, /Roll$/, 'Handläggare');
    await page.getByRole('button', { name: 'Spara', exact: true }).click();
    await ui(page.getByRole('region', { name: 'Ändra uppgifter för Siv Systemsson' }).getByRole('alert')).toHaveText(
      'Du kan inte ta bort din egen roll som systemförvaltare. Be en annan systemförvaltare.',
    );
    await page.getByRole('button', { name: 'Avbryt' }).click();
    await ui(siv).toContainText('Systemförvaltare');

    // Units: a new one is listed; the same name again is the API's CONFLICT, in Swedish.
    const units = page.getByRole('region', { name: 'Enheter' });
    for (const attempt of [1, 2]) {
      await units.getByRole('button', { name: 'Ny enhet' }).click();
      await units.getByRole('textbox', { name: 'Enhetens namn' }).fill('IFO Familjerätt');
      await ui(units.getByRole('textbox', { name: 'Kommun' })).toHaveValue('Söderköpings kommun');
      await units.getByRole('button', { name: 'Skapa enhet' }).click();
      if (attempt === 1) await ui(units.getByTestId('units').getByText('IFO Familjerätt')).toBeVisible();
    }
    await ui(units.getByText('Det finns redan en enhet med det namnet. Välj ett annat namn.')).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
    await units.getByRole('button', { name: 'Avbryt' }).click();

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    await phone.goto(`${t.origin}/staff/personal`);
    await ui(phone.getByTestId('staff-account').first()).toBeVisible();
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'staff-admin-personal-360');
    await context.close();
  });
});

describe('AD4 Skyddad folkbokföring', () => {
  test('the administrator records it by personnummer and removes it again; an unknown number is refused in Swedish; axe at both sizes', async () => {
    const protectedOf = async () =>
      (
        await t
          .em()
          .getConnection()
          .execute<{ protected_identity: boolean }[]>('select protected_identity from person where personnummer = ?', [
            DEMO.relation,
          ])
      )[0].protected_identity;
    expect(await protectedOf()).toBe(false);
    const context = await newContext(browser);
    const page = await context.newPage();
    await signInAdmin(page);
    await page
      .getByRole('navigation', { name: 'Huvudmeny' })
      .getByRole('link', { name: 'Skyddad folkbokföring' })
      .click();
    await ui(page.getByRole('heading', { level: 1, name: 'Skyddad folkbokföring' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Registrera' }).click();
    await ui(page.getByText('Skriv personnumret.')).toBeVisible();
    await ui(page.getByText('Välj om personen har skyddad folkbokföring eller inte.')).toBeVisible();

    // A valid personnummer nobody here has: the API's NOT_FOUND, next to the field.
    await page.getByRole('textbox', { name: 'Personnummer' }).fill('19500101-0015');
    await page
      .getByRole('radiogroup', { name: 'Enligt folkbokföringen' })
      .getByText('Skyddad folkbokföring', { exact: true })
      .click();
    await ui(page.getByRole('radio', { name: 'Skyddad folkbokföring', exact: true })).toBeChecked();
    await page.getByRole('button', { name: 'Registrera' }).click();
    await ui(
      page.getByText('Ingen person med det personnumret finns i socialtjänstens register. Kontrollera numret.'),
    ).toBeVisible();

    await page.getByRole('textbox', { name: 'Personnummer' }).fill('860826-1965');
    await page.getByRole('button', { name: 'Registrera' }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Skyddad folkbokföring är registrerad för 860826-1965.');
    expect(await protectedOf()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'staff-admin-skyddad');

    await page
      .getByRole('radiogroup', { name: 'Enligt folkbokföringen' })
      .getByText('Inte skyddad folkbokföring')
      .click();
    await page.getByRole('button', { name: 'Registrera' }).click();
    await ui(page.getByTestId('admin-done')).toHaveText('Skyddad folkbokföring är borttagen för 860826-1965.');
    expect(await protectedOf()).toBe(false);

    const phone = await context.newPage();
    await phone.setViewportSize(VIEWPORTS.phone);
    await phone.goto(`${t.origin}/staff/skyddad-folkbokforing`);
    await ui(phone.getByRole('heading', { level: 1, name: 'Skyddad folkbokföring' })).toBeVisible();
    expect(await overflowX(phone)).toBeLessThanOrEqual(0);
    expect(await axeViolations(phone)).toEqual([]);
    await context.close();
  });
});
