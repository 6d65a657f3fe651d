import { hashSecret } from '../../src/auth/session';
import { DEMO, seedDemoData } from '../../src/db/demo-data';
import { BrowserSession, OidcLogin } from '../../src/entities/browser-session';
import { Staff } from '../../src/entities/staff';
import { CookieBrowser, FORM } from '../testkit/browser';
import { signInAtProvider, startOpenIdProvider, type TestProvider } from '../testkit/openid-provider';
import { freePort } from '../testkit/process';
import { startTestServer, type TestServer } from '../testkit/server';

/**
 * The backend-for-frontend's OpenID Connect sign-in against a real
 * OpenID Provider started here (`oidc-provider`, PKCE required), driven over
 * plain HTTP through its login and consent pages: authorization code with
 * PKCE (S256), state and nonce; the session that follows; sign-out; expiry;
 * disabled and not-activated accounts; login CSRF and replays refused.
 */
let t: TestServer;
let op: TestProvider;
let origin: string;
const COOKIE = 'ifo_session';
const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  const [appPort, opPort] = [await freePort(), await freePort()];
  origin = `http://127.0.0.1:${appPort}`;
  op = await startOpenIdProvider(opPort, [
    { client_id: 'ifo-citizen', client_secret: 'citizen-secret', redirect_uris: [`${origin}/auth/callback/citizen`] },
    { client_id: 'ifo-staff', client_secret: 'staff-secret', redirect_uris: [`${origin}/auth/callback/staff`] },
  ]);
  t = await startTestServer({
    AUTH_MODE: 'oidc',
    PORT: String(appPort),
    PUBLIC_URL: origin,
    AUTH_CITIZEN_ISSUER: op.issuer,
    AUTH_CITIZEN_JWKS_URL: op.jwksUrl,
    AUTH_CITIZEN_CLIENT_ID: 'ifo-citizen',
    AUTH_CITIZEN_CLIENT_SECRET: 'citizen-secret',
    AUTH_STAFF_ISSUER: op.issuer,
    AUTH_STAFF_JWKS_URL: op.jwksUrl,
    AUTH_STAFF_CLIENT_ID: 'ifo-staff',
    AUTH_STAFF_CLIENT_SECRET: 'staff-secret',
  });
  await seedDemoData(t.em());
});
afterAll(async () => {
  await t?.close();
  await op?.close();
});

/** Starts a sign-in at the app as a browser navigation; returns the provider URL it redirects to. */
async function startSignIn(browser: CookieBrowser, app: 'citizen' | 'staff', returnTo?: string) {
  const qs = new URLSearchParams({ app, ...(returnTo ? { returnTo } : {}) });
  const res = await browser.fetch(`${origin}/auth/login?${qs}`);
  expect(res.status).toBe(303);
  return { res, authorizationUrl: res.location! };
}

/** The provider redirects back: a cross-site navigation to the callback. */
const callback = (browser: CookieBrowser, url: string) =>
  browser.fetch(url, { headers: { 'sec-fetch-site': 'cross-site' } });

/** The whole sign-in: app → provider (login, consent) → callback → returnTo. */
async function signIn(app: 'citizen' | 'staff', login: string, returnTo?: string, browser = new CookieBrowser()) {
  const { authorizationUrl } = await startSignIn(browser, app, returnTo);
  const res = await callback(browser, await signInAtProvider(browser, authorizationUrl, login));
  return { browser, res };
}

const graphql = (browser: CookieBrowser, query: string, variables?: Record<string, unknown>) =>
  browser.fetch(t.url, {
    method: 'POST',
    headers: JSON_TYPE,
    body: JSON.stringify({ query, variables }),
    from: origin,
  });

describe('OI1 a citizen signs in at the e-ID issuer with the authorization code flow and PKCE', () => {
  test('the authorization request: code, S256 challenge, state, nonce, our callback; the verifier stays on the server', async () => {
    const browser = new CookieBrowser();
    const { res, authorizationUrl } = await startSignIn(browser, 'citizen', '/meddelanden');
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(op.issuer);
    const p = Object.fromEntries(url.searchParams);
    expect(p).toMatchObject({
      response_type: 'code',
      client_id: 'ifo-citizen',
      redirect_uri: `${origin}/auth/callback/citizen`,
      code_challenge_method: 'S256',
      scope: 'openid',
    });
    expect(p.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.state.length).toBeGreaterThanOrEqual(32);
    expect(p.nonce.length).toBeGreaterThanOrEqual(32);
    expect(p).not.toHaveProperty('code_verifier');
    // The sign-in under way is bound to this browser by a short-lived HttpOnly cookie that can come back with the provider's redirect.
    const login = res.setCookies.find((c) => c.name === 'ifo_login')!;
    expect(login.attributes).toHaveProperty('httponly');
    expect(login.attributes.samesite).toBe('Lax');
    expect(login.attributes.path).toBe('/auth/callback/');
    expect(Number(login.attributes['max-age'])).toBeLessThanOrEqual(600);
    const pending = await t.em().findOneOrFail(OidcLogin, { idHash: hashSecret(login.value) });
    expect(pending).toMatchObject({ app: 'citizen', state: p.state, nonce: p.nonce, returnTo: '/meddelanden' });
  });

  test('sign-in, then GraphQL with only the session cookie; the sign-in under way is used up', async () => {
    const browser = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(browser, 'citizen', '/meddelanden');
    const loginCookie = browser.cookie(origin, 'ifo_login')!;
    const res = await callback(browser, await signInAtProvider(browser, authorizationUrl, DEMO.tolvan));
    expect(res.status).toBe(303);
    expect(res.location).toBe('/meddelanden');
    const cookie = res.setCookies.find((c) => c.name === COOKIE)!;
    expect(cookie.attributes).toHaveProperty('httponly');
    expect(cookie.attributes.samesite).toBe('Strict');
    expect(cookie.attributes.path).toBe('/');
    expect(res.setCookies.find((c) => c.name === 'ifo_login')?.value).toBe('');
    expect((await graphql(browser, '{ me { name } }')).json()).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
    expect((await browser.fetch(`${origin}/auth/session`)).json()).toMatchObject({
      signedIn: true,
      kind: 'citizen',
      name: 'Tolvan Tolvansson',
    });
    expect(await t.em().count(OidcLogin, { idHash: hashSecret(loginCookie) })).toBe(0);
  });

  test('the relation Josefine signs in as herself', async () => {
    const { browser } = await signIn('citizen', DEMO.relation);
    expect((await graphql(browser, '{ me { name } }')).json()).toEqual({ data: { me: { name: 'Josefine Test Ek' } } });
  });
});

describe("OI2 staff sign in at the municipality's issuer", () => {
  test('staffMe with only the cookie; lands on /staff/ by default', async () => {
    const { browser, res } = await signIn('staff', DEMO.caseworker);
    expect(res.location).toBe('/staff/');
    expect((await graphql(browser, '{ staffMe { name } }')).json()).toEqual({
      data: { staffMe: { name: 'Marita Aronsson' } },
    });
  });
});

describe('OI3 sign-out ends the session server-side', () => {
  test('the old cookie answers 401 afterwards', async () => {
    const { browser } = await signIn('citizen', DEMO.tolvan);
    const old = browser.cookie(origin, COOKIE)!;
    const out = await browser.fetch(`${origin}/auth/logout`, { method: 'POST', headers: FORM, body: '', from: origin });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/');
    const replay = new CookieBrowser();
    replay.setCookie(origin, COOKIE, old);
    const r = await graphql(replay, '{ me { name } }');
    expect(r.status).toBe(401);
    expect(r.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('OI4 an expired session', () => {
  test('idle or past its absolute limit: 401 UNAUTHENTICATED telling the person to sign in again', async () => {
    for (const change of [
      { lastSeenAt: new Date(Date.now() - 31 * 60_000) },
      { expiresAt: new Date(Date.now() - 1) },
    ]) {
      const { browser } = await signIn('citizen', DEMO.tolvan);
      await t.em().nativeUpdate(BrowserSession, { idHash: hashSecret(browser.cookie(origin, COOKIE)!) }, change);
      const r = await graphql(browser, '{ me { name } }');
      expect(r.status).toBe(401);
      expect(r.json().errors[0].message).toMatch(/Sign in again/);
    }
  });
});

describe('OI5 accounts that may not use the e-service', () => {
  test('a disabled staff account: its session ends at once, and signing in again lands on ?fel=ACCOUNT_DISABLED', async () => {
    const anna = (await signIn('staff', DEMO.secondCaseworker)).browser;
    expect((await graphql(anna, '{ staffMe { name } }')).status).toBe(200);
    // The administrator disables the account, signed in through the same provider.
    const admin = (await signIn('staff', DEMO.admin)).browser;
    const annaId = (await t.em().findOneOrFail(Staff, { username: DEMO.secondCaseworker })).id;
    const disable = await graphql(
      admin,
      'mutation($id: ID!) { updateStaff(id: $id, input: { active: false }) { active } }',
      { id: annaId },
    );
    expect(disable.json()).toEqual({ data: { updateStaff: { active: false } } });
    expect((await graphql(anna, '{ staffMe { name } }')).status).toBe(401);
    const again = await signIn('staff', DEMO.secondCaseworker, '/staff/inkorg');
    expect(again.res.location).toBe('/staff/inkorg?fel=ACCOUNT_DISABLED');
    expect(again.res.setCookies.find((c) => c.name === COOKIE && c.value)).toBeUndefined();
  });

  test('a citizen the e-service is not activated for lands on ?fel=E_SERVICE_NOT_ACTIVATED without a session', async () => {
    const { res } = await signIn('citizen', DEMO.otherUnitPerson, '/');
    expect(res.location).toBe('/?fel=E_SERVICE_NOT_ACTIVATED');
    expect(res.setCookies.find((c) => c.name === COOKIE && c.value)).toBeUndefined();
  });

  test('cancelling at the provider lands on ?fel=SIGN_IN_CANCELLED', async () => {
    const browser = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(browser, 'citizen', '/meddelanden');
    const res = await callback(browser, await signInAtProvider(browser, authorizationUrl, 'cancel'));
    expect(res.location).toBe('/meddelanden?fel=SIGN_IN_CANCELLED');
  });
});

describe('OI6 a sign-in finishes only once, in the browser that started it', () => {
  test('a callback URL carried to another browser (login CSRF) does not sign that browser in', async () => {
    const attacker = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(attacker, 'citizen');
    const url = await signInAtProvider(attacker, authorizationUrl, DEMO.tolvan);
    const victim = new CookieBrowser();
    const res = await callback(victim, url);
    expect(res.location).toBe('/?fel=SIGN_IN_FAILED');
    expect(res.setCookies.find((c) => c.name === COOKIE && c.value)).toBeUndefined();
  });

  test('a replayed callback, or one with another state, is refused', async () => {
    const browser = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(browser, 'citizen');
    const url = await signInAtProvider(browser, authorizationUrl, DEMO.tolvan);
    const login = browser.cookie(origin, 'ifo_login')!;
    const tampered = new URL(url);
    tampered.searchParams.set('state', 'x'.repeat(43));
    expect((await callback(browser, tampered.toString())).location).toBe('/?fel=SIGN_IN_FAILED');
    // The attempt was used up by the tampered call; the genuine URL with the same login cookie fails too.
    browser.setCookie(origin, 'ifo_login', login, '/auth/callback/');
    const replay = await callback(browser, url);
    expect(replay.location).toBe('/?fel=SIGN_IN_FAILED');
    expect(replay.setCookies.find((c) => c.name === COOKIE && c.value)).toBeUndefined();
  });

  test("the code is exchanged with this sign-in's PKCE verifier: another verifier gets no session", async () => {
    const browser = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(browser, 'citizen');
    const url = await signInAtProvider(browser, authorizationUrl, DEMO.tolvan);
    await t
      .em()
      .nativeUpdate(
        OidcLogin,
        { idHash: hashSecret(browser.cookie(origin, 'ifo_login')!) },
        { codeVerifier: 'A'.repeat(43) },
      );
    const res = await callback(browser, url);
    expect(res.location).toBe('/?fel=SIGN_IN_FAILED');
    expect(res.setCookies.find((c) => c.name === COOKIE && c.value)).toBeUndefined();
  });

  test('a callback for the other app does not finish this sign-in', async () => {
    const browser = new CookieBrowser();
    const { authorizationUrl } = await startSignIn(browser, 'citizen');
    const url = new URL(await signInAtProvider(browser, authorizationUrl, DEMO.tolvan));
    url.pathname = '/auth/callback/staff';
    expect((await callback(browser, url.toString())).location).toBe('/staff/?fel=SIGN_IN_FAILED');
  });
});

describe('OI8 an issuer that cannot be reached', () => {
  test('starting a sign-in lands on ?fel=SIGN_IN_FAILED (and the log), not an error page', async () => {
    const deadPort = await freePort();
    const other = await startTestServer(
      {
        AUTH_MODE: 'oidc',
        AUTH_CITIZEN_ISSUER: `http://127.0.0.1:${deadPort}`,
        AUTH_CITIZEN_JWKS_URL: `http://127.0.0.1:${deadPort}/jwks`,
        AUTH_CITIZEN_CLIENT_ID: 'ifo-citizen',
        AUTH_STAFF_ISSUER: op.issuer,
        AUTH_STAFF_JWKS_URL: op.jwksUrl,
      },
      { databaseUrl: t.orm.config.get('clientUrl') as string },
    );
    const logged: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array, ...rest: any[]) => {
        if (String(chunk).includes('starting a browser sign-in failed')) return logged.push(String(chunk)) > 0;
        return write(chunk, ...rest);
      });
    try {
      const res = await fetch(`${new URL(other.url).origin}/auth/login?app=citizen&returnTo=/meddelanden`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/meddelanden?fel=SIGN_IN_FAILED');
      expect(res.headers.getSetCookie()).toHaveLength(0);
      expect(logged).toHaveLength(1);
    } finally {
      stderr.mockRestore();
      await other.server.close();
      await other.runtime.close();
      await other.orm.close();
    }
  });
});

describe('OI7 with AUTH_MODE=oidc there is no development sign-in', () => {
  test('/auth/dev answers 404', async () => {
    expect((await fetch(`${origin}/auth/dev?app=citizen`)).status).toBe(404);
    expect(
      (
        await fetch(`${origin}/auth/dev`, {
          method: 'POST',
          headers: { ...FORM, origin },
          body: `kind=citizen&personnummer=${DEMO.tolvan}`,
        })
      ).status,
    ).toBe(404);
  });
});
