import type { Response } from 'express';
import { AppError, ErrorCode, httpStatusOf } from '../errors';
import { log, requestStore } from '../log';

/**
 * Error answers of the HTTP routes, shaped like GraphQL errors so clients
 * branch on `extensions.code` alike; the status comes from the code
 * (`HTTP_STATUS` in src/errors.ts).
 */
export function sendJsonError(
  res: Response,
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
  status = httpStatusOf(code),
) {
  res.status(status).json({ errors: [{ message, extensions: { code, ...extensions } }] });
}

/**
 * A route's failure: an expected one (AppError) with its code's status and
 * message; anything else is logged as a bug and masked (500, with the request
 * id to quote).
 */
export function sendRouteError(res: Response, err: unknown, what: string) {
  if (err instanceof AppError) {
    const { http: _h, code, ...extensions } = err.extensions as Record<string, unknown> & { code: ErrorCode };
    sendJsonError(res, code, err.message, extensions);
    return;
  }
  const requestId = requestStore.getStore()?.requestId;
  log.error(`${what} failed`, { err });
  sendJsonError(
    res,
    ErrorCode.INTERNAL_SERVER_ERROR,
    `Something went wrong on our side. Try again; quote request id ${requestId}.`,
    { requestId },
  );
}
