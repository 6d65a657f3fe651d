import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Viewer } from '../auth/viewer';
import { logger, requestStore, type RequestInfo } from '../log';
import { requestInfoOf } from './request-id';

/** Probes and scrapes: answered often, logged never. */
const UNLOGGED = /^\/(healthz|readyz|metrics)(\/|$)/;

type Finished = (info: RequestInfo, req: IncomingMessage, res: ServerResponse, durationMs: number) => void;

/**
 * Every HTTP request, after `requestId` (src/http/request-id.ts) has given it
 * its id: one JSON line when the response is done (pino-http): request id,
 * method, path (never the query string: a GET may carry GraphQL variables),
 * status, duration, the viewer's kind and id, the GraphQL operation's name.
 * `onFinished` sees the same facts (the metrics).
 */
export function requestLogging(opts: { onFinished?: Finished }): RequestHandler {
  // Mounted after requestId, which every request passes first (src/server.ts).
  const infoOf = (res: ServerResponse) => requestInfoOf(res)!;
  const httpLogger = pinoHttp({
    logger,
    genReqId: (_req, res) => infoOf(res).requestId,
    autoLogging: { ignore: (req) => UNLOGGED.test(req.url ?? '') },
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, val: { responseTime: number }) => line(req, res, val.responseTime),
    customErrorObject: (req, res, err, val: { responseTime: number }) => ({ ...line(req, res, val.responseTime), err }),
  });

  function line(req: IncomingMessage, res: ServerResponse, durationMs: number) {
    const info = infoOf(res);
    return {
      requestId: info.requestId,
      method: req.method,
      path: ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0],
      status: res.statusCode,
      durationMs: Math.round(durationMs * 10) / 10,
      ...(info.viewer ? { viewer: info.viewer } : {}),
      ...(info.operationName ? { operationName: info.operationName } : {}),
      ...(info.errorCodes?.length ? { errorCodes: info.errorCodes } : {}),
    };
  }

  return (req, res, next) => {
    const info = infoOf(res);
    const onFinished = opts.onFinished;
    if (onFinished) {
      const started = process.hrtime.bigint();
      res.once('finish', () => onFinished(info, req, res, Number(process.hrtime.bigint() - started) / 1e6));
    }
    httpLogger(req, res, next);
  };
}

/** The GraphQL context records who called (kind and id only) for the request's log line. */
export function noteViewer(viewer: Viewer | null): void {
  const info = requestStore.getStore();
  if (info && viewer)
    info.viewer =
      viewer.kind === 'staff' ? { kind: 'staff', id: viewer.staff.id } : { kind: 'citizen', id: viewer.person.id };
}
