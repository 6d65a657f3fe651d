import { decodeJwt } from 'jose';
import type { Principal, TokenVerifier } from './tokens';

/**
 * What a caller signed in with, as a long-lived connection holds it (not how a
 * request presents it: that is request-credential.ts): whom it
 * names, until when it holds on its own, and how to ask again whether it still
 * holds. The websocket re-checks a credential through this interface only, so
 * a new kind needs no change there:
 *
 * - A bearer token (JWT) ends at its `exp` plus the configured clock leeway
 *   and cannot be revoked before that: `stillValid()` only reads the clock.
 * - A browser session kept in PostgreSQL (cookie) sets `expiresAt` to its
 *   absolute end, or null, and answers `stillValid()` from its row (signed
 *   out, revoked, idle too long).
 *
 * Either way the account it names is looked up again as well (active, role):
 * that is the viewer's rule, not the credential's.
 */
export interface LiveCredential {
  readonly principal: Principal;
  /** When it stops being valid by itself (the socket is closed then); null when only `stillValid()` can tell. */
  readonly expiresAt: Date | null;
  /** Asks again whether it still holds; false ends every connection that uses it. */
  stillValid(): Promise<boolean>;
}

/** A verified bearer token as a credential; throws the verifier's TokenError when it is not valid now. */
export async function bearerCredential(
  verifier: TokenVerifier,
  token: string,
  leewaySeconds: number,
): Promise<LiveCredential> {
  const principal = await verifier.verify(token);
  // Verified just above (signature, issuer, audience, and `exp` is a required claim).
  const { exp } = decodeJwt(token);
  return new BearerCredential(principal, new Date(((exp as number) + leewaySeconds) * 1000));
}

/** A class, not an object of closures: every open socket holds one. */
class BearerCredential implements LiveCredential {
  constructor(
    readonly principal: Principal,
    readonly expiresAt: Date,
  ) {}

  stillValid(): Promise<boolean> {
    return Promise.resolve(Date.now() < this.expiresAt.getTime());
  }
}
