import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

/**
 * Configuration: only from the environment, parsed once,
 * failing fast with every problem listed at once.
 */
const OIDC = {
  AUTH_STAFF_ISSUER: 'https://idp.kommun.example/',
  AUTH_STAFF_JWKS_URL: 'https://idp.kommun.example/jwks',
  AUTH_CITIZEN_ISSUER: 'https://eid-broker.example/',
  AUTH_CITIZEN_JWKS_URL: 'https://eid-broker.example/jwks',
};

/** Production also needs real notification providers (no local log). */
const PROVIDERS = {
  SMTP_URL: 'smtp://mail.kommun.example:587',
  SMS_API_URL: 'https://sms.example/api/send',
  SMS_API_KEY: 'k',
};

function problems(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('CF1 defaults', () => {
  test('an empty environment is a development server on port 4000 with data in ./.data', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.dataDir).toBe(path.resolve('./.data'));
    expect(c.nodeEnv).toBe('development');
    expect(c.production).toBe(false);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.auth.mode).toBe('dev');
  });

  test('demo data loads by default only on the embedded database', () => {
    expect(loadConfig({}).seedDemoData).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/ifo' }).seedDemoData).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/ifo', SEED_DEMO_DATA: 'true' }).seedDemoData).toBe(true);
    expect(loadConfig({ SEED_DEMO_DATA: 'false' }).seedDemoData).toBe(false);
  });

  test('the document limits default to depth 12 and 2000 tokens', () => {
    expect(loadConfig({}).limits).toMatchObject({ maxDepth: 12, maxTokens: 2000 });
  });

  test('production defaults to OIDC and is accepted with its four settings and the notification providers', () => {
    const c = loadConfig({ NODE_ENV: 'production', ...OIDC, ...PROVIDERS });
    expect(c.production).toBe(true);
    expect(c.auth.mode).toBe('oidc');
    expect(c.auth.staff).toMatchObject({ issuer: OIDC.AUTH_STAFF_ISSUER, jwksUrl: OIDC.AUTH_STAFF_JWKS_URL });
    expect(c.auth.citizen).toMatchObject({ issuer: OIDC.AUTH_CITIZEN_ISSUER, jwksUrl: OIDC.AUTH_CITIZEN_JWKS_URL });
  });

  test('values are read as given', () => {
    const c = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/lib/ifo',
      DATABASE_URL: 'postgresql://db:5432/ifo',
      GRAPHQL_MAX_DEPTH: '8',
    });
    expect(c).toMatchObject({ port: 8080, dataDir: '/var/lib/ifo', databaseUrl: 'postgresql://db:5432/ifo' });
    expect(c.limits.maxDepth).toBe(8);
  });
});

describe('CF2 every problem at once', () => {
  test('a bad PORT and missing OIDC settings in production appear in one error', () => {
    const message = problems({ NODE_ENV: 'production', PORT: 'eighty' });
    expect(message).toMatch(/PORT/);
    for (const key of Object.keys(OIDC)) expect(message).toContain(key);
  });

  test('several field problems are listed together, one per line', () => {
    const message = problems({
      PORT: '70000',
      DATABASE_URL: 'mysql://x',
      NODE_ENV: 'staging',
      GRAPHQL_MAX_TOKENS: '5',
    });
    for (const key of ['PORT', 'DATABASE_URL', 'NODE_ENV', 'GRAPHQL_MAX_TOKENS'])
      expect(message).toMatch(new RegExp(`^  - ${key}: `, 'm'));
  });

  test('dev tokens are refused in production, together with the other problems', () => {
    const message = problems({ NODE_ENV: 'production', AUTH_MODE: 'dev', PORT: '-1' });
    expect(message).toMatch(/AUTH_MODE: dev tokens are not allowed in production/);
    expect(message).toMatch(/PORT/);
  });

  test('oidc outside production needs its settings too', () => {
    const message = problems({ AUTH_MODE: 'oidc', AUTH_STAFF_ISSUER: OIDC.AUTH_STAFF_ISSUER });
    expect(message).not.toContain('AUTH_STAFF_ISSUER:');
    for (const key of ['AUTH_STAFF_JWKS_URL', 'AUTH_CITIZEN_ISSUER', 'AUTH_CITIZEN_JWKS_URL'])
      expect(message).toContain(key);
  });

  test('a JWKS URL that is not a URL is reported', () => {
    expect(problems({ NODE_ENV: 'production', ...OIDC, AUTH_STAFF_JWKS_URL: 'idp/jwks' })).toMatch(
      /AUTH_STAFF_JWKS_URL/,
    );
  });
});
