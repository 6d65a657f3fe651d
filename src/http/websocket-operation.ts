import { randomUUID } from 'node:crypto';
import {
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { Context as SocketContext, SubscribePayload } from 'graphql-ws';
import type { EntityManager } from '@mikro-orm/postgresql';
import { bearer } from '../auth/authenticate';
import type { Viewer } from '../auth/viewer';
import type { Config } from '../config';
import { createContext, type ContextServices } from '../context';
import type { Orm } from '../db/orm';
import { ErrorCode, unauthenticated } from '../errors';
import { findNul, nulError, nulInDocument } from '../input-guard';
import { log } from '../log';
import { DocumentCache } from '../subscriptions/document-cache';
import { isSubscription, subscriptionContext } from '../subscriptions/subscription-context';
import type { SocketAuth } from '../subscriptions/ws-auth';
import { trustedWebSocketDocument, type TrustedDocumentsOptions } from './trusted-documents';

/** Live operations one websocket may hold at once. */
export const MAX_OPERATIONS_PER_SOCKET = 20;

/** What graphql-ws keeps for each socket: the caller it was opened by, set once the socket is admitted. */
export type SocketExtra = { auth?: SocketAuth };
export type OperationSocket = SocketContext<Record<string, unknown> | undefined, SocketExtra>;

export interface SocketOperationDeps {
  schema: GraphQLSchema;
  config: Config;
  orm: Orm;
  trusted: TrustedDocumentsOptions;
  /** graphql-js's rules and the abuse limits (src/security.ts), as Apollo applies them over HTTP. */
  validationRules: readonly ValidationRule[];
  services: ContextServices;
}

/**
 * Document errors on the websocket, shaped as Apollo shapes them over HTTP:
 * a code, and no "Did you mean" hints that would map a hidden schema.
 */
function refusal(
  errors: readonly GraphQLError[],
  code: 'GRAPHQL_PARSE_FAILED' | 'GRAPHQL_VALIDATION_FAILED',
): GraphQLError[] {
  return errors.map(
    (e) =>
      new GraphQLError(e.message.replace(/ ?Did you mean(.+?)\?$/, ''), {
        source: e.source,
        positions: e.positions,
        extensions: { ...e.extensions, code },
      }),
  );
}

/**
 * One socket may not hold an unbounded number of live operations (each keeps a stream open).
 * graphql-ws has already registered this id, and drops an id the moment the client's Complete
 * message arrives (its stream winds down after that), so a completed operation frees its place at once.
 */
function overOperationLimit(socket: OperationSocket): GraphQLError[] | undefined {
  if (Object.keys(socket.subscriptions).length <= MAX_OPERATIONS_PER_SOCKET) return undefined;
  const message = `At most ${MAX_OPERATIONS_PER_SOCKET} operations may run at once on one connection. Complete one first.`;
  return [new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
}

const TRUSTED_REFUSALS = {
  PERSISTED_QUERY_NOT_FOUND:
    'This server does not know the document the operation names (an older or newer page?). Reload the page.',
  OPERATION_NOT_ALLOWED:
    "A browser session may run only the operations of this service's own pages. " +
    'To send your own documents, connect with a bearer token.',
} as const;

/** A browser session's socket runs only the web UIs' documents (in production); a hash names one of them. */
function documentText(
  trusted: TrustedDocumentsOptions,
  socket: OperationSocket,
  payload: SubscribePayload,
): string | GraphQLError[] {
  const params = socket.connectionParams;
  const session = !bearer(params?.authorization ?? params?.Authorization ?? params?.token);
  const chosen = trustedWebSocketDocument(trusted, session, payload);
  if ('query' in chosen) return chosen.query;
  return [new GraphQLError(TRUSTED_REFUSALS[chosen.refused], { extensions: { code: chosen.refused } })];
}

/** The document parsed and validated as over HTTP (kept by its text: src/subscriptions/document-cache.ts), and without NUL characters (src/input-guard.ts). */
function checkedDocument(
  deps: SocketOperationDeps,
  documents: DocumentCache,
  text: string,
  payload: SubscribePayload,
): DocumentNode | GraphQLError[] {
  const document = documents.get(text, () => validDocument(deps, text));
  if (Array.isArray(document)) return document;
  const nulAt = findNul(payload.variables ?? {}) ?? (nulInDocument(document) ? 'the document' : undefined);
  return nulAt ? [nulError(nulAt)] : document;
}

function validDocument(deps: SocketOperationDeps, text: string): DocumentNode | GraphQLError[] {
  let document;
  try {
    document = parse(text, { maxTokens: deps.config.limits.maxTokens });
  } catch (err) {
    return refusal(
      [err instanceof GraphQLError ? err : new GraphQLError('The document could not be parsed.')],
      'GRAPHQL_PARSE_FAILED',
    );
  }
  const errors = validate(deps.schema, document, deps.validationRules, { hideSuggestions: true });
  return errors.length ? refusal(errors, 'GRAPHQL_VALIDATION_FAILED') : document;
}

/** Never the rights the socket opened with: the caller as they are now (the socket is closed with 4403 if no longer allowed). */
async function currentCaller(auth: SocketAuth, em: EntityManager | null): Promise<Viewer | GraphQLError[]> {
  let viewer;
  try {
    // A subscription (no EntityManager of its own) gets a copy of the caller; any other operation its entity.
    viewer = await (em ? auth.forOperation(em) : auth.forSubscription());
  } catch (err) {
    // The lookup itself failed (e.g. the database is unreachable): this operation fails, the socket stays (a throw here would close it with 4500).
    const requestId = randomUUID();
    log.error('unexpected error', { err, requestId });
    const message = `Something went wrong on our side. Try again; if it keeps happening, contact support and quote request id ${requestId}.`;
    return [new GraphQLError(message, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } })];
  }
  return viewer ?? [unauthenticated('Your sign-in is no longer valid. Sign in again and reconnect.')];
}

/**
 * graphql-ws's `onSubscribe`: every operation on a socket passes the checks an
 * HTTP request passes (operation limit, trusted documents, parse, validation,
 * NUL guard, the caller looked up again) and runs with its own context.
 */
export function prepareSocketOperation(deps: SocketOperationDeps) {
  const documents = new DocumentCache();
  return async (
    socket: OperationSocket,
    _id: string,
    payload: SubscribePayload,
  ): Promise<ExecutionArgs | GraphQLError[]> => {
    const limited = overOperationLimit(socket);
    if (limited) return limited;
    const text = documentText(deps.trusted, socket, payload);
    if (Array.isArray(text)) return text;
    const document = checkedDocument(deps, documents, text, payload);
    if (Array.isArray(document)) return document;
    const auth = socket.extra.auth!;
    const subscription = isSubscription(document, payload.operationName);
    const em = subscription ? null : deps.orm.em.fork();
    const viewer = await currentCaller(auth, em);
    if (Array.isArray(viewer)) return viewer;
    return {
      schema: deps.schema,
      operationName: payload.operationName,
      document,
      variableValues: payload.variables,
      // No "Did you mean" in variable errors either, as over HTTP (Apollo's hideSchemaDetailsFromClientErrors).
      hideSuggestions: true,
      // A subscription lives on: it keeps a slim context (no DataLoaders, no forked EntityManager: src/subscriptions/subscription-context.ts).
      contextValue: !em
        ? subscriptionContext({ auth, root: deps.orm.em, bus: deps.services.bus })
        : createContext({
            ...deps.services,
            requestId: randomUUID(),
            em,
            viewer,
            authFailure: null,
            revalidate: auth.revalidate,
          }),
    };
  };
}
