import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
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

/** Every path no route answered: JSON, like every other answer. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  sendJsonError(res, ErrorCode.NOT_FOUND, 'Not found. The API is at /graphql.');
};

/** What the body reader says about a body it could not read (body-parser's `status` and `type`). */
function bodyReadFailure(err: unknown): { status?: number; type?: string } {
  if (!err || typeof err !== 'object') return {};
  const { status, type } = err as { status?: unknown; type?: unknown };
  return {
    status: typeof status === 'number' && status >= 400 && status < 500 ? status : undefined,
    type: typeof type === 'string' ? type : undefined,
  };
}

const BODY_MESSAGES = new Map([
  ['entity.too.large', 'The request body is larger than 1 MB. Send a smaller document; upload files separately.'],
  ['entity.parse.failed', 'The request body is not valid JSON.'],
]);

/**
 * Body-parser's and other middleware's errors: JSON, never Express's HTML page
 * or a stack. The body reader's status (400, or 413 for a body over the limit)
 * under the code BAD_REQUEST; anything else is a bug, logged and masked.
 */
export const jsonErrorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const { status, type } = bodyReadFailure(err);
  const message =
    BODY_MESSAGES.get(type ?? '') ?? (status ? 'The request could not be read.' : 'Something went wrong on our side.');
  if (!status) log.error('http error', { err });
  sendJsonError(res, status ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_SERVER_ERROR, message, {}, status);
};
