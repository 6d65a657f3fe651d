import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import WebSocket from 'ws';
import { createApiClient } from '../../clients/shared/create-client';
import type { TestServer } from './server';

export interface ApiResult<T> {
  data: T | undefined;
  /** `extensions.code` of every error, in order. */
  codes: string[];
  errors: { message: string; extensions?: Record<string, unknown>; path?: readonly (string | number)[] }[];
}

/** Calls the API as one signed-in user through the same urql client the UIs use. */
export function apiAs(t: Pick<TestServer, 'url'>, token: string) {
  const { client, close } = createApiClient({ url: t.url, token, webSocketImpl: WebSocket, subscriptions: false });
  const wrap = <T>(r: { data?: T; error?: { graphQLErrors: any[]; networkError?: Error } }): ApiResult<T> => {
    if (r.error?.networkError) throw r.error.networkError;
    const errors = (r.error?.graphQLErrors ?? []).map((e) => ({
      message: e.message,
      extensions: e.extensions,
      path: e.path,
    }));
    return { data: r.data ?? undefined, errors, codes: errors.map((e) => String(e.extensions?.code)) };
  };
  return {
    query: async <T, V extends object>(doc: TypedDocumentNode<T, V>, variables?: V) =>
      wrap<T>(await client.query(doc, (variables ?? {}) as V).toPromise()),
    mutate: async <T, V extends object>(doc: TypedDocumentNode<T, V>, variables?: V) =>
      wrap<T>(await client.mutation(doc, (variables ?? {}) as V).toPromise()),
    close,
  };
}

/** A raw HTTP POST, for asserting status codes and bodies exactly as they go over the wire. */
export async function postRaw(
  url: string,
  body: unknown,
  opts: { token?: string; headers?: Record<string, string>; contentType?: string } = {},
): Promise<{ status: number; contentType: string | null; body: any; text: string }> {
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/json',
    ...(opts.headers ?? {}),
  };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), body: parsed, text };
}

export const printDoc = (doc: DocumentNode) => print(doc);
