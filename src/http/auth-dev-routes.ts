import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { isSameOriginWrite } from '../auth/request-credential';
import type { Principal } from '../auth/tokens';
import { ErrorCode } from '../errors';
import { DEV_CSS, demoPeople, devSignInPage } from './auth-dev-page';
import { sendJsonError } from './json-errors';
import {
  appParam,
  failureOf,
  forbiddenCrossSite,
  safeReturnTo,
  withFailure,
  type AuthRouteDeps,
  type SessionCookie,
} from './sign-in';

/** `GET /auth/dev`: the page listing the demo people of the app asked for. */
async function signInPage(cookie: SessionCookie, req: Request, res: Response) {
  const app = appParam(req.query.app) ?? 'citizen';
  const returnTo = safeReturnTo(req.query.returnTo, app);
  const people = await demoPeople(cookie.fork(), app);
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.type('html').send(devSignInPage(app, returnTo, people));
}

/** Whom the page's form names: a citizen by a 12-digit personnummer, or staff by username. */
function principalOf(body: Record<string, unknown>): Principal | undefined {
  const app = appParam(body.kind);
  if (app === 'citizen' && typeof body.personnummer === 'string' && /^\d{12}$/.test(body.personnummer))
    return { kind: 'citizen', personnummer: body.personnummer };
  if (app === 'staff' && typeof body.username === 'string' && body.username.length > 0 && body.username.length <= 200)
    return { kind: 'staff', username: body.username };
  return undefined;
}

/** `POST /auth/dev` from the page: signs in as the demo person chosen, back to where they were going. */
async function signIn(deps: AuthRouteDeps, cookie: SessionCookie, req: Request, res: Response) {
  if (!isSameOriginWrite(req.headers, deps.config)) {
    forbiddenCrossSite(res);
    return;
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const app = appParam(body.kind);
  const principal = principalOf(body);
  if (!app || !principal) {
    const message = 'Send kind=citizen with a 12-digit personnummer, or kind=staff with a username.';
    sendJsonError(res, ErrorCode.BAD_USER_INPUT, message);
    return;
  }
  const returnTo = safeReturnTo(body.returnTo, app);
  try {
    await cookie.signIn(req, res, principal);
  } catch (err) {
    const reason = failureOf(err);
    if (!reason) throw err;
    res.redirect(303, withFailure(returnTo, reason));
    return;
  }
  res.redirect(303, returnTo);
}

/** AUTH_MODE=dev: a page of demo people to sign in as, instead of an identity provider. */
export function devSignInRoutes(deps: AuthRouteDeps, cookie: SessionCookie, form: RequestHandler): Router {
  const router = express.Router();
  // The UIs always send a person to /auth/login; in development that is the page listing the demo people.
  router.get('/auth/login', (req, res) => {
    const app = appParam(req.query.app) ?? 'citizen';
    const query = new URLSearchParams({ app, returnTo: safeReturnTo(req.query.returnTo, app) });
    res.redirect(303, `/auth/dev?${query.toString()}`);
  });
  router.get('/auth/dev.css', (_req, res) => {
    res.type('text/css').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(DEV_CSS);
  });
  router.get('/auth/dev', (req, res, next) => signInPage(cookie, req, res).catch(next));
  router.post('/auth/dev', form, (req, res, next) => signIn(deps, cookie, req, res).catch(next));
  return router;
}
