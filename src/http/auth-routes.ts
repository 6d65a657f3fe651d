import express, { type Request, type Response, type Router } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { readCookie, isSameOriginWrite } from '../auth/request-credential';
import { sessionCookieName, type SessionStore } from '../auth/session';
import { SignInError, type App, LOGIN_TTL_MS, type OidcRelyingParty } from '../auth/oidc';
import type { Principal } from '../auth/tokens';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { DEMO } from '../db/demo-data';
import { Person } from '../entities/person';
import { Staff, StaffRole } from '../entities/staff';
import { AppError, ErrorCode } from '../errors';
import { log } from '../log';
import { sendJsonError } from './json-errors';
import type { NoticeBus } from '../subscriptions/bus';

/**
 * Why a sign-in ended without a session, as `?fel=` on the page the person
 * wanted (the UI shows a Swedish text for each):
 * - E_SERVICE_NOT_ACTIVATED: the citizen is not registered, or the e-service is not activated for them;
 * - ACCOUNT_DISABLED: the staff account is not registered in the e-service, or disabled;
 * - SIGN_IN_CANCELLED: the person cancelled at the identity provider;
 * - SIGN_IN_FAILED: anything else (an old or foreign sign-in attempt, the provider failed).
 */
export type SignInFailure = 'E_SERVICE_NOT_ACTIVATED' | 'ACCOUNT_DISABLED' | 'SIGN_IN_CANCELLED' | 'SIGN_IN_FAILED';

const LOGIN_COOKIE = 'ifo_login';

const defaultReturnTo = (app: App) => (app === 'staff' ? '/staff/' : '/');

/** Only a path on this server (no scheme, host, `//` or backslash tricks); anything else falls back to the app's start page. */
export function safeReturnTo(value: unknown, app: App): string {
  if (typeof value !== 'string' || value.length > 1000 || !value.startsWith('/') || /[\\\u0000-\u001f]/.test(value))
    return defaultReturnTo(app);
  const base = 'http://return.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return defaultReturnTo(app);
  }
  if (url.origin !== base || value.startsWith('//')) return defaultReturnTo(app);
  return url.pathname + url.search + url.hash;
}

function withFailure(returnTo: string, reason: SignInFailure): string {
  const url = new URL(returnTo, 'http://return.invalid');
  url.searchParams.set('fel', reason);
  return url.pathname + url.search + url.hash;
}

const appParam = (value: unknown): App | undefined => (value === 'citizen' || value === 'staff' ? value : undefined);

function failureOf(err: unknown): SignInFailure | undefined {
  if (err instanceof SignInError) return err.reason;
  if (err instanceof AppError) {
    if (err.extensions.code === ErrorCode.E_SERVICE_NOT_ACTIVATED) return 'E_SERVICE_NOT_ACTIVATED';
    if (err.extensions.code === ErrorCode.UNAUTHENTICATED) return 'ACCOUNT_DISABLED';
  }
  return undefined;
}

const forbiddenCrossSite = (res: Response) =>
  sendJsonError(
    res,
    ErrorCode.FORBIDDEN,
    "This request must come from the e-service's own pages (its Origin was missing or another site).",
  );

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const roleLabel: Record<StaffRole, string> = {
  [StaffRole.CASEWORKER]: 'handläggare',
  [StaffRole.EXECUTOR]: 'utförare',
  [StaffRole.ADMIN]: 'systemförvaltare',
};

const DEV_CSS = `body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.6rem;margin:0 0 .5rem}
ul{list-style:none;padding:0;margin:1rem 0}
li{margin:0 0 .75rem}
button{font:inherit;font-size:1rem;padding:.6rem 1rem;border:2px solid #0b4f8a;border-radius:.3rem;background:#0b4f8a;color:#fff;cursor:pointer;min-height:44px;text-align:left}
button:hover{background:#083a66}
button:focus-visible,a:focus-visible{outline:3px solid #c2410c;outline-offset:2px}
.detail{display:block;color:#404040;font-size:.9rem}
a{color:#0b4f8a}
`;

/**
 * The browser sign-in routes (backend-for-frontend). `/auth/session` and
 * `/auth/logout` always; the development sign-in page only with
 * AUTH_MODE=dev; the OIDC code flow only with AUTH_MODE=oidc.
 */
export function authRoutes(deps: {
  config: Config;
  orm: Orm;
  sessions: SessionStore;
  oidc?: OidcRelyingParty;
  bus?: NoticeBus;
}): Router {
  const { config, sessions } = deps;
  const router = express.Router();
  const cookieName = sessionCookieName(config);
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: config.session.secureCookie, path: '/' };
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  const fork = () => deps.orm.em.fork() as EntityManager;
  /** Ends the browser's session, and tells its websockets (on every instance) to re-check, so they close now. */
  const endSession = async (req: Request) => {
    const ended = await sessions.end(fork(), readCookie(req.headers.cookie, cookieName));
    if (ended) deps.bus?.announceAccountChange(ended);
  };

  router.use('/auth', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  /** Ends any session the browser already has (no session fixation), starts a new one, and sets the cookie. */
  async function signIn(req: Request, res: Response, principal: Principal): Promise<void> {
    const em = fork();
    const viewer = await sessions.account(em, principal);
    await endSession(req);
    const { id } = await sessions.create(em, viewer);
    res.cookie(cookieName, id, cookieOptions);
  }

  router.get('/auth/session', async (req, res, next) => {
    try {
      const id = readCookie(req.headers.cookie, cookieName);
      if (!id) {
        res.json({ signedIn: false });
        return;
      }
      // Asking does not count as activity: the idle limit does not move.
      const found = await sessions.find(fork(), id).catch((err) => {
        if (err instanceof AppError) return undefined;
        throw err;
      });
      if (!found) {
        res.clearCookie(cookieName, cookieOptions);
        res.json({ signedIn: false });
        return;
      }
      const info = sessions.info(found.session);
      res.json({
        signedIn: true,
        kind: info.kind,
        name: info.name,
        idleExpiresAt: info.idleExpiresAt.toISOString(),
        absoluteExpiresAt: info.absoluteExpiresAt.toISOString(),
      });
    } catch (err) {
      next(err);
    }
  });

  router.post('/auth/logout', form, express.json({ limit: '4kb' }), async (req, res, next) => {
    try {
      if (!isSameOriginWrite(req.headers, config)) {
        forbiddenCrossSite(res);
        return;
      }
      await endSession(req);
      res.clearCookie(cookieName, cookieOptions);
      if (req.is('application/json')) {
        res.status(204).end();
        return;
      }
      const app =
        appParam(req.query.app) ?? appParam((req.body as Record<string, unknown> | undefined)?.app) ?? 'citizen';
      res.redirect(303, defaultReturnTo(app));
    } catch (err) {
      next(err);
    }
  });

  if (config.auth.mode === 'dev') {
    // The UIs always send a person to /auth/login; in development that is the page listing the demo people.
    router.get('/auth/login', (req, res) => {
      const app = appParam(req.query.app) ?? 'citizen';
      res.redirect(303, `/auth/dev?${new URLSearchParams({ app, returnTo: safeReturnTo(req.query.returnTo, app) })}`);
    });

    router.get('/auth/dev.css', (_req, res) => {
      res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
      res.send(DEV_CSS);
    });

    router.get('/auth/dev', async (req, res, next) => {
      try {
        const app = appParam(req.query.app) ?? 'citizen';
        const returnTo = safeReturnTo(req.query.returnTo, app);
        const em = fork();
        const people: { field: string; value: string; name: string; detail: string }[] = [];
        if (app === 'citizen') {
          const order: string[] = [DEMO.tolvan, DEMO.relation, DEMO.protectedPerson, DEMO.otherUnitPerson];
          const persons = await em.find(Person, { personnummer: { $in: order } });
          persons.sort((a, b) => order.indexOf(a.personnummer) - order.indexOf(b.personnummer));
          for (const p of persons) {
            const detail = [
              p.personnummer === DEMO.relation ? 'relation, godkänd för meddelanden' : '',
              p.protectedIdentity ? 'skyddad identitet' : '',
              p.messagingEnabled ? '' : 'e-tjänsten är inte aktiverad',
            ]
              .filter(Boolean)
              .join(', ');
            people.push({
              field: 'personnummer',
              value: p.personnummer,
              name: p.name,
              detail: `${p.personnummer}${detail ? ` – ${detail}` : ''}`,
            });
          }
        } else {
          const order: string[] = [
            DEMO.caseworker,
            DEMO.secondCaseworker,
            DEMO.executor,
            DEMO.admin,
            DEMO.otherUnitCaseworker,
          ];
          const staff = await em.find(Staff, { username: { $in: order }, active: true }, { populate: ['unit'] });
          staff.sort((a, b) => order.indexOf(a.username) - order.indexOf(b.username));
          for (const s of staff)
            people.push({
              field: 'username',
              value: s.username,
              name: s.name,
              detail: `${s.username} – ${roleLabel[s.role]}, ${s.unit.name}`,
            });
        }
        res.setHeader(
          'Content-Security-Policy',
          "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.type('html').send(devSignInPage(app, returnTo, people));
      } catch (err) {
        next(err);
      }
    });

    router.post('/auth/dev', form, async (req, res, next) => {
      try {
        if (!isSameOriginWrite(req.headers, config)) {
          forbiddenCrossSite(res);
          return;
        }
        const body = (req.body ?? {}) as Record<string, unknown>;
        const app = appParam(body.kind);
        let principal: Principal | undefined;
        if (app === 'citizen' && typeof body.personnummer === 'string' && /^\d{12}$/.test(body.personnummer)) {
          principal = { kind: 'citizen', personnummer: body.personnummer };
        } else if (
          app === 'staff' &&
          typeof body.username === 'string' &&
          body.username.length > 0 &&
          body.username.length <= 200
        ) {
          principal = { kind: 'staff', username: body.username };
        }
        if (!app || !principal) {
          sendJsonError(
            res,
            ErrorCode.BAD_USER_INPUT,
            'Send kind=citizen with a 12-digit personnummer, or kind=staff with a username.',
          );
          return;
        }
        const returnTo = safeReturnTo(body.returnTo, app);
        try {
          await signIn(req, res, principal);
        } catch (err) {
          const reason = failureOf(err);
          if (!reason) throw err;
          res.redirect(303, withFailure(returnTo, reason));
          return;
        }
        res.redirect(303, returnTo);
      } catch (err) {
        next(err);
      }
    });
  }

  const oidc = deps.oidc;
  if (config.auth.mode === 'oidc' && oidc) {
    // Lax, not Strict: it must come back with the identity provider's redirect (a cross-site navigation).
    const loginCookieOptions = {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: config.session.secureCookie,
      path: '/auth/callback/',
      maxAge: LOGIN_TTL_MS,
    };

    router.get('/auth/login', async (req, res, next) => {
      try {
        const app = appParam(req.query.app);
        if (!app || !oidc.enabled(app)) {
          sendJsonError(
            res,
            ErrorCode.NOT_FOUND,
            'Browser sign-in is available for app=citizen and app=staff where configured.',
          );
          return;
        }
        const returnTo = safeReturnTo(req.query.returnTo, app);
        let started;
        try {
          started = await oidc.start(fork(), app, returnTo);
        } catch (err) {
          // The issuer unreachable (discovery) or the database: the person gets the UI's message, operators the log.
          log.error('starting a browser sign-in failed', { app, err });
          res.redirect(303, withFailure(returnTo, 'SIGN_IN_FAILED'));
          return;
        }
        res.cookie(LOGIN_COOKIE, started.loginCookie, loginCookieOptions);
        res.redirect(303, started.url.toString());
      } catch (err) {
        next(err);
      }
    });

    router.get('/auth/callback/:app', async (req, res, next) => {
      const app = appParam(req.params.app);
      if (!app || !oidc.enabled(app)) {
        sendJsonError(res, ErrorCode.NOT_FOUND, 'No such sign-in callback.');
        return;
      }
      res.clearCookie(LOGIN_COOKIE, loginCookieOptions);
      let returnTo = defaultReturnTo(app);
      try {
        // The callback URL as the identity provider called it (PUBLIC_URL, not the Host a proxy passed on).
        const callbackUrl = new URL(req.originalUrl, config.publicUrl);
        const done = await oidc.finish(fork(), app, readCookie(req.headers.cookie, LOGIN_COOKIE), callbackUrl);
        returnTo = done.returnTo;
        await signIn(req, res, done.principal);
        res.redirect(303, returnTo);
      } catch (err) {
        const reason = failureOf(err);
        if (!reason) {
          next(err);
          return;
        }
        if (err instanceof SignInError && err.returnTo) returnTo = err.returnTo;
        if (reason === 'SIGN_IN_FAILED') log.info('browser sign-in refused', { app, reason: (err as Error).message });
        res.redirect(303, withFailure(returnTo, reason));
      }
    });
  }

  return router;
}

function devSignInPage(
  app: App,
  returnTo: string,
  people: { field: string; value: string; name: string; detail: string }[],
): string {
  const heading = app === 'citizen' ? 'Logga in som medborgare' : 'Logga in som personal';
  const other =
    app === 'citizen'
      ? `<a href="/auth/dev?app=staff">Logga in som personal i stället</a>`
      : `<a href="/auth/dev?app=citizen">Logga in som medborgare i stället</a>`;
  const items = people
    .map(
      (p) =>
        `<li><button type="submit" name="${p.field}" value="${escapeHtml(p.value)}">Logga in som ${escapeHtml(p.name)}</button>` +
        `<span class="detail">${escapeHtml(p.detail)}</span></li>`,
    )
    .join('\n');
  const list = people.length
    ? `<form method="post" action="/auth/dev">
<input type="hidden" name="kind" value="${app}">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<ul>
${items}
</ul>
</form>`
    : `<p>Det finns inga demopersoner i databasen. Läs in dem med <code>npm run db:seed</code>.</p>`;
  return `<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} (utvecklingsläge) – Meddelande IFO</title>
<link rel="stylesheet" href="/auth/dev.css">
</head>
<body>
<main>
<h1>${heading}</h1>
<p>Utvecklingsläge: välj en demoperson. I drift loggar man in med e-legitimation eller med kommunens inloggning.</p>
${list}
<p>${other}</p>
</main>
</body>
</html>
`;
}
