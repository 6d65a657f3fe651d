import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { signInAs } from './chromium';

/** The demo staff as the development sign-in page names them. */
export const STAFF = {
  marita: 'Marita Aronsson',
  anna: 'Anna Ekholm',
  per: 'Per Utförsson',
} as const;

/** Signs in to the staff UI by clicking through the real development sign-in page; lands in the inbox. */
export async function signInStaff(page: Page, origin: string, name: string, start = '/staff/'): Promise<void> {
  await signInAs(page, origin, name, start);
  await page.getByRole('navigation', { name: 'Brevlådor' }).waitFor();
}

/**
 * Presses Tab until the focused element matches a CSS selector (or, as
 * `text=…`, has that text), as a keyboard user would; fails after `max`
 * presses. Returns the focused element's outline style.
 */
export async function tabTo(page: Page, matches: string, max = 40): Promise<string> {
  const test = matches.startsWith('text=')
    ? `document.activeElement?.textContent?.trim() === ${JSON.stringify(matches.slice(5))}`
    : `document.activeElement?.matches(${JSON.stringify(matches)}) ?? false`;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) {
      return page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`);
    }
  }
  throw new Error(`${matches} was not reached with ${max} Tab presses`);
}

/** How many POST /graphql requests the page made for an operation, counted from now on. */
export function countOperations(page: Page, operation: string): { count: () => number } {
  let n = 0;
  page.on('request', (req) => {
    if (
      req.method() === 'POST' &&
      req.url().endsWith('/graphql') &&
      (req.postData() ?? '').includes(`"operationName":"${operation}"`)
    )
      n++; // trusted documents go by hash, with their name
  });
  return { count: () => n };
}

/** A screenshot of what is on screen (a dialog over the page), for the README: docs/screenshots/<name>.png. */
export async function viewportScreenshot(page: Page, name: string): Promise<void> {
  const dir = path.resolve(__dirname, '../../docs/screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
}
