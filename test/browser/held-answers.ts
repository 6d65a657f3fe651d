import type { Page, Route } from 'playwright-core';

/** True for a page's POST /graphql of that operation (the UIs send trusted documents by hash, with their name). */
export const operation =
  (name: string, also: (body: string) => boolean = () => true) =>
  (body: string | null): boolean =>
    (body ?? '').includes(`"operationName":"${name}"`) && also(body ?? '');

/**
 * Holds the page's requests that `matches` (by their POST body) until `release()`, so a test can act while an
 * answer is on its way, as a slow network or busy server would make it, and see what the page shows then.
 * `asked` resolves when the first such request has been made; `release()` lets them go, waits until the page
 * has that answer and has drawn it, and stops holding.
 */
export async function holdAnswers(
  page: Page,
  matches: (body: string | null) => boolean,
): Promise<{ asked: Promise<unknown>; release: () => Promise<void> }> {
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  const handler = async (route: Route) => {
    if (matches(route.request().postData())) await held;
    await route.fallback();
  };
  await page.route('**/graphql', handler);
  const asked = page.waitForRequest((r) => matches(r.postData()));
  return {
    asked,
    release: async () => {
      const answered = page.waitForResponse((r) => matches(r.request().postData()));
      letGo();
      await (await answered).finished();
      await page.unroute('**/graphql', handler);
      await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
    },
  };
}
