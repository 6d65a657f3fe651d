import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { DEV_ALG, DEV_CITIZEN_ISSUER, DEV_STAFF_ISSUER, loadOrCreateDevKeys, type DevKeys } from './dev-keys';

/** Who a verified token says the caller is, before we look them up. */
export type Principal = { kind: 'staff'; username: string } | { kind: 'citizen'; personnummer: string };

export class TokenError extends Error {}

/** Asymmetric algorithms only: `none` and shared-secret HMAC tokens are refused. */
const ACCEPTED_ALGS = ['ES256', 'ES384', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

interface IssuerRule {
  issuer: string;
  keys: JWTVerifyGetKey;
  principal(payload: JWTPayload): Principal | undefined;
}

/** A non-empty string claim (of a token or an OIDC ID token / userinfo). */
export function claim(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The `iss` a token claims, read before verifying it, to choose the issuer's keys; a token that is not a JWT is malformed. */
function unverifiedIssuer(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token))
    throw new TokenError('The bearer token is malformed.');
  try {
    const [, body] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof claims.iss === 'string' ? claims.iss : undefined;
  } catch {
    throw new TokenError('The bearer token is malformed.');
  }
}

export async function createTokenVerifier(config: Config): Promise<TokenVerifier & { devKeys?: DevKeys }> {
  const { auth } = config;
  let rules: IssuerRule[];
  let devKeys: DevKeys | undefined;
  if (auth.mode === 'dev') {
    devKeys = await loadOrCreateDevKeys(config.dataDir);
    const keys = createLocalJWKSet({ keys: [devKeys.publicJwk] });
    rules = [
      { issuer: DEV_STAFF_ISSUER, keys, principal: (p) => staffPrincipal(claim(p, 'preferred_username')) },
      { issuer: DEV_CITIZEN_ISSUER, keys, principal: (p) => citizenPrincipal(claim(p, 'personal_identity_number')) },
    ];
  } else {
    rules = [
      {
        issuer: auth.staff.issuer!,
        keys: createRemoteJWKSet(new URL(auth.staff.jwksUrl!)),
        principal: (p) => staffPrincipal(claim(p, auth.staff.usernameClaim)),
      },
      {
        issuer: auth.citizen.issuer!,
        keys: createRemoteJWKSet(new URL(auth.citizen.jwksUrl!)),
        principal: (p) => citizenPrincipal(claim(p, auth.citizen.personnummerClaim)),
      },
    ];
  }
  const byIssuer = new Map(rules.map((r) => [r.issuer, r]));
  const verified = new VerifiedTokens(auth.clockToleranceSeconds);

  return {
    devKeys,
    async verify(token: string): Promise<Principal> {
      const known = verified.get(token);
      if (known) return known;
      const issuer = unverifiedIssuer(token);
      const rule = issuer ? byIssuer.get(issuer) : undefined;
      if (!rule) throw new TokenError('The bearer token was not issued by a trusted identity provider.');
      try {
        const { payload } = await jwtVerify(token, rule.keys, {
          issuer: rule.issuer,
          audience: auth.audience,
          algorithms: ACCEPTED_ALGS,
          clockTolerance: auth.clockToleranceSeconds,
          requiredClaims: ['exp'],
        });
        const principal = rule.principal(payload);
        if (!principal) throw new TokenError('The bearer token does not say who you are (missing identity claim).');
        verified.add(token, principal, payload.exp!);
        return principal;
      } catch (err) {
        if (err instanceof TokenError) throw err;
        if (err instanceof errors.JWTExpired) throw new TokenError('The bearer token has expired: sign in again.');
        throw new TokenError('The bearer token could not be verified: sign in again.');
      }
    },
  };
}

/**
 * Tokens whose signature and claims were checked, for a minute at most: a client sends the same token with each of
 * its requests until it expires, and the signature check (ES256 here) was 5 % of the server's CPU for an inbox page.
 * Keyed by the whole token, signature included, so only the very token checked is taken; its expiry is checked again
 * on every use, as `jwtVerify` would (an expired one goes through `jwtVerify`, which refuses it). The minute bounds
 * how long a token signed with a key the identity provider has withdrawn stays accepted. At most 10,000 tokens (a few
 * MB), the least recently used dropped first. A token that fails is never kept.
 */
class VerifiedTokens {
  private readonly cache = new LRUCache<string, { principal: Principal; exp: number }>({
    max: 10_000,
    ttl: 60_000,
    // lru-cache reads the clock at most once per this many ms, through a timer each time: its 1 ms default wakes the
    // process after nearly every request. A second is plenty for a minute's TTL (the expiry is checked on its own).
    ttlResolution: 1_000,
  });
  constructor(private readonly leewaySeconds: number) {}

  get(token: string): Principal | undefined {
    const hit = this.cache.get(token);
    if (!hit) return undefined;
    // jose: expired when exp <= now - clockTolerance (in seconds).
    if (Math.floor(Date.now() / 1000) - this.leewaySeconds >= hit.exp) {
      this.cache.delete(token);
      return undefined;
    }
    return hit.principal;
  }

  add(token: string, principal: Principal, exp: number): void {
    this.cache.set(token, { principal: Object.freeze(principal), exp });
  }
}

export function staffPrincipal(username: string | undefined): Principal | undefined {
  return username ? { kind: 'staff', username } : undefined;
}
export function citizenPrincipal(pnr: string | undefined): Principal | undefined {
  return pnr && /^\d{12}$/.test(pnr) ? { kind: 'citizen', personnummer: pnr } : undefined;
}

/** Signs a development token; used by `npm run token` and the tests. */
export async function signDevToken(
  keys: DevKeys,
  principal: Principal,
  opts: { audience: string; expiresIn?: string | number },
): Promise<string> {
  const claims =
    principal.kind === 'staff'
      ? { preferred_username: principal.username }
      : { personal_identity_number: principal.personnummer };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DEV_ALG, kid: keys.publicJwk.kid, typ: 'JWT' })
    .setIssuer(principal.kind === 'staff' ? DEV_STAFF_ISSUER : DEV_CITIZEN_ISSUER)
    .setSubject(principal.kind === 'staff' ? principal.username : principal.personnummer)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '8h')
    .sign(keys.privateKey);
}
