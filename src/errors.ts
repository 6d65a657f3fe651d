import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Stable codes in `extensions.code`. Clients branch on these, never on the
 * message text, so a code is never renamed once published.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** The server is shutting down (HTTP 503 with Retry-After): send the request again in a few seconds; nothing of it was done. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  /** The request names a trusted document (by hash) that this server does not know: the page is older or newer than the server; reload it. */
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
  /** In production a browser session (cookie) may run only the web UIs' own operations; send your own documents with a bearer token. */
  OPERATION_NOT_ALLOWED = 'OPERATION_NOT_ALLOWED',
  /** The citizen has no activated e-service account. */
  E_SERVICE_NOT_ACTIVATED = 'E_SERVICE_NOT_ACTIVATED',
  /** A relation must carry the type APPROVED_FOR_MESSAGES before it can be activated. */
  RELATION_NOT_APPROVED_FOR_MESSAGES = 'RELATION_NOT_APPROVED_FOR_MESSAGES',
  /** Today is outside the relation's valid-from/valid-to dates. */
  RELATION_OUTSIDE_VALIDITY = 'RELATION_OUTSIDE_VALIDITY',
  /** The case is closed; the operation needs an ongoing case. */
  CASE_CLOSED = 'CASE_CLOSED',
  /** closeCase on a case that is already closed. */
  CASE_ALREADY_CLOSED = 'CASE_ALREADY_CLOSED',
  /** endAssignment on an assignment whose end date has already passed. */
  ASSIGNMENT_ALREADY_ENDED = 'ASSIGNMENT_ALREADY_ENDED',
  /** An end or closing date before the start or opening date. */
  END_DATE_BEFORE_START = 'END_DATE_BEFORE_START',
  /** The citizen is on the case as a relation with read-only rights: they read the case's messages but cannot send or reply. */
  RELATION_READ_ONLY = 'RELATION_READ_ONLY',
  /** The sender may not write to this recipient (no case in common). */
  RECIPIENT_NOT_ALLOWED = 'RECIPIENT_NOT_ALLOWED',
  /** The recipient does not have the e-service activated, or is a relation approved for messages but not yet activated (activate the relation first). */
  RECIPIENT_NOT_ACTIVATED = 'RECIPIENT_NOT_ACTIVATED',
  /** The idempotency key was used before for a different payload. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** An uploaded file is larger than 16 MB. */
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  /** More than 5 attachments on one message. */
  TOO_MANY_FILES = 'TOO_MANY_FILES',
  /** An uploaded file is not a PDF (checked by its bytes, not its name). */
  UNSUPPORTED_FILE_TYPE = 'UNSUPPORTED_FILE_TYPE',
  /** The citizen in the conversation is only a relation of the case holder: write a journal note by hand instead. */
  JOURNALING_FORBIDDEN_FOR_RELATION = 'JOURNALING_FORBIDDEN_FOR_RELATION',
  /** The conversation has no citizen, so there is no person's file to journal it into. */
  NO_CASE_FILE = 'NO_CASE_FILE',
  /** The chosen case, intervention or assignment is not one you may journal into for this person (see journalTargets). */
  JOURNAL_TARGET_NOT_ALLOWED = 'JOURNAL_TARGET_NOT_ALLOWED',
  /** The message or attachment is already journaled there; a change is a correcting entry. */
  ALREADY_JOURNALED = 'ALREADY_JOURNALED',
  /** The journal entry was already corrected; correct the latest correction instead. */
  JOURNAL_ENTRY_ALREADY_CORRECTED = 'JOURNAL_ENTRY_ALREADY_CORRECTED',
  /** The case document is locked (write-protected) and cannot be changed. */
  CASE_DOCUMENT_LOCKED = 'CASE_DOCUMENT_LOCKED',
  /** The case document must be locked before it can be rendered or sent as PDF. */
  CASE_DOCUMENT_NOT_LOCKED = 'CASE_DOCUMENT_NOT_LOCKED',
  /** The locked case document has no PDF yet: create one ("Skapa PDF") before sending. */
  CASE_DOCUMENT_NO_PDF = 'CASE_DOCUMENT_NO_PDF',
  /** The case document is a file inserted from disk: its PDF is the file itself, no template PDF is made from it. */
  CASE_DOCUMENT_INSERTED = 'CASE_DOCUMENT_INSERTED',
  /** The request itself could not be read (not JSON, or a body over the limit): fix the request; nothing of it was done. */
  BAD_REQUEST = 'BAD_REQUEST',
  /**
   * This server runs without its job queue (notifications are not running here), so the job cannot be queued now:
   * try again in a few minutes; if it persists, ask operations to start the job queue.
   */
  JOB_QUEUE_NOT_RUNNING = 'JOB_QUEUE_NOT_RUNNING',
}

/**
 * The HTTP status of every code: the one table by which every HTTP answer with
 * an error (the file routes, the CSV export, trusted documents, sign-in, the
 * JSON 404, the refusals before a GraphQL operation runs) gets its status.
 * A `Record` over the enum, so a new code does not compile without its status.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.PERSISTED_QUERY_NOT_FOUND]: 400,
  [ErrorCode.OPERATION_NOT_ALLOWED]: 400,
  [ErrorCode.E_SERVICE_NOT_ACTIVATED]: 403,
  [ErrorCode.RELATION_NOT_APPROVED_FOR_MESSAGES]: 400,
  [ErrorCode.RELATION_OUTSIDE_VALIDITY]: 400,
  [ErrorCode.CASE_CLOSED]: 400,
  [ErrorCode.CASE_ALREADY_CLOSED]: 400,
  [ErrorCode.ASSIGNMENT_ALREADY_ENDED]: 400,
  [ErrorCode.END_DATE_BEFORE_START]: 400,
  [ErrorCode.RELATION_READ_ONLY]: 400,
  [ErrorCode.RECIPIENT_NOT_ALLOWED]: 400,
  [ErrorCode.RECIPIENT_NOT_ACTIVATED]: 400,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 400,
  [ErrorCode.FILE_TOO_LARGE]: 413,
  [ErrorCode.TOO_MANY_FILES]: 400,
  [ErrorCode.UNSUPPORTED_FILE_TYPE]: 415,
  [ErrorCode.JOURNALING_FORBIDDEN_FOR_RELATION]: 400,
  [ErrorCode.NO_CASE_FILE]: 400,
  [ErrorCode.JOURNAL_TARGET_NOT_ALLOWED]: 400,
  [ErrorCode.ALREADY_JOURNALED]: 400,
  [ErrorCode.JOURNAL_ENTRY_ALREADY_CORRECTED]: 400,
  [ErrorCode.CASE_DOCUMENT_LOCKED]: 400,
  [ErrorCode.CASE_DOCUMENT_NOT_LOCKED]: 409,
  [ErrorCode.CASE_DOCUMENT_NO_PDF]: 400,
  [ErrorCode.CASE_DOCUMENT_INSERTED]: 400,
  // The body reader's own status when it gives one (413 for a body over the limit), else this.
  [ErrorCode.BAD_REQUEST]: 400,
  [ErrorCode.JOB_QUEUE_NOT_RUNNING]: 503,
};

/** The HTTP status for a code; graphql-js's and Apollo's own codes (a bad document) are 400. */
export const httpStatusOf = (code: string): number => HTTP_STATUS[code as ErrorCode] ?? 400;

/**
 * Over GraphQL an error sits beside the data in a 200 answer; only these codes
 * decide the status of the whole response (Apollo's `extensions.http`).
 */
const decidesGraphQLResponse = new Set<string>([ErrorCode.UNAUTHENTICATED]);

/** Apollo's `extensions.http` for an error that decides the whole response (a refusal before anything runs, or a code above). */
export const httpExtension = (code: string) => ({ http: { status: httpStatusOf(code) } });

/** An expected failure: a code a client can branch on and a message that says what to do. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, {
      extensions: { code, ...extensions, ...(decidesGraphQLResponse.has(code) ? httpExtension(code) : {}) },
    });
  }
}

export const notFound = (what: string) =>
  new AppError(
    ErrorCode.NOT_FOUND,
    `No ${what} with that id exists, or you do not have access to it. Check the id, or ask the responsible caseworker.`,
  );

export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);

export const badInput = (field: string, message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message, { field });

export const unauthenticated = (message = 'Sign in first: send a valid bearer token in the Authorization header.') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

/** Codes produced by graphql-js and Apollo themselves for bad documents; passed through as they are. */
const passThroughCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
/**
 * INTERNAL_SERVER_ERROR is not among them: Apollo gives that code to every
 * error that has none (a failed SQL statement, a bug), so it marks exactly
 * the errors whose message must not reach a client.
 */
const knownCodes = new Set<string>([...Object.values(ErrorCode), ...passThroughCodes]);
knownCodes.delete(ErrorCode.INTERNAL_SERVER_ERROR);

/**
 * Masks everything that is not an expected failure: no stack, SQL or internal
 * message reaches a client; the request id lets operators find the log line.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  opts: { requestId?: string; exposeDetails: boolean; log: (err: unknown) => void },
): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  if (code && knownCodes.has(code)) {
    const { stacktrace: _s, http: _h, ...extensions } = formatted.extensions ?? {};
    // graphql-js's variable coercion errors (BAD_USER_INPUT, the user's fault, kept) may end in a "Did you mean" hint
    // naming hidden enum values or fields.
    return {
      ...formatted,
      message: code === (ErrorCode.BAD_USER_INPUT as string) ? withoutSuggestion(formatted.message) : formatted.message,
      extensions,
    };
  }
  opts.log(error);
  return {
    message: `Something went wrong on our side. Try again; if it keeps happening, contact support and quote request id ${opts.requestId ?? 'unknown'}.`,
    path: formatted.path,
    locations: formatted.locations,
    extensions: {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      requestId: opts.requestId,
      ...(opts.exposeDetails ? { detail: formatted.message } : {}),
    },
  };
}

/** graphql-js's trailing "Did you mean …?" (Apollo strips the same from validation errors). */
const withoutSuggestion = (message: string) => message.replace(/ ?Did you mean(.+?)\?$/, '');
