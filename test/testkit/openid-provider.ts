import type { Server } from 'node:http';
import { CookieBrowser, FORM, formBody, type BrowserResponse } from './browser';

/**
 * A real, certified OpenID Provider (`oidc-provider`) on a local port, for
 * testing the backend-for-frontend's sign-in without a mock: authorization
 * code with PKCE required, its development login and consent pages, and an
 * account store that releases the claims our issuers do — a 12-digit login is
 * a citizen (`personal_identity_number`), anything else a staff member
 * (`preferred_username`).
 */
export interface TestProvider {
  issuer: string;
  jwksUrl: string;
  close(): Promise<void>;
}

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export async function startOpenIdProvider(port: number, clients: TestClient[]): Promise<TestProvider> {
  // Its development-only warnings (in-memory store, generated keys, Node 20) are expected here.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args);
  };
  // ESM-only; jest compiles it (jest.config.js transformIgnorePatterns).
  const { default: Provider } = require('oidc-provider');
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      ...c,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub', 'personal_identity_number'], profile: ['preferred_username'] },
    cookies: { keys: ['test-only-cookie-key'] },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          return /^\d{12}$/.test(sub) ? { sub, personal_identity_number: sub } : { sub, preferred_username: sub };
        },
      };
    },
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      console.warn = warn;
    },
  };
}

/**
 * Walks a browser through the provider as a person would: follows the
 * redirects, fills in the login form with `login` (or presses Cancel), gives
 * consent, and stops at the redirect back to the app's callback. Returns that
 * callback URL without calling it.
 */
export async function signInAtProvider(
  browser: CookieBrowser,
  authorizationUrl: string,
  login: string | 'cancel',
): Promise<string> {
  let url = authorizationUrl;
  let res: BrowserResponse = await browser.fetch(url);
  for (let step = 0; step < 20; step++) {
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, url);
      if (next.pathname.startsWith('/auth/callback/')) return next.toString();
      url = next.toString();
      res = await browser.fetch(url);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(res.text)?.[1];
    const prompt = /name="prompt" value="(login|consent)"/.exec(res.text)?.[1];
    if (res.status === 200 && action && prompt) {
      const from = new URL(url).origin;
      if (login === 'cancel') {
        url = new URL(/href="([^"]+\/abort)"/.exec(res.text)![1].replace(/&amp;/g, '&'), url).toString();
        res = await browser.fetch(url, { from });
        continue;
      }
      url = new URL(action.replace(/&amp;/g, '&'), url).toString();
      const fields: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
      res = await browser.fetch(url, { method: 'POST', headers: FORM, body: formBody(fields), from });
      continue;
    }
    throw new Error(`unexpected answer from the provider at ${url}: ${res.status} ${res.text.slice(0, 400)}`);
  }
  throw new Error('the provider did not redirect back to the app');
}
