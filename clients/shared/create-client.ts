import { Client, fetchExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { retryWait } from './reconnect';

export interface ApiClientOptions {
  /** The API's HTTP endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** The bearer token, or a function that returns the current one (it is asked again on reconnect). */
  token: string | (() => string | Promise<string>);
  /** Override the websocket URL; by default the HTTP URL with ws(s)://. */
  wsUrl?: string;
  /** A WebSocket implementation for Node.js 20, which has none built in (pass the `ws` package). */
  webSocketImpl?: unknown;
  /** Set false to leave out websocket subscriptions. */
  subscriptions?: boolean;
}

export interface ApiClient {
  client: Client;
  /** The websocket client, when subscriptions are on; dispose it to close the socket. */
  ws?: WsClient;
  close(): Promise<void>;
}

/**
 * An urql client for the API: POST only (Apollo's CSRF prevention refuses
 * simple GETs), the bearer token on every request, and subscriptions over
 * graphql-ws with the token in `connection_init`.
 */
export function createApiClient(opts: ApiClientOptions): ApiClient {
  const getToken = async () => (typeof opts.token === 'function' ? opts.token() : opts.token);
  const exchanges: Exchange[] = [fetchExchange];
  let ws: WsClient | undefined;
  if (opts.subscriptions !== false) {
    ws = createWsClient({
      url: opts.wsUrl ?? opts.url.replace(/^http/, 'ws'),
      webSocketImpl: opts.webSocketImpl,
      lazy: true,
      connectionParams: async () => ({ authorization: `Bearer ${await getToken()}` }),
      // Exponential backoff with jitter, never a reconnect storm (a server at its admission limit closes with 1013: reconnect.ts).
      retryAttempts: 8,
      retryWait,
    });
    const socket = ws;
    exchanges.push(
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    );
  }
  const client = new Client({
    url: opts.url,
    exchanges,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: {} }),
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await getToken()}`);
      return fetch(input, { ...init, headers });
    },
  });
  return {
    client,
    ws,
    close: async () => {
      await ws?.dispose();
    },
  };
}
