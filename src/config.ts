import path from 'node:path';
import { z } from 'zod';
import { defaultEmbeddedPgPort } from './ports';

/** Logging (src/log.ts): read on its own, before the rest, so even a refused configuration is logged as configured. */
const LogEnv = z.object({
  /** pino's levels; default info (error only under NODE_ENV=test). */
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  /**
   * json: one JSON object a line (production); pretty: pino-pretty, a development dependency, so only where it is
   * installed. Default: pretty in development.
   */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** More field paths to redact from log lines, comma-separated in pino's path syntax (e.g. "case.secretAddress,*.ssn"), beside the built-in ones. */
  LOG_REDACT_PATHS: z.string().optional(),
});

/** The logging settings alone; never throws (an invalid value falls back to the default, and loadConfig reports it). */
export function loadLogConfig(source: NodeJS.ProcessEnv = process.env) {
  const nodeEnv = source.NODE_ENV === 'production' || source.NODE_ENV === 'test' ? source.NODE_ENV : 'development';
  const parsed = LogEnv.safeParse(source);
  const env = parsed.success ? parsed.data : {};
  return {
    level: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'error' : 'info'),
    format: env.LOG_FORMAT ?? (nodeEnv === 'development' ? 'pretty' : 'json'),
    redactPaths: (env.LOG_REDACT_PATHS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  } as const;
}

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
    /** Default: 25432, or just below the OS's ephemeral port range if that starts lower (src/ports.ts); the next ports are tried when it is taken. */
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** On SIGTERM/SIGINT: how long requests and jobs in flight may take to finish before the server stops anyway. */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(25),
    /** New websockets admitted per second (a token bucket); one over the rate is closed with 1013 "Try Again Later". */
    WS_ADMISSION_RATE: z.coerce.number().min(1).default(200),
    /** How many new websockets may arrive at once before the rate applies (default: twice the rate). */
    WS_ADMISSION_BURST: z.coerce.number().int().min(1).optional(),
    /** Load the demo data on start (default: only with the embedded database). */
    SEED_DEMO_DATA: z.enum(['true', 'false']).optional(),
    LOG_SQL: z.enum(['true', 'false']).default('false'),
    /**
     * The stores' statements as named prepared statements, planned once per connection (src/stores/query.ts).
     * "off" behind a connection pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
     */
    DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
    ...LogEnv.shape,
    /** Prometheus metrics (GET /metrics) on their own port, for the monitoring network only; unset: not on a port of their own. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** A bearer token for GET /metrics (on the API's port, and on METRICS_PORT when both are set); in production without either there are no metrics. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters (a random secret)').optional(),
    /** Keep an X-Request-Id set by a trusted reverse proxy; otherwise every request gets the server's own id (it goes into the access log). */
    TRUST_PROXY_REQUEST_ID: z.enum(['true', 'false']).default('false'),
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
    /** Browser sign-in (AUTH_MODE=oidc): this server's client at each issuer; without a client id that app has no browser sign-in. */
    AUTH_STAFF_CLIENT_ID: z.string().min(1).optional(),
    AUTH_STAFF_CLIENT_SECRET: z.string().min(1).optional(),
    AUTH_CITIZEN_CLIENT_ID: z.string().min(1).optional(),
    AUTH_CITIZEN_CLIENT_SECRET: z.string().min(1).optional(),
    /** Scopes asked for at sign-in: what makes each issuer release the identity claim above. */
    AUTH_STAFF_SCOPE: z.string().default('openid profile'),
    AUTH_CITIZEN_SCOPE: z.string().default('openid'),
    /** A browser session ends after this long without a request… */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .positive()
      .max(24 * 60)
      .default(30),
    /** …and this long after sign-in, however active. */
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .positive()
      .max(30 * 24)
      .default(12),

    /** Fan realtime notices out across server instances through Redis; unset: in-process. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    /** E-mail notifications over SMTP, e.g. smtp://user:pass@mail.example.se:587; unset in development: a local log. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
    NOTIFY_EMAIL_FROM: z.string().default('Socialtjänsten <no-reply@example.se>'),
    /** SMS notifications through an HTTP provider; unset in development: a local log. */
    SMS_API_URL: z.string().url().optional(),
    SMS_API_KEY: z.string().optional(),
    /** No SMS in these local hours (Europe/Stockholm), "22-07": held until the end. */
    QUIET_HOURS: z
      .string()
      .regex(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/, 'must look like 22-07')
      .default('22-07'),
    /** A second notice when a message is still unread after this many days; 0 turns it off. */
    REMINDER_AFTER_DAYS: z.coerce.number().min(0).max(60).default(3),
    NOTIFY_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(6),
    /** First retry delay; doubles with each retry (backoff). */
    NOTIFY_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /**
     * A job still active after this long is taken for lost (its worker died) and
     * retried; a batch of sends must fit in it. Also sets how often that is checked.
     */
    NOTIFY_JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
    /** Run the notification worker inside the API process (default) or not (run `npm run worker` separately). */
    WORKER: z.enum(['on', 'off']).default('on'),

    /** Gallring: conversations whose last message is older than this many months go (not journaled messages, not on legal hold); 0 turns it off. */
    RETENTION_CONVERSATION_MONTHS: z.coerce.number().int().min(0).max(1200).default(24),
    /** Drafts not saved for this many days go; 0 turns it off. */
    RETENTION_DRAFT_DAYS: z.coerce.number().int().min(0).max(36500).default(90),
    /** Uploads never sent with a message nor kept by a draft go after this many hours. */
    RETENTION_UNSENT_UPLOAD_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .default(24),
    /** Delivered notifications (the delivery records and the finished notification jobs) go after this many days; 0 turns it off. */
    RETENTION_NOTIFICATION_DAYS: z.coerce.number().int().min(0).max(36500).default(90),
    /** Access-log rows go after this many years: at least 5 (log reviews, HSLF-FS 2016:40 practice). */
    RETENTION_ACCESS_LOG_YEARS: z.coerce
      .number()
      .int()
      .min(5, 'must be at least 5: access logs are kept at least five years for the log reviews (loggkontroll)')
      .max(100)
      .default(5),
    /** When the gallring job runs, as cron (minute hour day month weekday) in Swedish time. */
    RETENTION_SCHEDULE: z
      .string()
      .regex(/^\S+ \S+ \S+ \S+ \S+$/, 'must be a cron expression with five fields, e.g. "30 2 * * *"')
      .default('30 2 * * *'),
    /** Rows thinned per short transaction: small enough that no send waits noticeably on a lock. */
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
    /** A register extract (registerutdrag) not downloaded within this many days is removed. */
    REGISTER_EXTRACT_DAYS: z.coerce.number().int().min(1).max(90).default(7),

    /** The self-hosted GraphQL IDE (GraphiQL) at GET /graphql for browsers: on by default except in production. */
    GRAPHQL_IDE: z.enum(['on', 'off']).optional(),

    /**
     * Trusted documents (src/http/trusted-documents.ts): with "enforce" a browser session (cookie) may run only the
     * web UIs' own operations; bearer-token callers may send any document. Default: enforce in production.
     */
    TRUSTED_DOCUMENTS: z.enum(['enforce', 'off']).optional(),

    /** Abuse limits for every GraphQL document, HTTP and websocket alike. */
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
    GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).default(30),
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(2000),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(10000),
    /**
     * HTTP operations run compiled (graphql-jit, src/http/compiled-executor.ts) from their Nth run of the same
     * document on; 0 runs everything through graphql-js.
     */
    GRAPHQL_COMPILE_AFTER: z.coerce.number().int().min(0).default(2),
  })
  .superRefine(
    (env, ctx) => {
      const mode = env.AUTH_MODE ?? (env.NODE_ENV === 'production' ? 'oidc' : 'dev');
      if (mode === 'oidc') {
        for (const key of [
          'AUTH_STAFF_ISSUER',
          'AUTH_STAFF_JWKS_URL',
          'AUTH_CITIZEN_ISSUER',
          'AUTH_CITIZEN_JWKS_URL',
        ] as const) {
          if (!env[key])
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'is required when AUTH_MODE is oidc (the default in production)',
            });
        }
      }
      if (env.NODE_ENV === 'production') {
        if (!env.SMTP_URL)
          ctx.addIssue({
            code: 'custom',
            path: ['SMTP_URL'],
            message: 'is required in production (e-mail notifications)',
          });
        if (!env.SMS_API_URL)
          ctx.addIssue({
            code: 'custom',
            path: ['SMS_API_URL'],
            message: 'is required in production (SMS notifications)',
          });
      }
      for (const app of ['STAFF', 'CITIZEN'] as const) {
        if (env[`AUTH_${app}_CLIENT_SECRET`] && !env[`AUTH_${app}_CLIENT_ID`]) {
          ctx.addIssue({
            code: 'custom',
            path: [`AUTH_${app}_CLIENT_ID`],
            message: `is required with AUTH_${app}_CLIENT_SECRET`,
          });
        }
      }
      if (env.SESSION_IDLE_MINUTES > env.SESSION_ABSOLUTE_HOURS * 60) {
        ctx.addIssue({
          code: 'custom',
          path: ['SESSION_IDLE_MINUTES'],
          message: 'must not be longer than SESSION_ABSOLUTE_HOURS',
        });
      }
      if (env.SMS_API_URL && !env.SMS_API_KEY)
        ctx.addIssue({ code: 'custom', path: ['SMS_API_KEY'], message: 'is required with SMS_API_URL' });
      if (env.NODE_ENV === 'production' && mode === 'dev') {
        ctx.addIssue({ code: 'custom', path: ['AUTH_MODE'], message: 'dev tokens are not allowed in production' });
      }
      // Also when another variable is invalid (zod skips refinements then): every problem in one go.
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    nodeEnv: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir,
    embeddedPgPort: env.EMBEDDED_PG_PORT ?? defaultEmbeddedPgPort(),
    /** The grace period of a shutdown, in milliseconds (SHUTDOWN_GRACE_SECONDS). */
    shutdownGraceMs: Math.round(env.SHUTDOWN_GRACE_SECONDS * 1000),
    /** Websocket admission (src/subscriptions/admission.ts). */
    wsAdmission: {
      ratePerSecond: env.WS_ADMISSION_RATE,
      burst: env.WS_ADMISSION_BURST ?? Math.ceil(env.WS_ADMISSION_RATE * 2),
    },
    seedDemoData: env.SEED_DEMO_DATA ? env.SEED_DEMO_DATA === 'true' : !env.DATABASE_URL,
    logSql: env.LOG_SQL === 'true',
    /** The stores' statements are prepared (planned once per connection); off behind some poolers. */
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'on',
    metrics: { port: env.METRICS_PORT, token: env.METRICS_TOKEN },
    trustProxyRequestId: env.TRUST_PROXY_REQUEST_ID === 'true',
    publicUrl: env.PUBLIC_URL,
    auth: authConfig(env),
    session: {
      idleMs: Math.round(env.SESSION_IDLE_MINUTES * 60_000),
      absoluteMs: Math.round(env.SESSION_ABSOLUTE_HOURS * 3_600_000),
      /** Secure cookie (named with the __Host- prefix) in production and whenever the public address is https. */
      secureCookie: env.NODE_ENV === 'production' || env.PUBLIC_URL.startsWith('https:'),
    },
    redisUrl: env.REDIS_URL,
    notify: notifyConfig(env),
    retention: retentionConfig(env),
    /** Browser sessions run only the UIs' trusted documents (src/http/trusted-documents.ts). */
    enforceTrustedDocuments: env.TRUSTED_DOCUMENTS
      ? env.TRUSTED_DOCUMENTS === 'enforce'
      : env.NODE_ENV === 'production',
    /** GraphiQL at GET /graphql (src/http/graphiql.ts). */
    graphqlIde: env.GRAPHQL_IDE ? env.GRAPHQL_IDE === 'on' : env.NODE_ENV !== 'production',
    limits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxCost: env.GRAPHQL_MAX_COST,
    },
    /** From which run of a document HTTP operations execute compiled; 0: never (src/http/compiled-executor.ts). */
    compileAfterRuns: env.GRAPHQL_COMPILE_AFTER,
  } as const;
}

type ParsedEnv = z.infer<typeof Env>;

/** Who may call, and how their tokens and browser sign-ins are checked. */
function authConfig(env: ParsedEnv) {
  return {
    mode: env.AUTH_MODE ?? (env.NODE_ENV === 'production' ? 'oidc' : 'dev'),
    audience: env.AUTH_AUDIENCE,
    clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
    staff: {
      issuer: env.AUTH_STAFF_ISSUER,
      jwksUrl: env.AUTH_STAFF_JWKS_URL,
      usernameClaim: env.AUTH_STAFF_USERNAME_CLAIM,
    },
    citizen: {
      issuer: env.AUTH_CITIZEN_ISSUER,
      jwksUrl: env.AUTH_CITIZEN_JWKS_URL,
      personnummerClaim: env.AUTH_CITIZEN_PERSONNUMMER_CLAIM,
    },
    /** The relying party for browser sign-in (authorization code + PKCE); callbacks at PUBLIC_URL/auth/callback/<app>. */
    clients: {
      staff: env.AUTH_STAFF_CLIENT_ID
        ? {
            clientId: env.AUTH_STAFF_CLIENT_ID,
            clientSecret: env.AUTH_STAFF_CLIENT_SECRET,
            scope: env.AUTH_STAFF_SCOPE,
          }
        : undefined,
      citizen: env.AUTH_CITIZEN_CLIENT_ID
        ? {
            clientId: env.AUTH_CITIZEN_CLIENT_ID,
            clientSecret: env.AUTH_CITIZEN_CLIENT_SECRET,
            scope: env.AUTH_CITIZEN_SCOPE,
          }
        : undefined,
    },
  } as const;
}

function notifyConfig(env: ParsedEnv) {
  return {
    smtpUrl: env.SMTP_URL,
    emailFrom: env.NOTIFY_EMAIL_FROM,
    smsApiUrl: env.SMS_API_URL,
    smsApiKey: env.SMS_API_KEY,
    quietHours: env.QUIET_HOURS.split('-').map(Number) as [number, number],
    reminderAfterDays: env.REMINDER_AFTER_DAYS,
    retryLimit: env.NOTIFY_RETRY_LIMIT,
    retryDelaySeconds: env.NOTIFY_RETRY_DELAY_SECONDS,
    jobTimeoutSeconds: env.NOTIFY_JOB_TIMEOUT_SECONDS,
    worker: env.WORKER === 'on',
  } as const;
}

/** Gallring (src/domain/retention.service.ts). */
function retentionConfig(env: ParsedEnv) {
  return {
    conversationMonths: env.RETENTION_CONVERSATION_MONTHS,
    draftDays: env.RETENTION_DRAFT_DAYS,
    unsentUploadHours: env.RETENTION_UNSENT_UPLOAD_HOURS,
    notificationDays: env.RETENTION_NOTIFICATION_DAYS,
    accessLogYears: env.RETENTION_ACCESS_LOG_YEARS,
    schedule: env.RETENTION_SCHEDULE,
    batchSize: env.RETENTION_BATCH_SIZE,
    registerExtractDays: env.REGISTER_EXTRACT_DAYS,
  } as const;
}
