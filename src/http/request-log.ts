import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Viewer } from '../auth/viewer';
import { logger, requestStore, type RequestInfo } from '../log';
import { requestInfoOf } from './request-id';

/** Probes and scrapes: answered often, logged never. */
const UNLOGGED = /^\/(healthz|readyz|metrics)(\/|$)/;

type Finished = (info: RequestInfo, req: IncomingMessage, res: ServerResponse, durationMs: number) => void;

/**
 * Every HTTP request, after `requestId` (src/http/request-id.ts) has given it
 * its id: one JSON line when the response is done, or when the client went away
 * before it was: request id, method, path (never the query string: a GET may
 * carry GraphQL variables), status, duration, the viewer's kind and id, the
 * GraphQL operation's name and error codes. `onFinished` sees the same facts (the metrics).
 *
 * Written by hand over the process's pino logger (its redaction and its error
 * serializer apply) rather than with pino-http: pino-http makes two child
 * loggers per request, one of them binding the whole request object, which
 * its serializer and the redaction walk on every request although no line of
 * ours is written through them. That was 6 % of the server's CPU per inbox page.
 */
export function requestLogging(opts: { onFinished?: Finished }): RequestHandler {
  return (req, res, next) => {
    // Mounted after requestId, which every request passes first (src/server.ts).
    const info = requestInfoOf(res)!;
    const started = process.hrtime.bigint();
    const logged = !UNLOGGED.test(req.url ?? '');
    const { onFinished } = opts;
    const done = (err?: Error) => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      res.removeListener('error', done);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (onFinished && res.writableFinished) onFinished(info, req, res, durationMs);
      if (logged) write(info, req, res, durationMs, err);
    };
    res.on('finish', done);
    res.on('close', done);
    res.on('error', done);
    next();
  };
}

/** The request's line: info, warn for 4xx, error for 5xx or a failed response; "request aborted" when the client left first. */
function write(info: RequestInfo, req: IncomingMessage, res: ServerResponse, durationMs: number, err?: Error): void {
  const failed = !!err || res.statusCode >= 500;
  const level = failed ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    requestId: info.requestId,
    method: req.method,
    path: ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
    status: res.statusCode,
    durationMs: Math.round(durationMs * 10) / 10,
    ...(info.viewer ? { viewer: info.viewer } : {}),
    ...(info.operationName ? { operationName: info.operationName } : {}),
    ...(info.errorCodes?.length ? { errorCodes: info.errorCodes } : {}),
    ...(err ? { err } : {}),
  };
  const msg = failed ? 'request failed' : res.writableFinished ? 'request' : 'request aborted';
  logger[level](line, msg);
}

/** The GraphQL context records who called (kind and id only) for the request's log line. */
export function noteViewer(viewer: Viewer | null): void {
  const info = requestStore.getStore();
  if (info && viewer)
    info.viewer =
      viewer.kind === 'staff' ? { kind: 'staff', id: viewer.staff.id } : { kind: 'citizen', id: viewer.person.id };
}
