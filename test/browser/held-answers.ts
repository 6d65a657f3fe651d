import type { Page, Route } from 'playwright-core';

/** True for a page's POST /graphql of that operation (the UIs send trusted documents by hash, with their name). */
export const operation =
  (name: string, also: (body: string) => boolean = () => true) =>
  (body: string | null): boolean =>
    (body ?? '').includes(`"operationName":"${name}"`) && also(body ?? '');

/**
 * Resolves once the page has had an answer to a request that `matches` (by its POST body) and has drawn it. Ask
 * before the request can go out (before the click that sends it), await after.
 */
export function answerDrawn(page: Page, matches: (body: string | null) => boolean): Promise<void> {
  const answered = page.waitForResponse((r) => matches(r.request().postData()));
  return (async () => {
    await (await answered).finished();
    await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  })();
}

/**
 * Holds the answers to the page's requests that `matches` (by their POST body) until `release()`, so a test can
 * act while an answer is on its way, as a slow network or busy server would make it, and see what the page shows
 * then. By default the request itself waits, so the server reads only after the release; with `readAtOnce` the
 * server answers at once and only the answer waits, so it holds what the server read before whatever the test does
 * meanwhile. `asked` resolves when the first such request has been made (with `readAtOnce`: answered by the server);
 * `release()` lets them go, waits until the page has that answer and has drawn it, and stops holding.
 */
export async function holdAnswers(
  page: Page,
  matches: (body: string | null) => boolean,
  { readAtOnce = false } = {},
): Promise<{ asked: Promise<unknown>; release: () => Promise<void> }> {
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  let read!: () => void;
  const readByServer = new Promise<void>((resolve) => (read = resolve));
  const handler = async (route: Route) => {
    if (!matches(route.request().postData())) return route.fallback();
    if (!readAtOnce) {
      await held;
      return route.fallback();
    }
    const response = await route.fetch();
    read();
    await held;
    await route.fulfill({ response });
  };
  await page.route('**/graphql', handler);
  const asked = readAtOnce ? readByServer : page.waitForRequest((r) => matches(r.postData()));
  return {
    asked,
    release: async () => {
      const drawn = answerDrawn(page, matches);
      letGo();
      await drawn;
      await page.unroute('**/graphql', handler);
    },
  };
}
