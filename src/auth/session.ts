import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { BrowserSession, OidcLogin } from '../entities/browser-session';
import type { Staff } from '../entities/staff';
import { AppError, ErrorCode, unauthenticated } from '../errors';
import type { AccountChange } from '../subscriptions/bus';
import type { LiveCredential } from './live-credential';
import type { Principal } from './tokens';
import { resolveViewer, staffViewer, type Viewer } from './viewer';

/** A session id as the cookie carries it: 32 random bytes, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The cookie's name: `__Host-` when Secure (the browser then refuses it with a Domain or a Path other than `/`, or over http). */
export function sessionCookieName(config: Pick<Config, 'session'>): string {
  return config.session.secureCookie ? '__Host-ifo_session' : 'ifo_session';
}

/** What is stored instead of a secret: a read of the table yields no usable cookie. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const sessionEnded = () =>
  unauthenticated('You have been signed out (the session ended or was idle too long). Sign in again.');

/** What the browser may know about its session (never the id itself). */
export interface SessionInfo {
  kind: 'citizen' | 'staff';
  name: string;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
}

export interface FoundSession {
  session: BrowserSession;
  viewer: Viewer;
}

/**
 * Server-side browser sessions (backend-for-frontend): create at sign-in,
 * find per request (sliding idle limit, absolute limit, the account still
 * allowed), end at sign-out or when the account is disabled.
 */
export class SessionStore {
  /** The idle clock is written at most this often, not on every request. */
  private readonly touchEveryMs: number;

  constructor(
    private readonly limits: Config['session'],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.touchEveryMs = Math.min(60_000, Math.floor(limits.idleMs / 4));
  }

  /**
   * The account a principal may sign in as in a browser: like a bearer token
   * (registered, staff active), and a citizen only with the e-service activated,
   * since a browser session is for using the e-service.
   */
  async account(em: EntityManager, principal: Principal): Promise<Viewer> {
    const viewer = await resolveViewer(em, principal);
    if (viewer.kind === 'citizen' && !viewer.person.messagingEnabled) {
      throw new AppError(
        ErrorCode.E_SERVICE_NOT_ACTIVATED,
        'The e-service has not been activated for you. Ask your caseworker at the social services to activate it.',
      );
    }
    return viewer;
  }

  /** A new session for a signed-in account; returns the cookie value (shown once, stored only hashed). */
  async create(em: EntityManager, viewer: Viewer): Promise<{ id: string; session: BrowserSession }> {
    const id = randomSecret();
    const now = this.now();
    const session = em.create(BrowserSession, {
      idHash: hashSecret(id),
      staff: viewer.kind === 'staff' ? viewer.staff : null,
      person: viewer.kind === 'citizen' ? viewer.person : null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.limits.absoluteMs),
    });
    await em.persistAndFlush(session);
    return { id, session };
  }

  /** The live session with this cookie value and its caller, in one statement; throws UNAUTHENTICATED when it ended or expired. */
  async find(em: EntityManager, id: string | undefined): Promise<FoundSession> {
    if (!id || !SESSION_ID.test(id)) throw sessionEnded();
    const session = await em.findOne(BrowserSession, { idHash: hashSecret(id) }, { populate: ['staff', 'person'] });
    if (!session) throw sessionEnded();
    if (this.expired(session)) {
      await em.nativeDelete(BrowserSession, { idHash: session.idHash });
      throw sessionEnded();
    }
    return { session, viewer: this.viewerOf(session) };
  }

  /**
   * The session as a long-lived connection's credential (the websocket): it
   * names the account, ends by itself at the absolute limit, and is asked
   * again on each re-check whether it still holds (signed out, idle too long).
   * Throws UNAUTHENTICATED when it has ended already.
   */
  async liveCredential(em: EntityManager, id: string): Promise<LiveCredential> {
    const { session, viewer } = await this.find(em, id);
    const principal: Principal =
      viewer.kind === 'staff'
        ? { kind: 'staff', username: viewer.staff.username }
        : { kind: 'citizen', personnummer: viewer.person.personnummer };
    return {
      principal,
      expiresAt: session.expiresAt,
      stillValid: async () => {
        const row = await em.fork().findOne(BrowserSession, { idHash: session.idHash });
        return !!row && !this.expired(row);
      },
    };
  }

  /** Slides the idle limit; writes at most once per touch interval. */
  async touch(em: EntityManager, session: BrowserSession): Promise<void> {
    const now = this.now();
    if (now.getTime() - session.lastSeenAt.getTime() < this.touchEveryMs) return;
    session.lastSeenAt = now;
    await em.nativeUpdate(BrowserSession, { idHash: session.idHash }, { lastSeenAt: now });
  }

  info(session: BrowserSession): SessionInfo {
    const account = session.staff ?? session.person!;
    return {
      kind: session.staff ? 'staff' : 'citizen',
      name: account.name,
      idleExpiresAt: this.idleExpiresAt(session),
      absoluteExpiresAt: session.expiresAt,
    };
  }

  /** Sign-out: the session is gone server-side, whatever the browser keeps. Returns whose it was, so their connections re-check. */
  async end(em: EntityManager, id: string | undefined): Promise<AccountChange | undefined> {
    if (!id || !SESSION_ID.test(id)) return undefined;
    const row = await em.findOne(BrowserSession, { idHash: hashSecret(id) });
    if (!row) return undefined;
    await em.nativeDelete(BrowserSession, { idHash: row.idHash });
    return row.staff ? { kind: 'staff', id: row.staff.id } : { kind: 'citizen', id: row.person!.id };
  }

  /** Every session of a staff member (the account was disabled): call inside the same transaction. */
  static async endAllOf(em: EntityManager, staff: Staff): Promise<number> {
    return em.nativeDelete(BrowserSession, { staff });
  }

  /** Housekeeping: sessions past a limit, and OIDC sign-ins never finished. */
  async purgeExpired(em: EntityManager): Promise<number> {
    const now = this.now();
    const sessions = await em.nativeDelete(BrowserSession, {
      $or: [{ expiresAt: { $lte: now } }, { lastSeenAt: { $lte: new Date(now.getTime() - this.limits.idleMs) } }],
    });
    return sessions + (await em.nativeDelete(OidcLogin, { expiresAt: { $lte: now } }));
  }

  private idleExpiresAt(session: BrowserSession): Date {
    const idle = new Date(session.lastSeenAt.getTime() + this.limits.idleMs);
    return idle < session.expiresAt ? idle : session.expiresAt;
  }

  private expired(session: BrowserSession): boolean {
    return this.idleExpiresAt(session).getTime() <= this.now().getTime();
  }

  private viewerOf(session: BrowserSession): Viewer {
    if (session.staff) return staffViewer(session.staff);
    if (session.person) return { kind: 'citizen', person: session.person };
    throw sessionEnded();
  }
}
