import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';

/** Issuers of development tokens; production trusts the configured OIDC issuers instead. */
export const DEV_STAFF_ISSUER = 'urn:ifo-messaging:dev:staff';
export const DEV_CITIZEN_ISSUER = 'urn:ifo-messaging:dev:citizen';
export const DEV_ALG = 'ES256';

export interface DevKeys {
  privateKey: KeyLike;
  publicJwk: JWK;
}

/**
 * The development signing key, generated into DATA_DIR on first use so the
 * server and `npm run token` agree without any setup. Never used in production.
 */
export async function loadOrCreateDevKeys(dataDir: string): Promise<DevKeys> {
  const file = path.join(dataDir, 'dev-signing-key.json');
  let privateJwk: JWK;
  if (existsSync(file)) {
    privateJwk = JSON.parse(await fs.readFile(file, 'utf8')) as JWK;
  } else {
    await fs.mkdir(dataDir, { recursive: true });
    const { privateKey } = await generateKeyPair(DEV_ALG, { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: DEV_ALG, kid: `dev-${Date.now().toString(36)}` };
    // wx: two processes starting at once must not overwrite each other's key.
    await fs
      .writeFile(file, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' })
      .catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        privateJwk = JSON.parse(await fs.readFile(file, 'utf8')) as JWK;
      });
  }
  const { d: _d, ...publicJwk } = privateJwk;
  const privateKey = (await importJWK(privateJwk, DEV_ALG)) as KeyLike;
  return { privateKey, publicJwk };
}
