import { hashSecret, SessionStore } from '../../src/auth/session';
import { DEMO } from '../../src/db/demo-data';
import { BrowserSession } from '../../src/entities/browser-session';
import { Person } from '../../src/entities/person';
import { Staff } from '../../src/entities/staff';
import { Attachment } from '../../src/entities/attachment';
import { CookieBrowser, FORM, formBody } from '../testkit/browser';
import { makePdf } from '../testkit/files';
import { openRawSocket, type RawSocket } from '../testkit/ws';
import { startTestServer, type TestServer } from '../testkit/server';
import { demoWorld, type DemoWorld } from '../testkit/world';

/**
 * Browser sign-in, backend-for-frontend (BS1–BS10): the development sign-in,
 * the session cookie and its flags, the cookie on GraphQL over HTTP, CSRF
 * refusals, sign-out, idle and absolute expiry, disabled accounts. The OIDC
 * flow against a real provider is in oidc-bff.test.ts.
 */
let w: DemoWorld;
let t: TestServer;
let origin: string;
const COOKIE = 'ifo_session';
const ME = JSON.stringify({ query: '{ me { name } }' });
const STAFF_ME = JSON.stringify({ query: '{ staffMe { name } }' });
const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  w = await demoWorld();
  t = w.t;
  origin = new URL(t.url).origin;
});
afterAll(() => w.close());

/** Signs in through the development page as a browser does: a same-origin form POST. */
async function devSignIn(fields: Record<string, string>, browser = new CookieBrowser()) {
  const res = await browser.fetch(`${origin}/auth/dev`, {
    method: 'POST',
    headers: FORM,
    body: formBody(fields),
    from: origin,
  });
  return { browser, res };
}
const asTolvan = () => devSignIn({ kind: 'citizen', personnummer: DEMO.tolvan, returnTo: '/meddelanden' });
const asMarita = () => devSignIn({ kind: 'staff', username: DEMO.caseworker });

/** A GraphQL POST from the app's own page with whatever cookie the browser holds. */
const graphql = (
  browser: CookieBrowser,
  body: string,
  headers: Record<string, string> = JSON_TYPE,
  from: string | null = origin,
) => browser.fetch(t.url, { method: 'POST', headers, body, from });

describe('BS1 the development sign-in page lists the demo people (AUTH_MODE=dev only)', () => {
  test('citizens, one submit button per person, in Swedish, without inline script or style', async () => {
    const res = await new CookieBrowser().fetch(`${origin}/auth/dev?app=citizen&returnTo=/meddelanden`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html lang="sv">/);
    expect(res.text).toMatch(/<title>[^<]+<\/title>/);
    expect(res.text).toMatch(/<main>[\s\S]*<h1>Logga in som medborgare<\/h1>/);
    for (const name of ['Tolvan Tolvansson', 'Josefine Test Ek'])
      expect(res.text).toContain(`>Logga in som ${name}</button>`);
    expect(res.text).toContain(`name="personnummer" value="${DEMO.tolvan}"`);
    expect(res.text).toContain('name="returnTo" value="/meddelanden"');
    expect(res.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(res.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; style-src 'self'; form-action 'self'/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  test('/auth/login, the one address the UIs send a person to, leads to this page in development', async () => {
    const res = await new CookieBrowser().fetch(
      `${origin}/auth/login?app=staff&returnTo=${encodeURIComponent('/staff/inkorg?x=1')}`,
    );
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/auth/dev?app=staff&returnTo=${encodeURIComponent('/staff/inkorg?x=1')}`);
    const evil = await new CookieBrowser().fetch(`${origin}/auth/login?returnTo=//evil.example`);
    expect(evil.location).toBe('/auth/dev?app=citizen&returnTo=%2F');
  });

  test('staff for app=staff', async () => {
    const res = await new CookieBrowser().fetch(`${origin}/auth/dev?app=staff`);
    expect(res.text).toContain('>Logga in som Marita Aronsson</button>');
    expect(res.text).toContain(`name="username" value="${DEMO.caseworker}"`);
    expect(res.text).not.toContain('Tolvan');
    // The default place to land for staff.
    expect(res.text).toContain('name="returnTo" value="/staff/"');
  });
});

describe('BS2 signing in sets an HttpOnly, SameSite=Strict session cookie and lands on returnTo', () => {
  test('303 to returnTo with the cookie flags; only a hash of the id is stored', async () => {
    const { res, browser } = await asTolvan();
    expect(res.status).toBe(303);
    expect(res.location).toBe('/meddelanden');
    const cookie = res.setCookies.find((c) => c.name === COOKIE)!;
    expect(cookie).toBeDefined();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toHaveProperty('httponly');
    expect(cookie.attributes.samesite).toBe('Strict');
    expect(cookie.attributes.path).toBe('/');
    // Development over plain http: not Secure (so no __Host- prefix either).
    expect(cookie.attributes).not.toHaveProperty('secure');
    const rows = await t.em().find(BrowserSession, {});
    expect(rows.map((r) => r.idHash)).toContain(hashSecret(browser.cookie(origin, COOKIE)!));
    expect(rows.map((r) => r.idHash)).not.toContain(browser.cookie(origin, COOKIE));
  });

  test('GraphQL with only the cookie and a JSON body works, for citizens and staff', async () => {
    const { browser } = await asTolvan();
    const r = await graphql(browser, ME);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ data: { me: { name: 'Tolvan Tolvansson' } } });
    const staff = (await asMarita()).browser;
    expect((await graphql(staff, STAFF_ME)).json()).toEqual({ data: { staffMe: { name: 'Marita Aronsson' } } });
  });

  test('GET /auth/session says who is signed in and until when, never a token; no-store', async () => {
    const { browser } = await asTolvan();
    const res = await browser.fetch(`${origin}/auth/session`, { from: origin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      signedIn: true,
      kind: 'citizen',
      name: 'Tolvan Tolvansson',
      idleExpiresAt: expect.any(String),
      absoluteExpiresAt: expect.any(String),
    });
    const idle = Date.parse(body.idleExpiresAt) - Date.now();
    const absolute = Date.parse(body.absoluteExpiresAt) - Date.now();
    expect(idle).toBeGreaterThan(29 * 60_000);
    expect(idle).toBeLessThanOrEqual(30 * 60_000);
    expect(absolute).toBeGreaterThan(11.9 * 3_600_000);
    expect(res.text).not.toContain(browser.cookie(origin, COOKIE)!);
    expect((await new CookieBrowser().fetch(`${origin}/auth/session`)).json()).toEqual({ signedIn: false });
  });

  test('a returnTo that leaves the site is replaced by the start page', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const { res } = await devSignIn({ kind: 'citizen', personnummer: DEMO.tolvan, returnTo });
      expect(res.location).toBe('/');
    }
    const { res } = await devSignIn({ kind: 'staff', username: DEMO.caseworker, returnTo: 'https://evil.example/' });
    expect(res.location).toBe('/staff/');
  });

  test('signing in again ends the session the browser had (no session fixation)', async () => {
    const { browser } = await asTolvan();
    const first = browser.cookie(origin, COOKIE)!;
    await devSignIn({ kind: 'citizen', personnummer: DEMO.relation }, browser);
    expect(browser.cookie(origin, COOKIE)).not.toBe(first);
    expect(await t.em().count(BrowserSession, { idHash: hashSecret(first) })).toBe(0);
    expect((await graphql(browser, ME)).json()).toEqual({ data: { me: { name: 'Josefine Test Ek' } } });
  });

  test('a citizen without the e-service, or a person not registered, lands on returnTo?fel=E_SERVICE_NOT_ACTIVATED without a session', async () => {
    for (const personnummer of [DEMO.otherUnitPerson, '199001012384']) {
      const { res } = await devSignIn({ kind: 'citizen', personnummer, returnTo: '/meddelanden?x=1' });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/meddelanden?x=1&fel=E_SERVICE_NOT_ACTIVATED');
      expect(res.setCookies.find((c) => c.name === COOKIE)).toBeUndefined();
    }
    const { res } = await devSignIn({ kind: 'staff', username: 'nobody01' });
    expect(res.location).toBe('/staff/?fel=ACCOUNT_DISABLED');
  });
});

describe('BS3 cross-site requests cannot use or create a session', () => {
  test('a form-encoded cross-site POST to /graphql with the cookie is refused (Apollo CSRF prevention)', async () => {
    const { browser } = await asTolvan();
    const mutation = 'mutation { updateMyContactDetails(input: { mobile: "+46700000000" }) { mobile } }';
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', formBody({ query: mutation })],
      ['text/plain', JSON.stringify({ query: mutation })],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${mutation}\r\n--x--\r\n`,
      ],
    ]) {
      // As an older browser sends it: a foreign Origin but no Sec-Fetch-Site, so the cookie would count.
      const res = await graphql(browser, body, { 'content-type': type, origin: 'https://evil.example' }, null);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/CSRF/);
    }
    expect((await t.em().findOneOrFail(Person, { personnummer: DEMO.tolvan })).mobile).toBe('+46701234567');
  });

  test('the cookie on a request a browser marks cross-site or same-site counts for nothing (401)', async () => {
    const { browser } = await asTolvan();
    for (const site of ['cross-site', 'same-site']) {
      const res = await graphql(browser, ME, { ...JSON_TYPE, 'sec-fetch-site': site }, null);
      expect(res.status).toBe(401);
      expect(res.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  test('POST /auth/dev from a foreign Origin, without an Origin, or marked cross-site is refused with 403 and no cookie', async () => {
    const body = formBody({ kind: 'citizen', personnummer: DEMO.tolvan });
    const attempts: { headers: Record<string, string>; from?: string | null }[] = [
      { headers: FORM, from: 'https://evil.example' },
      { headers: { ...FORM, origin: 'null' }, from: null },
      { headers: FORM, from: null },
      { headers: { ...FORM, origin, 'sec-fetch-site': 'cross-site' }, from: null },
      { headers: { ...FORM, origin: `${origin}.evil.example` }, from: null },
    ];
    for (const a of attempts) {
      const res = await new CookieBrowser().fetch(`${origin}/auth/dev`, { method: 'POST', body, ...a });
      expect(res.status).toBe(403);
      expect(res.json().errors[0].extensions.code).toBe('FORBIDDEN');
      expect(res.setCookies).toHaveLength(0);
    }
  });
});

describe('BS4 signing out ends the session server-side', () => {
  test('form POST: 303 to the start page, cookie cleared, and the old cookie no longer works', async () => {
    const { browser } = await asTolvan();
    const old = browser.cookie(origin, COOKIE)!;
    const res = await browser.fetch(`${origin}/auth/logout`, { method: 'POST', headers: FORM, body: '', from: origin });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/');
    expect(res.setCookies.find((c) => c.name === COOKIE)?.value).toBe('');
    const replay = new CookieBrowser();
    replay.setCookie(origin, COOKIE, old);
    const r = await graphql(replay, ME);
    expect(r.status).toBe(401);
    expect(r.json().errors[0]).toEqual({
      message: expect.stringMatching(/Sign in again/),
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  test('staff land on /staff/; a JSON fetch gets 204', async () => {
    const staff = (await asMarita()).browser;
    const res = await staff.fetch(`${origin}/auth/logout?app=staff`, {
      method: 'POST',
      headers: FORM,
      body: '',
      from: origin,
    });
    expect(res.location).toBe('/staff/');
    const { browser } = await asTolvan();
    const json = await browser.fetch(`${origin}/auth/logout`, {
      method: 'POST',
      headers: JSON_TYPE,
      body: '{}',
      from: origin,
    });
    expect(json.status).toBe(204);
    expect((await graphql(browser, ME)).status).toBe(401);
  });

  test('a cross-site logout is refused and the session lives on', async () => {
    const { browser } = await asTolvan();
    const res = await browser.fetch(`${origin}/auth/logout`, {
      method: 'POST',
      headers: FORM,
      body: '',
      from: 'https://evil.example',
    });
    expect(res.status).toBe(403);
    expect((await graphql(browser, ME)).status).toBe(200);
  });
});

describe('BS5 sessions expire: idle and absolute limits', () => {
  const sessionRow = (browser: CookieBrowser) => ({ idHash: hashSecret(browser.cookie(origin, COOKIE)!) });

  test('idle too long: 401, and /auth/session says signed out', async () => {
    const { browser } = await asTolvan();
    const row = sessionRow(browser);
    await t.em().nativeUpdate(BrowserSession, row, { lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    const r = await graphql(browser, ME);
    expect(r.status).toBe(401);
    expect(r.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(await t.em().count(BrowserSession, row)).toBe(0);
    const session = await browser.fetch(`${origin}/auth/session`);
    expect(session.json()).toEqual({ signedIn: false });
    // The browser is told to drop the dead cookie.
    expect(session.setCookies.find((c) => c.name === COOKIE)?.value).toBe('');
  });

  test('past the absolute limit: 401 however active', async () => {
    const { browser } = await asTolvan();
    await t.em().nativeUpdate(BrowserSession, sessionRow(browser), { expiresAt: new Date(Date.now() - 1000) });
    expect((await graphql(browser, ME)).status).toBe(401);
  });

  test('activity slides the idle limit, writing at most once a minute', async () => {
    const { browser } = await asTolvan();
    const before = new Date(Date.now() - 20 * 60_000);
    await t.em().nativeUpdate(BrowserSession, sessionRow(browser), { lastSeenAt: before });
    expect((await graphql(browser, ME)).status).toBe(200);
    const touched = (await t.em().findOneOrFail(BrowserSession, sessionRow(browser))).lastSeenAt;
    expect(touched.getTime()).toBeGreaterThan(Date.now() - 5000);
    t.sql.reset();
    expect((await graphql(browser, ME)).status).toBe(200);
    expect(t.sql.statements.filter((s) => /update "browser_session"/.test(s))).toHaveLength(0);
    // The session and its account in one statement, as cheap as a bearer token's account lookup.
    const sessionReads = t.sql.statements.filter((s) => /\[query\]/.test(s) && /"browser_session"/.test(s));
    expect(sessionReads).toHaveLength(1);
    expect(sessionReads[0]).toMatch(/join "person"/);
  });

  test('tiny configured limits end a session by themselves', async () => {
    const short = await startTestServer(
      { SESSION_IDLE_MINUTES: '0.02', SESSION_ABSOLUTE_HOURS: '1' },
      { databaseUrl: t.orm.config.get('clientUrl') as string },
    );
    try {
      const shortOrigin = new URL(short.url).origin;
      const browser = new CookieBrowser();
      await browser.fetch(`${shortOrigin}/auth/dev`, {
        method: 'POST',
        headers: FORM,
        body: formBody({ kind: 'citizen', personnummer: DEMO.tolvan }),
        from: shortOrigin,
      });
      const ask = () => browser.fetch(short.url, { method: 'POST', headers: JSON_TYPE, body: ME, from: shortOrigin });
      expect((await ask()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await ask()).status).toBe(401);
    } finally {
      await short.server.close();
      await short.runtime.close();
      await short.orm.close();
    }
  });
});

describe("BS6 a disabled staff account's sessions end at once", () => {
  test('updateStaff(active: false) deletes the sessions in the same transaction; the cookie answers 401', async () => {
    const { browser } = await devSignIn({ kind: 'staff', username: DEMO.secondCaseworker });
    expect((await graphql(browser, STAFF_ME)).status).toBe(200);
    const anna = await t.em().findOneOrFail(Staff, { username: DEMO.secondCaseworker });
    const admin = await t.token.staff(DEMO.admin);
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${admin}` },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { updateStaff(id: $id, input: { active: false }) { active } }',
        variables: { id: anna.id },
      }),
    });
    expect(await res.json()).toEqual({ data: { updateStaff: { active: false } } });
    expect(await t.em().count(BrowserSession, { staff: anna.id })).toBe(0);
    const r = await graphql(browser, STAFF_ME);
    expect(r.status).toBe(401);
    // Nor can the account sign in again.
    const again = await devSignIn({ kind: 'staff', username: DEMO.secondCaseworker });
    expect(again.res.location).toBe('/staff/?fel=ACCOUNT_DISABLED');
  });

  test("a session whose account was disabled behind the service's back (a direct database change) is refused per request", async () => {
    const { browser } = await devSignIn({ kind: 'staff', username: DEMO.executor });
    await t.em().nativeUpdate(Staff, { username: DEMO.executor }, { active: false });
    try {
      expect((await graphql(browser, STAFF_ME)).status).toBe(401);
      expect((await browser.fetch(`${origin}/auth/session`)).json()).toEqual({ signedIn: false });
    } finally {
      await t.em().nativeUpdate(Staff, { username: DEMO.executor }, { active: true });
    }
  });
});

describe('BS7b behind https the cookie is Secure and __Host- prefixed', () => {
  test('__Host-ifo_session; Secure, HttpOnly, SameSite=Strict, Path=/, no Domain', async () => {
    const https = await startTestServer(
      { PUBLIC_URL: 'https://meddelande.kommun.example' },
      { databaseUrl: t.orm.config.get('clientUrl') as string },
    );
    try {
      const httpsOrigin = new URL(https.url).origin;
      const res = await new CookieBrowser().fetch(`${httpsOrigin}/auth/dev`, {
        method: 'POST',
        headers: FORM,
        body: formBody({ kind: 'citizen', personnummer: DEMO.tolvan }),
        from: httpsOrigin,
      });
      const cookie = res.setCookies.find((c) => c.name === '__Host-ifo_session')!;
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.attributes).toHaveProperty('secure');
      expect(cookie.attributes).toHaveProperty('httponly');
      expect(cookie.attributes).not.toHaveProperty('domain');
      expect(cookie.attributes.samesite).toBe('Strict');
      expect(cookie.attributes.path).toBe('/');
      expect(res.setCookies.find((c) => c.name === COOKIE)).toBeUndefined();
      // The un-prefixed name means nothing there.
      const plain = await fetch(https.url, {
        method: 'POST',
        headers: { ...JSON_TYPE, cookie: `${COOKIE}=${cookie.value}` },
        body: ME,
      });
      expect(plain.status).toBe(401);
      const prefixed = await fetch(https.url, {
        method: 'POST',
        headers: { ...JSON_TYPE, cookie: `__Host-ifo_session=${cookie.value}` },
        body: ME,
      });
      expect(prefixed.status).toBe(200);
    } finally {
      await https.server.close();
      await https.runtime.close();
      await https.orm.close();
    }
  });
});

describe('BS7 in production the development sign-in does not exist', () => {
  test('/auth/dev answers 404; /auth/session is there', async () => {
    const prod = await startTestServer(
      {
        NODE_ENV: 'production',
        AUTH_MODE: 'oidc',
        AUTH_STAFF_ISSUER: 'https://idp.kommun.example/',
        AUTH_STAFF_JWKS_URL: 'https://idp.kommun.example/jwks',
        AUTH_CITIZEN_ISSUER: 'https://eid-broker.example/',
        AUTH_CITIZEN_JWKS_URL: 'https://eid-broker.example/jwks',
        SMTP_URL: 'smtp://127.0.0.1:1',
        SMS_API_URL: 'http://127.0.0.1:1/sms',
        SMS_API_KEY: 'k',
      },
      { databaseUrl: t.orm.config.get('clientUrl') as string },
    );
    try {
      const prodOrigin = new URL(prod.url).origin;
      expect((await fetch(`${prodOrigin}/auth/dev?app=citizen`)).status).toBe(404);
      const post = await fetch(`${prodOrigin}/auth/dev`, {
        method: 'POST',
        headers: { ...FORM, origin: prodOrigin },
        body: formBody({ kind: 'citizen', personnummer: DEMO.tolvan }),
        redirect: 'manual',
      });
      expect(post.status).toBe(404);
      expect(post.headers.getSetCookie()).toHaveLength(0);
      expect(await (await fetch(`${prodOrigin}/auth/session`)).json()).toEqual({ signedIn: false });
      // No client configured at the issuer (AUTH_CITIZEN_CLIENT_ID): no browser sign-in, said plainly.
      const login = await fetch(`${prodOrigin}/auth/login?app=citizen`, { redirect: 'manual' });
      expect(login.status).toBe(404);
    } finally {
      await prod.server.close();
      await prod.runtime.close();
      await prod.orm.close();
    }
  });
});

describe("BS8 file routes take the session cookie too; an upload only from the e-service's own pages", () => {
  const PDF = { 'content-type': 'application/pdf' };

  test('a citizen uploads a PDF and downloads it with only the cookie', async () => {
    const { browser } = await asTolvan();
    const pdf = await makePdf('Intyg');
    const up = await browser.fetch(`${origin}/uploads?filename=intyg.pdf`, {
      method: 'POST',
      headers: PDF,
      body: pdf,
      from: origin,
    });
    expect(up.status).toBe(201);
    const { id } = up.json();
    const down = await browser.fetch(`${origin}/attachments/${id}`, { from: origin });
    expect(down.status).toBe(200);
    expect(down.headers.get('content-type')).toBe('application/pdf');
    expect(down.bytes.equals(pdf)).toBe(true);
    // Without the cookie, or with it on a request the browser marks cross-site: 401.
    expect((await new CookieBrowser().fetch(`${origin}/attachments/${id}`)).status).toBe(401);
    expect(
      (await browser.fetch(`${origin}/attachments/${id}`, { headers: { 'sec-fetch-site': 'cross-site' } })).status,
    ).toBe(401);
  });

  test('an upload with the cookie from a foreign Origin, or none, is refused with 403 and stores nothing', async () => {
    const { browser } = await asTolvan();
    const pdf = await makePdf('Falsk');
    const before = await t.em().count(Attachment, {});
    for (const headers of [{ ...PDF, origin: 'https://evil.example' }, PDF]) {
      const res = await browser.fetch(`${origin}/uploads?filename=x.pdf`, { method: 'POST', headers, body: pdf });
      expect(res.status).toBe(403);
      expect(res.json().errors[0].extensions.code).toBe('FORBIDDEN');
    }
    expect(await t.em().count(Attachment, {})).toBe(before);
  });
});

describe('BS9 housekeeping removes ended sessions', () => {
  test('rows past the idle or absolute limit go; live ones stay', async () => {
    const [idle, old, live] = [(await asTolvan()).browser, (await asTolvan()).browser, (await asTolvan()).browser];
    const row = (b: CookieBrowser) => ({ idHash: hashSecret(b.cookie(origin, COOKIE)!) });
    await t.em().nativeUpdate(BrowserSession, row(idle), { lastSeenAt: new Date(Date.now() - 31 * 60_000) });
    await t.em().nativeUpdate(BrowserSession, row(old), { expiresAt: new Date(Date.now() - 1) });
    expect(await new SessionStore(t.config.session).purgeExpired(t.em())).toBeGreaterThanOrEqual(2);
    expect(await t.em().count(BrowserSession, { $or: [row(idle), row(old)] })).toBe(0);
    expect(await t.em().count(BrowserSession, row(live))).toBe(1);
  });
});

describe("BS10 the websocket takes the cookie only from the server's own pages (no cross-site websocket hijacking)", () => {
  /** Opens a socket as a page at `pageOrigin` would, with the browser's cookie, and sends connection_init without a token. */
  async function socketFrom(browser: CookieBrowser, pageOrigin?: string): Promise<RawSocket> {
    const headers: Record<string, string> = { cookie: `${COOKIE}=${browser.cookie(origin, COOKIE)}` };
    if (pageOrigin) headers.origin = pageOrigin;
    const s = await openRawSocket(t.wsUrl, { headers });
    s.send({ type: 'connection_init', payload: {} });
    return s;
  }
  const askMe = async (s: RawSocket, id = '1') => {
    s.send({ id, type: 'subscribe', payload: { query: '{ me { name } }' } });
    return s.next();
  };

  test('the cookie with our own Origin: acknowledged, and operations run as the signed-in person', async () => {
    const { browser } = await asTolvan();
    const s = await socketFrom(browser, origin);
    expect((await s.next()).type).toBe('connection_ack');
    expect(await askMe(s)).toEqual({ id: '1', type: 'next', payload: { data: { me: { name: 'Tolvan Tolvansson' } } } });
    s.close();
  });

  test('the cookie from a foreign Origin, or without an Origin, is refused with 4403', async () => {
    const { browser } = await asTolvan();
    for (const pageOrigin of ['https://evil.example', `${origin}.evil.example`, 'null', undefined]) {
      const s = await socketFrom(browser, pageOrigin);
      expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
    }
  });

  test('a bearer token in connection_init still works from any Origin (third parties, scripts)', async () => {
    const s = await openRawSocket(t.wsUrl, { headers: { origin: 'https://partner.example' } });
    s.send({ type: 'connection_init', payload: { authorization: `Bearer ${await t.token.citizen(DEMO.tolvan)}` } });
    expect((await s.next()).type).toBe('connection_ack');
    s.close();
  });

  test("signing out closes the session's sockets at once with 4403", async () => {
    const { browser } = await asTolvan();
    const s = await socketFrom(browser, origin);
    expect((await s.next()).type).toBe('connection_ack');
    await browser.fetch(`${origin}/auth/logout`, { method: 'POST', headers: JSON_TYPE, body: '{}', from: origin });
    expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  test('a session that expired closes the socket at its next operation, like an expired token', async () => {
    const { browser } = await asTolvan();
    const s = await socketFrom(browser, origin);
    expect((await s.next()).type).toBe('connection_ack');
    await t
      .em()
      .nativeUpdate(
        BrowserSession,
        { idHash: hashSecret(browser.cookie(origin, COOKIE)!) },
        { lastSeenAt: new Date(Date.now() - 31 * 60_000) },
      );
    s.send({ id: '1', type: 'subscribe', payload: { query: '{ me { name } }' } });
    expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  test('an ended session cannot open a socket', async () => {
    const { browser } = await asTolvan();
    const cookie = browser.cookie(origin, COOKIE)!;
    await browser.fetch(`${origin}/auth/logout`, { method: 'POST', headers: JSON_TYPE, body: '{}', from: origin });
    browser.setCookie(origin, COOKIE, cookie);
    const s = await socketFrom(browser, origin);
    expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });

  test('disabling a staff account closes its cookie sockets at once', async () => {
    const { browser } = await devSignIn({ kind: 'staff', username: DEMO.otherUnitCaseworker });
    const s = await socketFrom(browser, origin);
    expect((await s.next()).type).toBe('connection_ack');
    const bo = await t.em().findOneOrFail(Staff, { username: DEMO.otherUnitCaseworker });
    const res = await fetch(t.url, {
      method: 'POST',
      headers: { ...JSON_TYPE, authorization: `Bearer ${await t.token.staff(DEMO.admin)}` },
      body: JSON.stringify({
        query: 'mutation($id: ID!) { updateStaff(id: $id, input: { active: false }) { active } }',
        variables: { id: bo.id },
      }),
    });
    expect(((await res.json()) as { data: { updateStaff: { active: boolean } } }).data.updateStaff.active).toBe(false);
    expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
  });
});
