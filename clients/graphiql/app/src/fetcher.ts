import { createClient, type Client } from 'graphql-ws';
import { parse, type OperationDefinitionNode } from 'graphql';

type Params = { query: string; operationName?: string | null; variables?: Record<string, unknown> | null };
type Options = { headers?: Record<string, unknown> };
type Result = Record<string, unknown>;

/** Is the operation to run (by name, or the only one) a subscription? A document that does not parse goes over HTTP and gets its error from there. */
function isSubscription(params: Params): boolean {
  try {
    const operations = parse(params.query).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
    );
    const op = params.operationName
      ? operations.find((o) => o.name?.value === params.operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    return op?.operation === 'subscription';
  } catch {
    return false;
  }
}

function authorizationOf(headers: Record<string, unknown> | undefined): string | undefined {
  for (const [name, value] of Object.entries(headers ?? {}))
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  return undefined;
}

/**
 * GraphiQL's fetcher: HTTP POST to the same origin (the session cookie goes
 * along; the Headers editor's headers are added), subscriptions over one
 * graphql-ws connection per Authorization header (the cookie goes with the
 * upgrade; a pasted token in connection_init, as the API expects).
 */
export function createFetcher(opts: { url: string }) {
  const wsUrl = new URL(opts.url, location.href);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const sockets = new Map<string, Client>();
  const socketFor = (authorization: string | undefined): Client => {
    const key = authorization ?? '';
    let client = sockets.get(key);
    if (!client) {
      client = createClient({ url: wsUrl.href, lazy: true, connectionParams: authorization ? { authorization } : {} });
      sockets.set(key, client);
    }
    return client;
  };

  return (params: Params, fetchOpts?: Options): Promise<Result> | AsyncIterable<Result> => {
    const headers = Object.fromEntries(
      Object.entries(fetchOpts?.headers ?? {}).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    if (isSubscription(params)) {
      return socketFor(authorizationOf(headers)).iterate({
        query: params.query,
        operationName: params.operationName ?? undefined,
        variables: params.variables ?? undefined,
      }) as AsyncIterable<Result>;
    }
    return fetch(opts.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        ...headers,
        'content-type': 'application/json',
      },
      body: JSON.stringify(params),
    }).then((res) => res.json() as Promise<Result>);
  };
}
