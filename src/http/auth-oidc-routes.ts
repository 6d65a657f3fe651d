import express, { type Request, type Response, type Router } from 'express';
import { LOGIN_TTL_MS, SignInError, type OidcRelyingParty } from '../auth/oidc';
import { readCookie } from '../auth/request-credential';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import { log } from '../log';
import { sendJsonError } from './json-errors';
import { appParam, defaultReturnTo, failureOf, safeReturnTo, withFailure, type SessionCookie } from './sign-in';

const LOGIN_COOKIE = 'ifo_login';

/** The sign-in under way: Lax, not Strict, since it must come back with the identity provider's redirect (a cross-site navigation). */
const loginCookieOptions = (config: Config) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: config.session.secureCookie,
  path: '/auth/callback/',
  maxAge: LOGIN_TTL_MS,
});

/** `GET /auth/login?app=…&returnTo=…`: to the app's identity provider, with a cookie naming the sign-in under way. */
async function login(config: Config, oidc: OidcRelyingParty, cookie: SessionCookie, req: Request, res: Response) {
  const app = appParam(req.query.app);
  if (!app || !oidc.enabled(app)) {
    const message = 'Browser sign-in is available for app=citizen and app=staff where configured.';
    sendJsonError(res, ErrorCode.NOT_FOUND, message);
    return;
  }
  const returnTo = safeReturnTo(req.query.returnTo, app);
  let started;
  try {
    started = await oidc.start(cookie.fork(), app, returnTo);
  } catch (err) {
    // The issuer unreachable (discovery) or the database: the person gets the UI's message, operators the log.
    log.error('starting a browser sign-in failed', { app, err });
    res.redirect(303, withFailure(returnTo, 'SIGN_IN_FAILED'));
    return;
  }
  res.cookie(LOGIN_COOKIE, started.loginCookie, loginCookieOptions(config));
  res.redirect(303, started.url.toString());
}

/** `GET /auth/callback/:app`: the identity provider's answer; a session and back to the page, or the page with `?fel=`. */
async function callback(config: Config, oidc: OidcRelyingParty, cookie: SessionCookie, req: Request, res: Response) {
  const app = appParam(req.params.app);
  if (!app || !oidc.enabled(app)) {
    sendJsonError(res, ErrorCode.NOT_FOUND, 'No such sign-in callback.');
    return;
  }
  res.clearCookie(LOGIN_COOKIE, loginCookieOptions(config));
  let returnTo = defaultReturnTo(app);
  try {
    // The callback URL as the identity provider called it (PUBLIC_URL, not the Host a proxy passed on).
    const callbackUrl = new URL(req.originalUrl, config.publicUrl);
    const done = await oidc.finish(cookie.fork(), app, readCookie(req.headers.cookie, LOGIN_COOKIE), callbackUrl);
    returnTo = done.returnTo;
    await cookie.signIn(req, res, done.principal);
    res.redirect(303, returnTo);
  } catch (err) {
    const reason = failureOf(err);
    if (!reason) throw err;
    if (err instanceof SignInError && err.returnTo) returnTo = err.returnTo;
    if (reason === 'SIGN_IN_FAILED') log.info('browser sign-in refused', { app, reason: (err as Error).message });
    res.redirect(303, withFailure(returnTo, reason));
  }
}

/** AUTH_MODE=oidc: the OpenID Connect authorization-code flow (src/auth/oidc.ts) for each configured app. */
export function oidcSignInRoutes(config: Config, oidc: OidcRelyingParty, cookie: SessionCookie): Router {
  const router = express.Router();
  router.get('/auth/login', (req, res, next) => login(config, oidc, cookie, req, res).catch(next));
  router.get('/auth/callback/:app', (req, res, next) => callback(config, oidc, cookie, req, res).catch(next));
  return router;
}
