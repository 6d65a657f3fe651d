import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type { App, OidcRelyingParty } from '../auth/oidc';
import { SignInError } from '../auth/oidc';
import { readCookie } from '../auth/request-credential';
import { sessionCookieName, type SessionStore } from '../auth/session';
import type { Principal } from '../auth/tokens';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { AppError, ErrorCode } from '../errors';
import type { NoticeBus } from '../subscriptions/bus';
import { sendJsonError } from './json-errors';

/** What the browser sign-in routes (auth-routes.ts, auth-dev-routes.ts, auth-oidc-routes.ts) are built from. */
export interface AuthRouteDeps {
  config: Config;
  orm: Orm;
  sessions: SessionStore;
  oidc?: OidcRelyingParty;
  bus?: NoticeBus;
}

/**
 * Why a sign-in ended without a session, as `?fel=` on the page the person
 * wanted (the UI shows a Swedish text for each):
 * - E_SERVICE_NOT_ACTIVATED: the citizen is not registered, or the e-service is not activated for them;
 * - ACCOUNT_DISABLED: the staff account is not registered in the e-service, or disabled;
 * - SIGN_IN_CANCELLED: the person cancelled at the identity provider;
 * - SIGN_IN_FAILED: anything else (an old or foreign sign-in attempt, the provider failed).
 */
export type SignInFailure = 'E_SERVICE_NOT_ACTIVATED' | 'ACCOUNT_DISABLED' | 'SIGN_IN_CANCELLED' | 'SIGN_IN_FAILED';

export const defaultReturnTo = (app: App) => (app === 'staff' ? '/staff/' : '/');

/** A backslash or a control character (C0) anywhere in a return path: refused rather than interpreted. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters (a CR/LF or NUL in a redirect target)
const UNSAFE_IN_PATH = /[\\\u0000-\u001f]/;

/** Only a path on this server (no scheme, host, `//` or backslash tricks); anything else falls back to the app's start page. */
export function safeReturnTo(value: unknown, app: App): string {
  if (typeof value !== 'string' || value.length > 1000 || !value.startsWith('/') || UNSAFE_IN_PATH.test(value))
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

export function withFailure(returnTo: string, reason: SignInFailure): string {
  const url = new URL(returnTo, 'http://return.invalid');
  url.searchParams.set('fel', reason);
  return url.pathname + url.search + url.hash;
}

export const appParam = (value: unknown): App | undefined =>
  value === 'citizen' || value === 'staff' ? value : undefined;

/** The `?fel=` reason for an expected sign-in failure; undefined for anything else (a bug, the database). */
export function failureOf(err: unknown): SignInFailure | undefined {
  if (err instanceof SignInError) return err.reason;
  if (err instanceof AppError) {
    if (err.extensions.code === ErrorCode.E_SERVICE_NOT_ACTIVATED) return 'E_SERVICE_NOT_ACTIVATED';
    if (err.extensions.code === ErrorCode.UNAUTHENTICATED) return 'ACCOUNT_DISABLED';
  }
  return undefined;
}

export const forbiddenCrossSite = (res: Response) =>
  sendJsonError(
    res,
    ErrorCode.FORBIDDEN,
    "This request must come from the e-service's own pages (its Origin was missing or another site).",
  );

/** The browser's session cookie: reading it, ending its session, and starting a new one at sign-in. */
export class SessionCookie {
  readonly name: string;
  readonly options: { httpOnly: true; sameSite: 'strict'; secure: boolean; path: '/' };

  constructor(private readonly deps: AuthRouteDeps) {
    this.name = sessionCookieName(deps.config);
    this.options = { httpOnly: true, sameSite: 'strict', secure: deps.config.session.secureCookie, path: '/' };
  }

  fork(): EntityManager {
    return this.deps.orm.em.fork();
  }

  read(req: Request): string | undefined {
    return readCookie(req.headers.cookie, this.name);
  }

  clear(res: Response): void {
    res.clearCookie(this.name, this.options);
  }

  /** Ends the browser's session, and tells its websockets (on every instance) to re-check, so they close now. */
  async end(req: Request): Promise<void> {
    const ended = await this.deps.sessions.end(this.fork(), this.read(req));
    if (ended) this.deps.bus?.announceAccountChange(ended);
  }

  /** Ends any session the browser already has (no session fixation), starts a new one, and sets the cookie. */
  async signIn(req: Request, res: Response, principal: Principal): Promise<void> {
    const em = this.fork();
    const viewer = await this.deps.sessions.account(em, principal);
    await this.end(req);
    const { id } = await this.deps.sessions.create(em, viewer);
    res.cookie(this.name, id, this.options);
  }
}
