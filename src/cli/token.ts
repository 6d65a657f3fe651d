import { loadConfig } from '../config';
import { loadOrCreateDevKeys } from '../auth/dev-keys';
import { signDevToken } from '../auth/tokens';
import { parsePersonnummer } from '../domain/personnummer';

/**
 * `npm run -s token -- staff mararo01` / `npm run -s token -- citizen 191212121212`
 * prints a development bearer token (just the token) signed with the key in DATA_DIR.
 */
async function main() {
  const [kind, who, ...rest] = process.argv.slice(2);
  const usage = 'usage: npm run -s token -- staff <username> | citizen <personnummer> [--expires 8h]';
  if ((kind !== 'staff' && kind !== 'citizen') || !who) throw new Error(usage);
  const expiresIdx = rest.indexOf('--expires');
  const expiresIn = expiresIdx >= 0 ? rest[expiresIdx + 1] : '8h';
  const config = loadConfig();
  if (config.auth.mode !== 'dev')
    throw new Error(
      'Development tokens exist only with AUTH_MODE=dev; in production, sign in through the identity provider.',
    );
  const keys = await loadOrCreateDevKeys(config.dataDir);
  let principal;
  if (kind === 'citizen') {
    const pnr = parsePersonnummer(who);
    if (!pnr.ok) throw new Error(pnr.reason);
    principal = { kind, personnummer: pnr.value } as const;
  } else {
    principal = { kind, username: who.toLowerCase() } as const;
  }
  process.stdout.write((await signDevToken(keys, principal, { audience: config.auth.audience, expiresIn })) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
