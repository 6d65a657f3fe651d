import express, { type Request, type Response, type Router } from 'express';
import { isSameOriginWrite } from '../auth/request-credential';
import { AppError } from '../errors';
import { devSignInRoutes } from './auth-dev-routes';
import { oidcSignInRoutes } from './auth-oidc-routes';
import { appParam, defaultReturnTo, forbiddenCrossSite, SessionCookie, type AuthRouteDeps } from './sign-in';

/** `GET /auth/session`: whether the browser is signed in, as whom, and until when. Asking does not count as activity. */
async function sessionInfo(deps: AuthRouteDeps, cookie: SessionCookie, req: Request, res: Response) {
  const id = cookie.read(req);
  if (!id) {
    res.json({ signedIn: false });
    return;
  }
  // Asking does not count as activity: the idle limit does not move.
  const found = await deps.sessions.find(cookie.fork(), id).catch((err) => {
    if (err instanceof AppError) return undefined;
    throw err;
  });
  if (!found) {
    cookie.clear(res);
    res.json({ signedIn: false });
    return;
  }
  const info = deps.sessions.info(found.session);
  res.json({
    signedIn: true,
    kind: info.kind,
    name: info.name,
    idleExpiresAt: info.idleExpiresAt.toISOString(),
    absoluteExpiresAt: info.absoluteExpiresAt.toISOString(),
  });
}

/** `POST /auth/logout` from the own pages: ends the session; a form gets the app's start page, a fetch 204. */
async function logout(deps: AuthRouteDeps, cookie: SessionCookie, req: Request, res: Response) {
  if (!isSameOriginWrite(req.headers, deps.config)) {
    forbiddenCrossSite(res);
    return;
  }
  await cookie.end(req);
  cookie.clear(res);
  if (req.is('application/json')) {
    res.status(204).end();
    return;
  }
  const app = appParam(req.query.app) ?? appParam((req.body as Record<string, unknown> | undefined)?.app) ?? 'citizen';
  res.redirect(303, defaultReturnTo(app));
}

/**
 * The browser sign-in routes (backend-for-frontend). `/auth/session` and
 * `/auth/logout` always; the development sign-in page only with
 * AUTH_MODE=dev (./auth-dev-routes.ts); the OIDC code flow only with
 * AUTH_MODE=oidc (./auth-oidc-routes.ts).
 */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = express.Router();
  const cookie = new SessionCookie(deps);
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.use('/auth', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.get('/auth/session', (req, res, next) => sessionInfo(deps, cookie, req, res).catch(next));
  router.post('/auth/logout', form, express.json({ limit: '4kb' }), (req, res, next) =>
    logout(deps, cookie, req, res).catch(next),
  );
  if (deps.config.auth.mode === 'dev') router.use(devSignInRoutes(deps, cookie, form));
  if (deps.config.auth.mode === 'oidc' && deps.oidc) router.use(oidcSignInRoutes(deps.config, deps.oidc, cookie));
  return router;
}
