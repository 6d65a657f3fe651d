import type { EntityManager } from '@mikro-orm/postgresql';
import type * as OidcClient from 'openid-client' with { 'resolution-mode': 'import' };
import type { Config } from '../config';
import { OidcLogin } from '../entities/browser-session';
import { log } from '../log';
import { hashSecret, randomSecret } from './session';
import { citizenPrincipal, claim, staffPrincipal, type Principal } from './tokens';

/** The two browser apps, each signing in at its own issuer: citizens at the e-ID broker, staff at the municipality's IdP. */
export type App = 'citizen' | 'staff';

/** A sign-in under way must finish within this time (the person is at the identity provider meanwhile). */
export const LOGIN_TTL_MS = 10 * 60_000;

/** Why a sign-in did not finish; carried to the UI as `?fel=`. */
export class SignInError extends Error {
  constructor(
    readonly reason: 'SIGN_IN_CANCELLED' | 'SIGN_IN_FAILED',
    message: string,
    /** Where the person wanted to go, when the sign-in under way was found. */
    readonly returnTo?: string,
  ) {
    super(message);
  }
}

/** openid-client is ESM-only: imported on first use (once), so dev mode never loads it. */
let openidClientModule: Promise<typeof OidcClient> | undefined;
const openidClient = (): Promise<typeof OidcClient> => (openidClientModule ??= import('openid-client'));

/**
 * The relying party of the backend-for-frontend: the OpenID Connect
 * authorization-code flow with PKCE (S256), state and nonce, against the
 * issuer configured for each app. Issuer metadata and keys come from
 * discovery, once, on first use. What a sign-in under way needs is kept
 * server-side (`oidc_login`), keyed by a value only the starting browser
 * holds in a short-lived cookie.
 */
export class OidcRelyingParty {
  private readonly configs = new Map<App, Promise<OidcClient.Configuration>>();

  constructor(private readonly config: Config) {}

  /** Whether browser sign-in is configured for this app (a client id at its issuer). */
  enabled(app: App): boolean {
    return this.config.auth.mode === 'oidc' && !!this.config.auth.clients[app] && !!this.config.auth[app].issuer;
  }

  redirectUri(app: App): string {
    return new URL(`/auth/callback/${app}`, this.config.publicUrl).toString();
  }

  /** Starts a sign-in: where to send the browser, and the value for its login cookie. */
  async start(em: EntityManager, app: App, returnTo: string): Promise<{ url: URL; loginCookie: string }> {
    const client = await openidClient();
    const rp = await this.discover(app);
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const loginCookie = randomSecret();
    // Anyone may start a sign-in, so the table holds at most one TTL's worth of unfinished ones.
    await em.nativeDelete(OidcLogin, { expiresAt: { $lte: new Date() } });
    em.create(OidcLogin, {
      idHash: hashSecret(loginCookie),
      app,
      state,
      nonce,
      codeVerifier,
      returnTo,
      expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
    });
    await em.flush();
    const url = client.buildAuthorizationUrl(rp, {
      redirect_uri: this.redirectUri(app),
      scope: this.config.auth.clients[app]!.scope,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, loginCookie };
  }

  /**
   * Finishes a sign-in at the callback: the login cookie must name a sign-in
   * under way for this app (used once), the response must carry its state,
   * the code is exchanged with its PKCE verifier, and the ID token must carry
   * its nonce. Returns who signed in and where they wanted to go.
   */
  async finish(
    em: EntityManager,
    app: App,
    loginCookie: string | undefined,
    callbackUrl: URL,
  ): Promise<{ principal: Principal; returnTo: string }> {
    const login = loginCookie ? await em.findOne(OidcLogin, { idHash: hashSecret(loginCookie) }) : null;
    if (login) await em.nativeDelete(OidcLogin, { idHash: login.idHash });
    if (!login || login.app !== app || login.expiresAt.getTime() <= Date.now()) {
      throw new SignInError(
        'SIGN_IN_FAILED',
        'No sign-in under way in this browser (it expired, finished already, or started elsewhere).',
      );
    }
    const error = callbackUrl.searchParams.get('error');
    if (error) {
      throw new SignInError(
        error === 'access_denied' ? 'SIGN_IN_CANCELLED' : 'SIGN_IN_FAILED',
        `The identity provider answered ${error}.`,
        login.returnTo,
      );
    }
    const client = await openidClient();
    const rp = await this.discover(app);
    try {
      const tokens = await client.authorizationCodeGrant(rp, callbackUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      let principal = this.principal(app, claims);
      if (!principal && tokens.access_token) {
        // Some brokers put the identity number only in userinfo.
        const info = await client.fetchUserInfo(rp, tokens.access_token, String(claims.sub));
        principal = this.principal(app, { ...info, ...claims });
      }
      if (!principal)
        throw new SignInError(
          'SIGN_IN_FAILED',
          'The identity provider did not say who signed in (missing identity claim).',
          login.returnTo,
        );
      return { principal, returnTo: login.returnTo };
    } catch (err) {
      if (err instanceof SignInError) throw err;
      log.warn('oidc sign-in failed', { app, err: err instanceof Error ? err.message : String(err) });
      throw new SignInError('SIGN_IN_FAILED', 'The sign-in could not be completed.', login.returnTo);
    }
  }

  private principal(app: App, claims: Record<string, unknown>): Principal | undefined {
    const { auth } = this.config;
    return app === 'staff'
      ? staffPrincipal(claim(claims, auth.staff.usernameClaim))
      : citizenPrincipal(claim(claims, auth.citizen.personnummerClaim));
  }

  private discover(app: App): Promise<OidcClient.Configuration> {
    let found = this.configs.get(app);
    if (!found) {
      const { clientId, clientSecret } = this.config.auth.clients[app]!;
      const issuer = new URL(this.config.auth[app].issuer!);
      found = openidClient().then((client) =>
        client.discovery(
          issuer,
          clientId,
          { redirect_uris: [this.redirectUri(app)], response_types: ['code'] },
          clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
          // Plain http only outside production (a local identity provider in development and tests).
          this.config.production ? {} : { execute: [client.allowInsecureRequests] },
        ),
      );
      // A failed discovery (the issuer was down) is retried on the next sign-in, not cached.
      found.catch(() => this.configs.delete(app));
      this.configs.set(app, found);
    }
    return found;
  }
}
