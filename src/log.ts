import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request data every log line and error mask can reach without threading it through. */
export const requestStore = new AsyncLocalStorage<{ requestId: string }>();

type Level = 'debug' | 'info' | 'warn' | 'error';

function serializeError(err: unknown): unknown {
  if (err instanceof Error) {
    const original = (err as { originalError?: unknown }).originalError;
    return { name: err.name, message: err.message, stack: err.stack, ...(original ? { cause: serializeError(original) } : {}) };
  }
  return err;
}

/** JSON lines on stderr: one event per line, with the request id when there is one. */
export const log = {
  quiet: process.env.NODE_ENV === 'test',
  write(level: Level, msg: string, fields: Record<string, unknown> = {}) {
    if (this.quiet && level !== 'error') return;
    const requestId = requestStore.getStore()?.requestId;
    const line = { time: new Date().toISOString(), level, msg, ...(requestId ? { requestId } : {}), ...fields };
    if ('err' in line) line.err = serializeError(line.err);
    process.stderr.write(JSON.stringify(line) + '\n');
  },
  info(msg: string, fields?: Record<string, unknown>) {
    this.write('info', msg, fields);
  },
  warn(msg: string, fields?: Record<string, unknown>) {
    this.write('warn', msg, fields);
  },
  error(msg: string, fields?: Record<string, unknown>) {
    this.write('error', msg, fields);
  },
};
