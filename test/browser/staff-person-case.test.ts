import { expect as playwrightExpect } from '@playwright/test';
import type { Browser, Page } from 'playwright-core';
import { PersonDocument, PersonsDocument } from '../../clients/staff/src';
import { DEMO } from '../../src/db/demo-data';
import { apiAs } from '../testkit/api';
import { axeViolations, launchChromium, newContext, overflowX, screenshot, startUiServer, VIEWPORTS } from '../testkit/chromium';
import { signInStaff, STAFF, viewportScreenshot } from '../testkit/staff-ui';
import type { TestServer } from '../testkit/server';

// Two shared cores in CI: what a person waits for may take a few seconds there.
const ui = playwrightExpect.configure({ timeout: 10_000 });

jest.setTimeout(180_000);

let t: TestServer & { origin: string };
let browser: Browser;
beforeAll(async () => {
  [t, browser] = await Promise.all([startUiServer(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Isabella Test Ek from the seed (950529-2962): new to the social services, registered by Marita as a relation. */
const ISABELLA = { givenName: 'Isabella', familyName: 'Test Ek', personnummer: '950529-2962' };

/** Today in Sweden, as the date fields show it. */
function todayInSweden(): string {
  return new Intl.DateTimeFormat('sv-SE', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/Stockholm' }).format(new Date());
}

async function noViolations(page: Page, where: string): Promise<void> {
  expect({ where, violations: await axeViolations(page) }).toEqual({ where, violations: [] });
}

/** A person as Marita reads them through the staff API. */
async function personAsMarita(search: string) {
  const api = apiAs(t, await t.token.staff(DEMO.caseworker));
  try {
    const found = await api.query(PersonsDocument, { search });
    const id = found.data!.persons.nodes[0].id;
    return (await api.query(PersonDocument, { id })).data!.person;
  } finally {
    await api.close();
  }
}

/** Marita: Personer → search → Tolvan's person view. */
async function openTolvan(page: Page, search = '19121212-1212'): Promise<void> {
  await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Personer' }).click();
  await page.getByRole('searchbox', { name: 'Sök person' }).fill(search);
  await page.getByRole('button', { name: 'Sök', exact: true }).click();
  await page.getByTestId('person-hits').getByRole('link', { name: /Tolvan Tolvansson/ }).click();
  await ui(page.getByRole('heading', { level: 1, name: 'Tolvan Tolvansson' })).toBeVisible();
}

describe("P1 the seed's person steps: Marita finds Tolvan and switches the e-service off and on", () => {
  test('search by name and by personnummer in several formats; the blue box shows while the e-service is on; off, then on with mobile and e-mail', async () => {
    const page = await (await newContext(browser)).newPage();
    await signInStaff(page, t.origin, STAFF.marita);

    // Search: by family name, and by personnummer written three ways.
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Personer' }).click();
    await ui(page.getByRole('heading', { level: 1, name: 'Personer' })).toBeVisible();
    await noViolations(page, 'person search, empty');
    for (const term of ['Tolvansson', '191212121212', '121212+1212']) {
      await page.getByRole('searchbox', { name: 'Sök person' }).fill(term);
      await page.getByRole('button', { name: 'Sök', exact: true }).click();
      await ui(page.getByTestId('person-hits').getByRole('link', { name: /Tolvan Tolvansson/ })).toBeVisible();
    }
    await noViolations(page, 'person search with hits');
    // Sanna's protected identity is marked in the list and her address is not there.
    await page.getByRole('searchbox', { name: 'Sök person' }).fill('Skyddad');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    const sanna = page.getByTestId('person-hits').getByRole('listitem').filter({ hasText: 'Sanna Skyddad' });
    await ui(sanna).toContainText('Skyddad folkbokföring');
    await ui(sanna).not.toContainText('Hemlig adress');

    await openTolvan(page, '19121212-1212');
    const box = page.getByTestId('eservice-box');
    await ui(box.getByRole('heading', { name: 'e-tjänsten är påkopplad' })).toBeVisible();
    await ui(box).toContainText('Notifiering via SMS');
    await ui(box).toContainText('Notifiering via E-post');
    await ui(box).toContainText('Meddelande');
    await noViolations(page, 'person view with the e-service box');
    await screenshot(page, 'staff-person');

    // Off: untick Meddelande (the notifications go with it), Spara.
    const form = page.getByTestId('eservice-form');
    await form.getByRole('checkbox', { name: 'Meddelande' }).uncheck({ force: true });
    await ui(form.getByRole('checkbox', { name: 'Notifiering via SMS' })).not.toBeChecked();
    await form.getByRole('button', { name: 'Spara' }).click();
    await ui(form.getByText('E-tjänsten är avstängd.')).toBeVisible();
    await ui(box).toHaveCount(0);
    expect((await personAsMarita('Tolvansson')).eService).toEqual(expect.objectContaining({ messagingEnabled: false, notifyBySms: false, notifyByEmail: false }));

    // SMS without a mobile number is refused next to the field, nothing is saved.
    await form.getByRole('textbox', { name: 'Telefon mobil' }).fill('');
    await form.getByRole('checkbox', { name: 'Notifiering via SMS' }).check({ force: true });
    await form.getByRole('button', { name: 'Spara' }).click();
    await ui(form.getByText('Fyll i ett mobilnummer för att avisera via SMS.')).toBeVisible();
    await ui(form.getByRole('textbox', { name: 'Telefon mobil' })).toHaveAttribute('aria-invalid', 'true');

    // On again, the seed's way: mobile and e-mail, then the three boxes, Spara.
    await form.getByRole('textbox', { name: 'Telefon mobil' }).fill('076-527 04 84');
    await form.getByRole('textbox', { name: 'E-postadress' }).fill('tolvan.ny@example.se');
    await form.getByRole('checkbox', { name: 'Meddelande' }).check({ force: true });
    await form.getByRole('checkbox', { name: 'Notifiering via E-post' }).check({ force: true });
    await form.getByRole('button', { name: 'Spara' }).click();
    await ui(form.getByText('E-tjänsten är sparad.')).toBeVisible();
    await ui(box.getByRole('heading', { name: 'e-tjänsten är påkopplad' })).toBeVisible();
    await ui(box).toContainText('076-527 04 84');
    const tolvan = await personAsMarita('Tolvansson');
    expect(tolvan).toEqual(expect.objectContaining({ mobile: '+46765270484', email: 'tolvan.ny@example.se', eService: expect.objectContaining({ messagingEnabled: true, notifyBySms: true, notifyByEmail: true }) }));

    // The person view at 360 px: no sideways scrolling, axe clean.
    await page.setViewportSize(VIEWPORTS.phone);
    await ui(box).toBeVisible();
    expect(await overflowX(page)).toBe(0);
    await noViolations(page, 'person view at 360 px');
    await screenshot(page, 'staff-person-360');
  });

  test("Sanna's protected identity: Marita (not her caseworker) sees the marking and no address or contact details", async () => {
    const page = await (await newContext(browser)).newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await page.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Personer' }).click();
    await page.getByRole('searchbox', { name: 'Sök person' }).fill('Sanna');
    await page.getByRole('button', { name: 'Sök', exact: true }).click();
    await page.getByTestId('person-hits').getByRole('link', { name: /Sanna Skyddad/ }).click();
    await ui(page.getByTestId('protected-notice')).toContainText('Skyddad folkbokföring');
    await ui(page.getByRole('list', { name: 'Upplysningar' })).toContainText('Sekretessmarkering');
    await ui(page.getByRole('main')).not.toContainText('Hemlig adress');
    await ui(page.getByRole('main')).not.toContainText('sanna@example.se');
    await noViolations(page, 'protected person view');
  });
});

describe("P2 the seed's relation steps: Lägg till relation, activate, deactivate", () => {
  test('Marita registers Isabella (new) as Godkänd för meddelande from today and activates her with mobile and e-mail; then deactivates and activates again', async () => {
    const page = await (await newContext(browser)).newPage();
    await signInStaff(page, t.origin, STAFF.marita);
    await openTolvan(page, 'Tolvan');
    await page.getByRole('link', { name: 'Ekonomiskt bistånd', exact: true }).click();
    await ui(page.getByRole('heading', { level: 1, name: /Ekonomiskt bistånd/ })).toBeVisible();
    await noViolations(page, 'case overview');

    // 1. Lägg till relation → Sök person: Isabella is not known here, so she is registered as a new person.
    await page.getByRole('button', { name: 'Lägg till relation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Lägg till relation' });
    await dialog.getByRole('searchbox', { name: 'Sök person' }).fill(ISABELLA.personnummer);
    await dialog.getByRole('button', { name: 'Sök', exact: true }).click();
    await ui(dialog.getByText(/Ingen person hittades/)).toBeVisible();
    await noViolations(page, 'relation dialog, no hit');
    await dialog.getByRole('button', { name: 'Ny person' }).click();
    await ui(dialog.getByRole('textbox', { name: 'Personnummer' })).toHaveValue(ISABELLA.personnummer);
    await dialog.getByRole('textbox', { name: 'Förnamn' }).fill(ISABELLA.givenName);
    await dialog.getByRole('textbox', { name: 'Efternamn' }).fill(ISABELLA.familyName);
    await dialog.getByRole('button', { name: 'Lägg till relation' }).click();

    // 2. Verksamhetsregister: Godkänd för meddelande (ticked), Från today, Till empty; Spara.
    await ui(dialog.getByRole('checkbox', { name: 'Godkänd för meddelande' })).toBeChecked();
    await ui(dialog.getByLabel('Från')).toHaveValue(todayInSweden());
    await noViolations(page, 'relation dialog, register');
    await viewportScreenshot(page, 'staff-relation-dialog');
    await dialog.getByRole('button', { name: 'Spara' }).click();
    await ui(dialog).toHaveCount(0);
    const isabella = page.getByTestId('relation').filter({ hasText: 'Isabella Test Ek' });
    await ui(isabella).toContainText('Godkänd för meddelande');
    await ui(isabella.getByTestId('relation-status')).toHaveText('E-tjänsten inte aktiverad');

    // 3–4. Activate: e-mail and mobile, Meddelande, Notifiering via SMS and E-post.
    await isabella.getByRole('button', { name: 'E-tjänsten för Isabella Test Ek' }).click();
    const activate = page.getByRole('dialog', { name: 'E-tjänsten för Isabella Test Ek' });
    await activate.getByRole('textbox', { name: 'E-postadress' }).fill('isabella.testek@example.se');
    await activate.getByRole('textbox', { name: 'Telefon mobil' }).fill('0763090826');
    await activate.getByRole('checkbox', { name: 'Meddelande' }).check({ force: true });
    await activate.getByRole('checkbox', { name: 'Notifiering via SMS' }).check({ force: true });
    await activate.getByRole('checkbox', { name: 'Notifiering via E-post' }).check({ force: true });
    await noViolations(page, 'activate relation dialog');
    await activate.getByRole('button', { name: 'Spara' }).click();
    await ui(activate).toHaveCount(0);
    await ui(isabella.getByTestId('relation-status')).toHaveText('E-tjänsten aktiverad');

    const relations = (await personAsMarita('Tolvansson')).relations;
    expect(relations).toEqual(
      expect.arrayContaining([expect.objectContaining({ types: ['APPROVED_FOR_MESSAGES'], validFrom: todayInSweden(), validTo: null, messagingActive: true, person: expect.objectContaining({ name: 'Isabella Test Ek' }) })]),
    );

    // Her person view: the blue box with both notifications (the seed's executor picture).
    await isabella.getByRole('link', { name: 'Isabella Test Ek' }).click();
    const box = page.getByTestId('eservice-box');
    await ui(box).toContainText('Notifiering via SMS');
    await ui(box).toContainText('isabella.testek@example.se');
    await page.goBack();

    // Deactivate, and the case shows it at once.
    await isabella.getByRole('button', { name: 'Inaktivera e-tjänsten för Isabella Test Ek' }).click();
    await ui(isabella.getByTestId('relation-status')).toHaveText('E-tjänsten inte aktiverad');
    await page.setViewportSize(VIEWPORTS.phone);
    expect(await overflowX(page)).toBe(0);
    await noViolations(page, 'case overview at 360 px');
  });
});
