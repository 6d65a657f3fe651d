import { exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWTPayload, type KeyLike } from 'jose';
import { DEV_ALG, DEV_STAFF_ISSUER, loadOrCreateDevKeys } from '../../src/auth/dev-keys';

/**
 * Hand-made tokens for the authentication tests: each one differs from a
 * good development token in exactly one way, so a refusal can only be due to
 * that difference.
 */
export interface ForgeOptions {
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; `null` leaves the claim out. */
  exp?: number | null;
  claims?: JWTPayload;
}

const now = () => Math.floor(Date.now() / 1000);

export async function forger(dataDir: string, defaultAudience: string) {
  const dev = await loadOrCreateDevKeys(dataDir);
  const stranger = await generateKeyPair(DEV_ALG, { extractable: true });
  const devPublicKey = (await importJWK(dev.publicJwk, DEV_ALG)) as KeyLike;

  const build = (o: ForgeOptions) => {
    const jwt = new SignJWT({ preferred_username: 'mararo01', ...(o.claims ?? {}) })
      .setIssuer(o.issuer ?? DEV_STAFF_ISSUER)
      .setAudience(o.audience ?? defaultAudience)
      .setSubject('mararo01')
      .setIssuedAt();
    const exp = o.exp === undefined ? now() + 3600 : o.exp;
    if (exp !== null) jwt.setExpirationTime(exp);
    return jwt;
  };

  return {
    /** Signed with the server's own development key: valid unless the options break it. */
    devSigned: (o: ForgeOptions = {}) =>
      build(o).setProtectedHeader({ alg: DEV_ALG, kid: dev.publicJwk.kid, typ: 'JWT' }).sign(dev.privateKey),
    /** Same claims, signed by another ES256 key that carries the server key's kid. */
    strangerSigned: (o: ForgeOptions = {}) =>
      build(o).setProtectedHeader({ alg: DEV_ALG, kid: dev.publicJwk.kid, typ: 'JWT' }).sign(stranger.privateKey),
    /** `alg: none`: an unsecured JWT with an empty signature part. */
    unsecured: (o: ForgeOptions = {}) => {
      const jwt = new UnsecuredJWT({ preferred_username: 'mararo01', ...(o.claims ?? {}) })
        .setIssuer(o.issuer ?? DEV_STAFF_ISSUER)
        .setAudience(o.audience ?? defaultAudience)
        .setIssuedAt()
        .setExpirationTime(now() + 3600);
      return jwt.encode();
    },
    /** The algorithm-confusion attack: HS256 with the server's public key (PEM bytes) as the HMAC secret. */
    hmacWithPublicKey: async (o: ForgeOptions = {}) => {
      const pem = await exportSPKI(devPublicKey);
      return build(o)
        .setProtectedHeader({ alg: 'HS256', kid: dev.publicJwk.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(pem));
    },
    /** Same attack with the public JWK's JSON as the secret. */
    hmacWithPublicJwk: (o: ForgeOptions = {}) =>
      build(o)
        .setProtectedHeader({ alg: 'HS256', kid: dev.publicJwk.kid, typ: 'JWT' })
        .sign(new TextEncoder().encode(JSON.stringify(dev.publicJwk))),
  };
}
