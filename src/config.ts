import path from 'node:path';
import { z } from 'zod';

/**
 * The only reader of `process.env`. Parsed once; every problem is listed at
 * once so an operator can fix the environment in one go.
 */
const Env = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    DATA_DIR: z.string().default('./.data'),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    /** Load the demo data on start (default: only with the embedded database). */
    SEED_DEMO_DATA: z.enum(['true', 'false']).optional(),
    LOG_SQL: z.enum(['true', 'false']).default('false'),
    /** Public base URL of the citizen e-service, used in notification texts. */
    PUBLIC_URL: z.string().url().default('http://localhost:4000'),

    AUTH_MODE: z.enum(['dev', 'oidc']).optional(),
    AUTH_AUDIENCE: z.string().default('ifo-messaging'),
    AUTH_STAFF_ISSUER: z.string().optional(),
    AUTH_STAFF_JWKS_URL: z.string().url().optional(),
    AUTH_STAFF_USERNAME_CLAIM: z.string().default('preferred_username'),
    AUTH_CITIZEN_ISSUER: z.string().optional(),
    AUTH_CITIZEN_JWKS_URL: z.string().url().optional(),
    AUTH_CITIZEN_PERSONNUMMER_CLAIM: z.string().default('personal_identity_number'),
    AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),

    /** Abuse limits for every GraphQL document, HTTP and websocket alike. */
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
    GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(30),
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(10000),
  })
  .superRefine((env, ctx) => {
    const mode = env.AUTH_MODE ?? (env.NODE_ENV === 'production' ? 'oidc' : 'dev');
    if (mode === 'oidc') {
      for (const key of ['AUTH_STAFF_ISSUER', 'AUTH_STAFF_JWKS_URL', 'AUTH_CITIZEN_ISSUER', 'AUTH_CITIZEN_JWKS_URL'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when AUTH_MODE is oidc (the default in production)' });
      }
    }
    if (env.NODE_ENV === 'production' && mode === 'dev') {
      ctx.addIssue({ code: 'custom', path: ['AUTH_MODE'], message: 'dev tokens are not allowed in production' });
    }
    // Also when another variable is invalid (zod skips refinements then): every problem in one go.
  }, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const authMode = env.AUTH_MODE ?? (env.NODE_ENV === 'production' ? 'oidc' : 'dev');
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    nodeEnv: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    seedDemoData: env.SEED_DEMO_DATA ? env.SEED_DEMO_DATA === 'true' : !env.DATABASE_URL,
    logSql: env.LOG_SQL === 'true',
    publicUrl: env.PUBLIC_URL,
    auth: {
      mode: authMode,
      audience: env.AUTH_AUDIENCE,
      clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
      staff: { issuer: env.AUTH_STAFF_ISSUER, jwksUrl: env.AUTH_STAFF_JWKS_URL, usernameClaim: env.AUTH_STAFF_USERNAME_CLAIM },
      citizen: {
        issuer: env.AUTH_CITIZEN_ISSUER,
        jwksUrl: env.AUTH_CITIZEN_JWKS_URL,
        personnummerClaim: env.AUTH_CITIZEN_PERSONNUMMER_CLAIM,
      },
    },
    limits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxCost: env.GRAPHQL_MAX_COST,
    },
  } as const;
}
