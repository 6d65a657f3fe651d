import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import { loadLogConfig } from './config';

/**
 * Per-request data every log line, error mask and metric can reach without
 * threading it through: set by the request-log middleware (src/http/request-log.ts),
 * the viewer by the GraphQL context, the operation by the observability plugin.
 */
export interface RequestInfo {
  requestId: string;
  /** Who called: kind and database id only, never a name or a personnummer. */
  viewer?: { kind: 'staff' | 'citizen'; id: string };
  /** The GraphQL operation's name, or "anonymous". */
  operationName?: string;
  /** `extensions.code` of each error in the response. */
  errorCodes?: string[];
}
export const requestStore = new AsyncLocalStorage<RequestInfo>();

/**
 * Fields never written as they are, wherever they occur (pino's redact paths; a
 * `*` stands for one level). Operators add their own with LOG_REDACT_PATHS.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'variables',
  '*.variables',
  'personnummer',
  '*.personnummer',
  '*.*.personnummer',
  'email',
  '*.email',
  '*.*.email',
  'mobile',
  '*.mobile',
  '*.*.mobile',
  'phone',
  '*.phone',
  'secretPhoneNumber',
  '*.secretPhoneNumber',
  'name',
  '*.name',
  'token',
  '*.token',
  'password',
  '*.password',
];

/**
 * Free text (an error's message or stack, a database error quoting the values
 * of a failed INSERT) cannot be redacted by path: personnummer, e-mail
 * addresses and phone numbers in it are masked by their shape.
 */
const PERSONAL_PATTERNS: RegExp[] = [
  // personnummer / samordningsnummer: 12 or 10 digits, optionally with - or + before the last four
  /(?<![\d-])(?:\d{2})?\d{6}[-+]?\d{4}(?![\d-])/g,
  // e-mail addresses
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g,
  // phone numbers: international (+46…, 0046…) or a Swedish 0-prefixed number of 8–10 digits with spaces or dashes
  /(?<![\w-])(?:\+|00)\d[\d -]{6,16}\d(?![\w-])/g,
  /(?<![\w-])0\d{1,3}[- ]?\d{2,3}[ -]?\d{2}[ -]?\d{2}(?![\w-])/g,
];

export function scrubText(text: string): string {
  let out = text;
  for (const p of PERSONAL_PATTERNS) out = out.replace(p, '[Redacted]');
  return out;
}

function serializeError(err: unknown): unknown {
  if (err instanceof Error) {
    const original = (err as { originalError?: unknown }).originalError ?? (err as { cause?: unknown }).cause;
    return {
      type: err.name,
      message: scrubText(err.message),
      stack: err.stack ? scrubText(err.stack) : undefined,
      ...(original ? { cause: serializeError(original) } : {}),
    };
  }
  return typeof err === 'string' ? scrubText(err) : err;
}

/** Where lines go: process.stderr, written synchronously (tests and `kubectl logs` read it); pino-pretty in development. */
function destination(format: 'json' | 'pretty'): DestinationStream {
  if (format === 'pretty') {
    try {
      // A development dependency: absent from the production image, where the format falls back to JSON.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pretty = require('pino-pretty') as typeof import('pino-pretty');
      return pretty({
        destination: process.stderr,
        sync: true,
        colorize: process.stderr.isTTY,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      });
    } catch {
      /* JSON below */
    }
  }
  return { write: (s: string) => void process.stderr.write(s) };
}

export function createLogger(
  opts: { level: string; format: 'json' | 'pretty'; redactPaths: readonly string[] },
  dest?: DestinationStream,
): Logger {
  return pino(
    {
      level: opts.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS, ...opts.redactPaths], censor: '[Redacted]' },
      serializers: { err: serializeError, reason: (r: unknown) => (typeof r === 'string' ? scrubText(r) : r) },
      // The request id on every line written while a request is handled.
      mixin: () => {
        const requestId = requestStore.getStore()?.requestId;
        return requestId ? { requestId } : {};
      },
      hooks: {
        // The message itself may quote a value (e.g. the embedded database's own log lines).
        logMethod(args, method) {
          if (typeof args[0] === 'string') args[0] = scrubText(args[0]);
          else if (typeof args[1] === 'string') args[1] = scrubText(args[1]);
          return method.apply(this, args);
        },
      },
    },
    dest ?? destination(opts.format),
  );
}

/** The process's logger (pino): JSON lines on stderr, one event a line. */
export const logger: Logger = createLogger(loadLogConfig());

type Fields = Record<string, unknown>;

/**
 * The call sites' shape, `log.info(msg, fields)`, over pino's `(fields, msg)`.
 * Fields given explicitly win over the mixin (an error on a websocket names its own request id).
 */
export const log = {
  debug: (msg: string, fields?: Fields) => logger.debug(fields ?? {}, msg),
  info: (msg: string, fields?: Fields) => logger.info(fields ?? {}, msg),
  warn: (msg: string, fields?: Fields) => logger.warn(fields ?? {}, msg),
  error: (msg: string, fields?: Fields) => logger.error(fields ?? {}, msg),
};
