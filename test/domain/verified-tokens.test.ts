import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTokenVerifier, TokenError, type TokenVerifier } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { forger } from '../testkit/forge';

// The verifier keeps the tokens it has checked (a client sends the same one with every request). What it kept must
// never let through a token it would refuse: one that has expired since, or one that differs from it in any byte.

const AUDIENCE = 'verified-tokens-test';
const TOLERANCE = 30;
let dataDir: string;
let verifier: TokenVerifier;
let forge: Awaited<ReturnType<typeof forger>>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ifo-tokens-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    AUTH_MODE: 'dev',
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_CLOCK_TOLERANCE_SECONDS: String(TOLERANCE),
  });
  verifier = await createTokenVerifier(config);
  forge = await forger(dataDir, AUDIENCE);
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));
afterEach(() => jest.useRealTimers());

const seconds = () => Math.floor(Date.now() / 1000);

test('a token checked once is taken again, as the same caller', async () => {
  const token = await forge.devSigned();
  expect(await verifier.verify(token)).toEqual({ kind: 'staff', username: 'mararo01' });
  expect(await verifier.verify(token)).toEqual({ kind: 'staff', username: 'mararo01' });
});

test('a token taken a moment ago is refused once it has expired (beyond the clock tolerance)', async () => {
  const start = Date.now();
  const token = await forge.devSigned({ exp: seconds() + 5 });
  expect(await verifier.verify(token)).toEqual({ kind: 'staff', username: 'mararo01' });
  // Date (what the verifier and jose read the time from) moves on; promises and timers' ticks stay real.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'performance'] });
  jest.setSystemTime(start + 4_000 + TOLERANCE * 1000);
  expect(await verifier.verify(token)).toEqual({ kind: 'staff', username: 'mararo01' });
  jest.setSystemTime(start + 7_000 + TOLERANCE * 1000);
  await expect(verifier.verify(token)).rejects.toThrow(new TokenError('The bearer token has expired: sign in again.'));
  // And it stays refused.
  await expect(verifier.verify(token)).rejects.toThrow(/expired/);
});

test('a token that differs from a checked one in its signature is checked, and refused', async () => {
  const token = await forge.devSigned();
  await verifier.verify(token);
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[10] ^= 1;
  const tampered = `${header}.${payload}.${bytes.toString('base64url')}`;
  await expect(verifier.verify(tampered)).rejects.toThrow(TokenError);
  // The genuine one is still taken.
  expect(await verifier.verify(token)).toEqual({ kind: 'staff', username: 'mararo01' });
});

test('a token that differs from a checked one in its claims is checked, and refused', async () => {
  const token = await forge.devSigned();
  await verifier.verify(token);
  const [header, , signature] = token.split('.');
  const other = (await forge.devSigned({ claims: { preferred_username: 'someone-else' } })).split('.')[1];
  await expect(verifier.verify(`${header}.${other}.${signature}`)).rejects.toThrow(TokenError);
});

test('a refused token is not kept: refused again, for the same reason', async () => {
  const token = await forge.strangerSigned();
  await expect(verifier.verify(token)).rejects.toThrow(/could not be verified/);
  await expect(verifier.verify(token)).rejects.toThrow(/could not be verified/);
});
