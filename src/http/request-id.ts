import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { requestStore, type RequestInfo } from '../log';

/** What a trusted proxy may send as X-Request-Id. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The request's id and log facts, once {@link requestId} has run for it. */
export function requestInfoOf(res: ServerResponse): RequestInfo | undefined {
  return (res as ServerResponse & { locals?: { requestInfo?: RequestInfo } }).locals?.requestInfo;
}

/** The proxy's id when TRUST_PROXY_REQUEST_ID is on and it is well-formed; otherwise our own (a client must not choose the id in the access log). */
function chooseRequestId(req: Request, trustProxyRequestId: boolean): string {
  const incoming = trustProxyRequestId ? req.get('x-request-id') : undefined;
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Gives a request its id: sent back as X-Request-Id, and kept in the
 * per-request store that log lines, error masks and the access log read.
 * Idempotent: a router that also mounts it (so it works on its own) keeps the
 * id the app already gave the request, so a request has one id everywhere.
 */
export function requestId(opts: { trustProxyRequestId: boolean }): RequestHandler {
  return (req, res, next) => {
    if (requestInfoOf(res)) return next();
    const info: RequestInfo = { requestId: chooseRequestId(req, opts.trustProxyRequestId) };
    res.locals.requestInfo = info;
    res.setHeader('X-Request-Id', info.requestId);
    requestStore.run(info, next);
  };
}
