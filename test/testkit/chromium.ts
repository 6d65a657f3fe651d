import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { DEMO, seedDemoConversations, seedDemoData } from '../../src/db/demo-data';
import { ConversationDocument, PersonsDocument, SendMessageDocument } from '../../clients/staff/src';
import { apiAs } from './api';
import { upload } from './files';
import { startTestServer, type TestServer } from './server';

/** Debian's chromium (apt-get install -y chromium; .ci/run installs it). Missing means the browser tests fail, never skip. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** This machine has no outside network; keep Chromium from trying. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}: install it with apt-get install -y chromium (.ci/run does this)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** The real server (it serves the built UIs; jest's globalSetup builds them when stale) with the demo people and conversations. */
export async function startUiServer(env: Record<string, string> = {}): Promise<TestServer & { origin: string }> {
  const t = await startTestServer(env);
  await seedDemoData(t.em());
  await seedDemoConversations(t.em());
  return Object.assign(t, { origin: t.url.replace(/\/graphql$/, '') });
}

export const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 360, height: 780 },
} as const;

/** A fresh browser context (its own cookies and storage), Swedish, at a given size. */
export async function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = VIEWPORTS.desktop,
): Promise<BrowserContext> {
  return browser.newContext({ viewport, locale: 'sv-SE', timezoneId: 'Europe/Stockholm', acceptDownloads: true });
}

export const PEOPLE = {
  tolvan: { name: 'Tolvan Tolvansson', personnummer: DEMO.tolvan },
  josefine: { name: 'Josefine Test Ek', personnummer: DEMO.relation },
  kalle: { name: 'Kalle Barnsson', personnummer: DEMO.otherUnitPerson },
} as const;

/**
 * Signs in the way a person does: open the app, follow "Logga in", press the
 * demo person's button on the server's development sign-in page, and land
 * back in the app.
 */
export async function signInAs(page: Page, origin: string, name: string, start = '/'): Promise<void> {
  await page.goto(origin + start);
  await page.getByRole('link', { name: /^Logga in/ }).click();
  await page.getByRole('button', { name: `Logga in som ${name}` }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/'));
}

/** axe-core over the whole page (WCAG 2.1 A and AA rules): the violations, as short readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
  );
}

const SHOTS = path.resolve(__dirname, '../../docs/screenshots');

/** A screenshot for the README (docs/screenshots/<name>.png), taken by the test run so it is always current. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** What JavaScript in the page can read: nothing that looks like a credential may be there. */
export async function scriptReadableStorage(
  page: Page,
): Promise<{ cookie: string; local: Record<string, string>; session: Record<string, string> }> {
  return page.evaluate(`(() => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i))]));
    return { cookie: document.cookie, local: dump(localStorage), session: dump(sessionStorage) };
  })()`);
}

/** Marita (the demo caseworker) sends a citizen a message through the staff API with a bearer token, as the staff UI will. */
export async function caseworkerSends(
  t: TestServer,
  to: string,
  msg: { subject: string; body: string; pdf?: { name: string; bytes: Buffer }; readReceipt?: boolean },
): Promise<{ messageId: string; conversationId: string }> {
  const token = await t.token.staff(DEMO.caseworker);
  const staff = apiAs(t, token);
  try {
    const persons = await staff.query(PersonsDocument, { search: to });
    const personId = persons.data!.persons.nodes[0].id;
    const attachmentIds: string[] = [];
    if (msg.pdf) {
      const up = await upload(t.url.replace(/\/graphql$/, ''), token, msg.pdf.bytes, msg.pdf.name);
      if (up.status !== 201) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
      attachmentIds.push(up.body.id);
    }
    const sent = await staff.mutate(SendMessageDocument, {
      input: {
        idempotencyKey: randomUUID(),
        to: { personIds: [personId] },
        subject: msg.subject,
        body: msg.body,
        attachmentIds,
        readReceiptRequested: msg.readReceipt ?? true,
      },
    });
    if (!sent.data) throw new Error(`sendMessage failed: ${sent.codes.join(', ')}`);
    return { messageId: sent.data.sendMessage[0].id, conversationId: sent.data.sendMessage[0].conversationId };
  } finally {
    await staff.close();
  }
}

/** A conversation as Marita sees it through the staff API. */
export async function caseworkerSees(t: TestServer, conversationId: string) {
  const staff = apiAs(t, await t.token.staff(DEMO.caseworker));
  try {
    const res = await staff.query(ConversationDocument, { id: conversationId });
    return res.data!.conversation;
  } finally {
    await staff.close();
  }
}

/** How many CSS pixels the page is wider than the window (0: no sideways scrolling, as WCAG 1.4.10 reflow asks at 320–360 px). */
export async function overflowX(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}
