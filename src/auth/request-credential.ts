import { parseCookie } from 'cookie';
import type { IncomingHttpHeaders } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { BrowserSession } from '../entities/browser-session';
import { AppError, unauthenticated } from '../errors';
import { authenticate, bearer } from './authenticate';
import { sessionCookieName, type SessionStore } from './session';
import type { TokenVerifier } from './tokens';
import type { Viewer } from './viewer';

/** How a request says who it is: a bearer token (APIs, scripts) or the browser's session cookie (the web UIs). */
export type Credential = { kind: 'bearer'; token: string } | { kind: 'session'; id: string } | { kind: 'none' };

/**
 * One cookie's value from a Cookie header; undefined when absent. Parsed by the
 * `cookie` package (what Express itself uses): the first of a repeated name
 * wins, percent-encoded values are decoded.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  return parseCookie(header)[name];
}

/**
 * The request's credential. An Authorization header wins (a third party never
 * gets a browser's session by accident). The cookie counts only when the
 * browser does not say the request comes from another origin
 * (`Sec-Fetch-Site`): SameSite=Strict already keeps it off cross-site
 * requests; this also refuses it from a sibling subdomain.
 */
export function requestCredential(headers: IncomingHttpHeaders, config: Pick<Config, 'session'>): Credential {
  const token = bearer(headers.authorization);
  if (token) return { kind: 'bearer', token };
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return { kind: 'none' };
  const id = readCookie(headers.cookie, sessionCookieName(config));
  return id ? { kind: 'session', id } : { kind: 'none' };
}

export interface Authenticated {
  viewer: Viewer | null;
  authFailure: AppError | null;
  /** Set when the caller came with a live browser session. */
  session?: BrowserSession;
}

/** Bearer token or session cookie to a caller; a failure is kept for when an operation needs a caller. Slides the session's idle limit. */
export async function authenticateCredential(
  deps: { verifier: TokenVerifier; sessions: SessionStore },
  em: EntityManager,
  credential: Credential,
): Promise<Authenticated> {
  if (credential.kind === 'bearer') return authenticate(deps.verifier, em, credential.token);
  if (credential.kind === 'none') return { viewer: null, authFailure: unauthenticated() };
  try {
    const { session, viewer } = await deps.sessions.find(em, credential.id);
    await deps.sessions.touch(em, session);
    return { viewer, authFailure: null, session };
  } catch (err) {
    if (err instanceof AppError) return { viewer: null, authFailure: err };
    throw err;
  }
}

/**
 * The origins this server counts as its own: PUBLIC_URL's, and outside
 * production also the Host a request reached it at (localhost or 127.0.0.1,
 * test servers on random ports). In production only PUBLIC_URL, the one
 * address a reverse proxy serves.
 */
export function isOwnOrigin(
  origin: string | undefined,
  headers: IncomingHttpHeaders,
  config: Pick<Config, 'publicUrl' | 'production'>,
): boolean {
  if (!origin || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  if (url.origin === new URL(config.publicUrl).origin) return true;
  return (
    !config.production &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !!headers.host &&
    url.host === headers.host
  );
}

/**
 * A state-changing browser request (a form POST, a fetch) must come from this
 * server's own pages: its Origin is ours and, where the browser says so,
 * `Sec-Fetch-Site` is same-origin. Browsers send Origin on every POST; a
 * request without one is refused.
 */
export function isSameOriginWrite(
  headers: IncomingHttpHeaders,
  config: Pick<Config, 'publicUrl' | 'production'>,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin') return false;
  return isOwnOrigin(headers.origin, headers, config);
}
