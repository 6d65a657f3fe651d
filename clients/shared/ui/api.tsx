import {
  Client,
  cacheExchange,
  fetchExchange,
  makeOperation,
  mapExchange,
  stringifyDocument,
  type CombinedError,
  type TypedDocumentNode,
} from '@urql/core';
import type { DocumentNode } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { reconnectDelay } from '../reconnect';

/** A failure the page handles as a whole rather than where it happened. */
export interface ApiEvents {
  /** 401 / UNAUTHENTICATED: the session ended or was idle too long. */
  onUnauthenticated(): void;
  /** An answer for this session came back (the server's idle clock moved). */
  onActivity?(): void;
}

/** True when the error means "sign in again". */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  const status = (error.response as Response | undefined)?.status;
  return status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/** The first error code of a result, e.g. E_SERVICE_NOT_ACTIVATED or BAD_USER_INPUT. */
export function errorCode(error: CombinedError | undefined): string | undefined {
  if (!error) return undefined;
  if (isUnauthenticated(error)) return 'UNAUTHENTICATED';
  const code = error.graphQLErrors.find((e) => e.extensions?.code)?.extensions?.code;
  if (typeof code === 'string') return code;
  return error.networkError ? 'NETWORK' : undefined;
}

/** The `field` a BAD_USER_INPUT names, for showing the error next to it. */
export function errorField(error: CombinedError | undefined): string | undefined {
  const field = error?.graphQLErrors.find((e) => e.extensions?.field)?.extensions?.field;
  return typeof field === 'string' ? field : undefined;
}

/** The sha256 codegen put on a generated document (codegen.ts, persistedDocuments), without its `sha256:` prefix. */
export function documentHash(doc: DocumentNode): string | undefined {
  const hash = (doc as DocumentNode & { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash.replace(/^sha256:/, '') : undefined;
}

/** A trusted document goes by its hash alone (the server has its text): `extensions.persistedQuery`, which urql's fetch then sends without the query. */
export const persistedDocumentExtensions = (doc: DocumentNode) => {
  const sha256Hash = documentHash(doc);
  return sha256Hash ? { persistedQuery: { version: 1 as const, sha256Hash } } : undefined;
};

export interface WebApi {
  client: Client;
  ws: WsClient;
  dispose(): void;
}

/**
 * The API as the browser uses it: POST /graphql with the session cookie
 * (same origin; Apollo's CSRF prevention is satisfied by the JSON content
 * type), and the websocket on the same host, where the browser sends the
 * cookie and its Origin itself. No token ever passes through JavaScript.
 */
export function createWebApi(events: ApiEvents): WebApi {
  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      // Our pages' operations are trusted documents: only their hash is sent (src/http/trusted-documents.ts).
      mapExchange({
        onOperation(operation) {
          const extensions = operation.kind === 'teardown' ? undefined : persistedDocumentExtensions(operation.query);
          if (!extensions) return operation;
          return makeOperation(
            operation.kind,
            { ...operation, extensions: { ...operation.extensions, ...extensions } },
            operation.context,
          );
        },
        onError(error) {
          if (isUnauthenticated(error)) events.onUnauthenticated();
        },
        onResult(result) {
          if (!isUnauthenticated(result.error) && !result.error?.networkError) events.onActivity?.();
        },
      }),
      fetchExchange,
    ],
  });
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  // Reconnects are the notice feed's job (it resubscribes from its cursor), so graphql-ws does not retry on its own.
  const ws = createWsClient({ url: wsUrl, lazy: true, retryAttempts: 0, keepAlive: 15_000 });
  return { client, ws, dispose: () => void ws.dispose() };
}

/** The notice fields the feed needs; the generated NoticeFieldsFragment has them. */
export interface NoticeLike {
  cursor: string;
}

export interface NoticeDocuments<N extends NoticeLike> {
  subscription: TypedDocumentNode<{ notices: N }, { after?: string | null }>;
  since: TypedDocumentNode<
    { noticesSince: { notices: N[]; cursor: string; hasMore: boolean } },
    { cursor?: string | null }
  >;
}

export type FeedStatus = 'connecting' | 'live' | 'reconnecting';

/** Cursors grow with every notice (the schema says so); they are decimal strings. */
function after(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * Live notices with no gap and no duplicate across network drops: take the
 * current cursor (noticesSince without one), subscribe after it, remember the
 * last cursor delivered; when the socket drops, wait, catch up over HTTP with
 * noticesSince(cursor) until nothing more, and subscribe again after the
 * newest cursor. A notice at or before the last cursor is never delivered twice.
 */
export function startNoticeFeed<N extends NoticeLike>(
  api: WebApi,
  docs: NoticeDocuments<N>,
  onNotice: (notice: N) => void,
  onStatus: (status: FeedStatus) => void,
): () => void {
  let cursor: string | null = null;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  /** Which attempt is current: callbacks of an earlier subscription (e.g. its complete after we disposed it) are ignored. */
  let attempt = 0;
  let connecting = false;
  const query = stringifyDocument(docs.subscription);

  const deliver = (n: N) => {
    if (cursor !== null && !after(n.cursor, cursor)) return;
    cursor = n.cursor;
    onNotice(n);
  };

  const catchUp = async () => {
    for (;;) {
      const res = await api.client.query(docs.since, { cursor }, { requestPolicy: 'network-only' }).toPromise();
      if (res.error || !res.data) throw res.error ?? new Error('noticesSince answered nothing');
      const page = res.data.noticesSince;
      if (cursor === null) cursor = page.cursor;
      page.notices.forEach(deliver);
      if (!page.hasMore) return;
    }
  };

  const retry = (closed?: unknown) => {
    if (stopped) return;
    attempt++;
    unsubscribe?.();
    unsubscribe = undefined;
    onStatus('reconnecting');
    // Exponential backoff with jitter; longer when the server said "try again later" (1013): clients/shared/reconnect.ts.
    const closeCode =
      typeof (closed as { code?: unknown } | undefined)?.code === 'number'
        ? (closed as { code: number }).code
        : undefined;
    const delay = reconnectDelay(failures++, { closeCode });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void connect(), delay);
  };

  const connect = async () => {
    if (stopped || connecting || unsubscribe) return;
    connecting = true;
    const mine = ++attempt;
    try {
      await catchUp();
    } catch (err) {
      connecting = false;
      // A 401 is the session's business (the client's error hook reports it); keep trying otherwise.
      if (!isUnauthenticated(err as CombinedError) && mine === attempt) retry();
      return;
    }
    connecting = false;
    if (stopped || mine !== attempt) return;
    const stale = () => mine !== attempt;
    unsubscribe = api.ws.subscribe<{ notices: N }>(
      { query, variables: { after: cursor }, extensions: persistedDocumentExtensions(docs.subscription) },
      {
        next: (result) => {
          if (!stale() && result.data) deliver(result.data.notices);
        },
        error: (err) => !stale() && retry(err),
        complete: () => !stale() && retry(),
      },
    );
  };
  const offConnected = api.ws.on('connected', () => {
    failures = 0;
    onStatus('live');
  });
  const offClosed = api.ws.on('closed', () => {
    if (!stopped) onStatus('reconnecting');
  });

  // Back online: try at once instead of waiting out the backoff.
  const online = () => {
    if (unsubscribe || connecting) return;
    clearTimeout(retryTimer);
    void connect();
  };
  window.addEventListener('online', online);
  onStatus('connecting');
  void connect();
  return () => {
    stopped = true;
    attempt++;
    clearTimeout(retryTimer);
    window.removeEventListener('online', online);
    offConnected();
    offClosed();
    unsubscribe?.();
  };
}
