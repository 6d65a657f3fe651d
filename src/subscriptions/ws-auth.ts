import type { IncomingMessage } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CloseCode } from 'graphql-ws';
import { bearer } from '../auth/authenticate';
import { bearerCredential, type LiveCredential } from '../auth/live-credential';
import { isOwnOrigin, readCookie } from '../auth/request-credential';
import { sessionCookieName, type SessionStore } from '../auth/session';
import { TokenError, type Principal, type TokenVerifier } from '../auth/tokens';
import { resolveViewer, type Viewer } from '../auth/viewer';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { AppError } from '../errors';
import { staffAccountStates, type StaffAccountState } from '../stores/notice.store';
import { log } from '../log';
import { AccountLookups, detachedViewer, sameOrFresh } from './account-lookups';
import type { AccountChange, NoticeBus } from './bus';
import { ExpiryTimers, type Expiring } from './expiry-timers';

/**
 * How long a subscription event may rely on the socket's last check. Events
 * are many (every notice to every subscribed socket), so they do not each
 * look the account up; an account change made through the API reaches the
 * socket at once through the bus anyway. This bounds only a change made
 * behind the API's back (SQL by hand, a directory sync).
 */
export const EVENT_RECHECK_MS = 5_000;

/**
 * How often the staff accounts behind open sockets are compared with the
 * database, in one statement per instance: the net under the signals, for a
 * change that sent none (made by hand in SQL, or a signal lost while Redis was
 * reconnecting), so that an idle socket of a disabled account is closed too.
 */
export const SWEEP_MS = 60_000;

/** Looks an account up for a re-check: `account` is its key (`staff:<id>`), and a lookup started before `notBefore` is too old. */
type AccountLookup = (account: string, principal: Principal, notBefore: number) => Promise<Viewer>;

/** The socket side this module needs: closing it. */
interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** What a socket's auth asks of the server's: its account's shared lookup, the expiry timers, and to be forgotten when it ends. */
interface SocketAuthOwner {
  readonly lookup: AccountLookup;
  /** The account read by a statement that starts after this call (coalesced with the other callers of this turn). */
  readonly fresh: (principal: Principal) => Promise<Viewer>;
  readonly expiries: ExpiryTimers;
  forget(auth: SocketAuth): void;
}

const accountKey = (v: Viewer): string => (v.kind === 'staff' ? `staff:${v.staff.id}` : `citizen:${v.person.id}`);

/**
 * The caller of one websocket. A socket must never serve with the rights its
 * caller had when it opened, so:
 * - every operation looks the caller up again (the same rule as an HTTP
 *   request): a query or mutation with its own EntityManager, a subscription
 *   through the lookups shared by the sockets asking in the same turn;
 * - every subscription event uses a check at most EVENT_RECHECK_MS old;
 * - an account-change signal re-checks at once, and a timer fires when the
 *   credential expires;
 * and when a check fails the socket is closed with 4403 (Forbidden) at that
 * moment. A client gets fresh rights, or a fresh token, by reconnecting.
 */
export class SocketAuth implements Expiring {
  private viewer: Viewer;
  private checkedAt = Date.now();
  private inFlight?: Promise<Viewer | null>;
  /** The credential's expiry while its timer is armed. */
  private expiryAt?: number;
  private ended = false;

  /** `viewer` is kept as given: a copy that belongs to no EntityManager (./account-lookups.ts). */
  constructor(
    private readonly credential: LiveCredential,
    viewer: Viewer,
    private readonly socket: ClosableSocket,
    private readonly owner: SocketAuthOwner,
  ) {
    this.viewer = viewer;
    this.armExpiry();
  }

  /** For the sweep: does this staff row differ from what the socket last checked (active, role, unit)? */
  differsFrom(row: StaffAccountState): boolean {
    const v = this.viewer;
    return v.kind === 'staff' && (!row.active || row.role !== v.role || row.unit_id !== v.staff.unit.id);
  }

  /** `staff:<id>` or `citizen:<id>`: whose account-change signals concern this socket. */
  get account(): string {
    return accountKey(this.viewer);
  }

  /** The caller for one operation, looked up now with its EntityManager; null when refused (the socket is then closing). */
  forOperation(em: EntityManager): Promise<Viewer | null> {
    return this.check(() => resolveViewer(em, this.credential.principal), true);
  }

  /**
   * The caller for a subscription operation, looked up now as for any other
   * operation (the lookup's statement starts after this call; an unknown or
   * disabled account is refused), but as a copy that belongs to no
   * EntityManager: a subscription keeps only that (./subscription-context.ts).
   * So the subscribes of many sockets in one turn (a reconnect storm) share one
   * statement, and none maps an entity it would not use.
   */
  forSubscription(): Promise<Viewer | null> {
    return this.check(() => this.owner.fresh(this.credential.principal));
  }

  /** The caller as last checked, belonging to no EntityManager (for a subscription's own context). */
  get current(): Viewer {
    return this.viewer;
  }

  /** {@link forEvent} as a function of its own, for the socket's subscription contexts (one per socket, not per operation). */
  readonly revalidate = (): Promise<Viewer | null> => this.forEvent();

  /** The caller for one event of a long-lived subscription; null when refused (the socket is then closing). */
  async forEvent(): Promise<Viewer | null> {
    if (this.ended) return null;
    if (this.expired()) return this.refuse('expired');
    if (Date.now() - this.checkedAt < EVENT_RECHECK_MS) return this.viewer;
    // A lookup of this account by another of its sockets in the same span serves this one too.
    return this.recheck(Date.now() - EVENT_RECHECK_MS);
  }

  /** Checks again now (an account-change signal, or a stale check), once at a time per socket. */
  recheck(notBefore = Date.now()): Promise<Viewer | null> {
    this.inFlight ??= this.check(() => this.owner.lookup(this.account, this.credential.principal, notBefore)).finally(
      () => (this.inFlight = undefined),
    );
    return this.inFlight;
  }

  /** The socket has closed: stop its timer and forget it. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.expiryAt !== undefined) this.owner.expiries.remove(this.expiryAt, this);
    this.owner.forget(this);
  }

  /** `managed`: the lookup answers an entity of the operation's EntityManager, which the socket keeps only as a detached copy. */
  private async check(lookup: () => Promise<Viewer>, managed = false): Promise<Viewer | null> {
    if (this.ended) return null;
    if (this.expired()) return this.refuse('expired');
    if (!(await this.credential.stillValid())) return this.refuse('credential no longer valid');
    let viewer: Viewer;
    try {
      // The same lookup as every HTTP request: an unknown or disabled account is refused, the role is the current one.
      viewer = await lookup();
    } catch (err) {
      if (err instanceof AppError) return this.refuse('account refused');
      throw err;
    }
    // The operation gets the entity loaded with its own EntityManager; the socket keeps a detached copy (the one it
    // has while nothing changed, so the sockets of one account keep sharing it).
    this.viewer = managed ? detachedViewer(viewer, this.viewer) : sameOrFresh(viewer, this.viewer);
    this.checkedAt = Date.now();
    return this.ended ? null : viewer;
  }

  private expired(): boolean {
    return this.credential.expiresAt !== null && Date.now() >= this.credential.expiresAt.getTime();
  }

  /** Arms the expiry: a timer shared with the sockets whose credentials expire in the same instant (./expiry-timers.ts). */
  private armExpiry(): void {
    const at = this.credential.expiresAt?.getTime();
    if (at === undefined) return;
    this.expiryAt = at;
    this.owner.expiries.add(at, this);
  }

  /** The expiry timer fired: closes the socket when the credential has expired, else (a timer that fired early) arms it again. */
  onExpiry(): void {
    this.expiryAt = undefined;
    if (this.ended) return;
    if (this.expired()) void this.refuse('expired');
    else this.armExpiry();
  }

  private refuse(why: string): null {
    if (!this.ended) {
      log.info('websocket closed: caller no longer allowed', { account: this.account, why });
      this.end();
      this.socket.close(CloseCode.Forbidden, 'Forbidden');
    }
    return null;
  }
}

/**
 * Websocket authentication for one server: the credential (a bearer token in
 * `connection_init`, else the browser's session cookie on the upgrade
 * request), the open sockets by account, and the account-change signals that
 * re-check them.
 */
export class WebSocketAuth {
  private readonly byAccount = new Map<string, Set<SocketAuth>>();
  private readonly lookups = new Map<string, { startedAt: number; viewer: Promise<Viewer> }>();
  private readonly accounts: AccountLookups;
  /** One for all the sockets, so that a socket holds no closures of its own for it. */
  private readonly owner: SocketAuthOwner;
  private readonly stopListening?: () => void;
  private readonly sweeper: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    private readonly deps: {
      orm: Orm;
      verifier: TokenVerifier;
      leewaySeconds: number;
      bus?: NoticeBus;
      /** Browser sessions: without them only bearer tokens are accepted. */
      sessions?: SessionStore;
      config?: Pick<Config, 'publicUrl' | 'production' | 'session'>;
      /** Default SWEEP_MS. */
      sweepMs?: number;
    },
  ) {
    this.accounts = new AccountLookups(deps.orm);
    this.owner = {
      lookup: this.lookup,
      fresh: (principal) => this.accounts.lookup(principal),
      expiries: new ExpiryTimers(),
      forget: (auth) => this.forget(auth),
    };
    this.stopListening = deps.bus?.onAccountChange((change) => this.accountChanged(change));
    this.sweeper = setInterval(() => void this.sweep(), deps.sweepMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  /** The socket's caller from its `connection_init` payload or its upgrade request's cookie; null refuses the connection (4403). */
  async connect(
    params: Record<string, unknown> | undefined,
    socket: ClosableSocket,
    request?: IncomingMessage,
  ): Promise<SocketAuth | null> {
    const credential = await this.credentialFor(params ?? {}, request);
    if (!credential) return null;
    let viewer: Viewer;
    try {
      // Coalesced with the other sockets signing in now (one statement), never reused later.
      viewer = await this.accounts.lookup(credential.principal);
    } catch (err) {
      if (err instanceof AppError) return null;
      throw err;
    }
    const auth = new SocketAuth(credential, viewer, socket, this.owner);
    const sockets = this.byAccount.get(auth.account) ?? new Set();
    sockets.add(auth);
    this.byAccount.set(auth.account, sockets);
    return auth;
  }

  /** Stops listening for account changes (the sockets themselves are closed by the websocket server). */
  close(): void {
    clearInterval(this.sweeper);
    this.stopListening?.();
  }

  /** Compares the staff accounts of all open sockets with the database (one statement) and re-checks the sockets whose account changed. */
  async sweep(): Promise<void> {
    const ids = [...this.byAccount.keys()].filter((k) => k.startsWith('staff:')).map((k) => k.slice('staff:'.length));
    if (this.sweeping || !ids.length) return;
    this.sweeping = true;
    const startedAt = Date.now();
    try {
      const rows = await staffAccountStates(this.deps.orm.em.fork(), { ids });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const changed = ids.flatMap((id) => {
        const row = byId.get(id);
        return [...(this.byAccount.get(`staff:${id}`) ?? [])].filter((auth) => !row || auth.differsFrom(row));
      });
      await Promise.all(
        changed.map((auth) =>
          auth.recheck(startedAt).catch((err) => log.error('re-checking a websocket caller failed', { err })),
        ),
      );
    } catch (err) {
      log.error('comparing websocket callers with the database failed', { err });
    } finally {
      this.sweeping = false;
    }
  }

  /** A bearer token in the payload wins (as over HTTP); without one, the browser's session cookie. */
  private async credentialFor(
    params: Record<string, unknown>,
    request?: IncomingMessage,
  ): Promise<LiveCredential | null> {
    const token = bearer(params.authorization ?? params.Authorization ?? params.token);
    if (!token) return this.sessionCredential(request);
    try {
      return await bearerCredential(this.deps.verifier, token, this.deps.leewaySeconds);
    } catch (err) {
      if (err instanceof TokenError) return null;
      throw err;
    }
  }

  /**
   * The session cookie on the upgrade request, only when the upgrade comes
   * from this server's own pages: a browser sends cookies with a websocket
   * upgrade from any page, so without this check another site's page could
   * use a signed-in person's session (cross-site websocket hijacking).
   * SameSite=Strict already keeps the cookie off cross-site upgrades; this
   * also refuses sibling subdomains and browsers without SameSite.
   */
  private async sessionCredential(request?: IncomingMessage): Promise<LiveCredential | null> {
    const { sessions, config } = this.deps;
    if (!request || !sessions || !config) return null;
    const id = readCookie(request.headers.cookie, sessionCookieName(config));
    if (!id || !isOwnOrigin(request.headers.origin, request.headers, config)) return null;
    try {
      return await sessions.liveCredential(this.deps.orm.em.fork(), id);
    } catch (err) {
      if (err instanceof AppError) return null;
      throw err;
    }
  }

  private accountChanged(change: AccountChange): void {
    const sockets = this.byAccount.get(`${change.kind}:${change.id}`);
    if (!sockets) return;
    // One lookup for all of the account's sockets, started after the signal came.
    const notBefore = Date.now();
    for (const auth of sockets) {
      auth.recheck(notBefore).catch((err) => log.error('re-checking a websocket caller failed', { err }));
    }
  }

  /**
   * An account looked up for its sockets' re-checks: one lookup at a time per
   * account, shared by all its sockets (a viewer with many tabs, a wake-up
   * that reaches them all). A lookup started at or after `notBefore` is
   * reused; one that failed (not a refusal) is not.
   */
  private readonly lookup: AccountLookup = (account, principal, notBefore) => {
    const known = this.lookups.get(account);
    if (known && known.startedAt >= notBefore) return known.viewer;
    const entry = {
      startedAt: Date.now(),
      viewer: this.accounts.lookup(principal),
    };
    this.lookups.set(account, entry);
    const drop = () => {
      if (this.lookups.get(account) === entry) this.lookups.delete(account);
    };
    // An answer (the account, or its refusal) is kept while it can still be reused; a failed lookup is not.
    const keep = () => void setTimeout(drop, EVENT_RECHECK_MS).unref();
    entry.viewer.then(keep, (err) => (err instanceof AppError ? keep() : drop()));
    return entry.viewer;
  };

  private forget(auth: SocketAuth): void {
    const sockets = this.byAccount.get(auth.account);
    if (!sockets) return;
    sockets.delete(auth);
    if (!sockets.size) this.byAccount.delete(auth.account);
  }
}
