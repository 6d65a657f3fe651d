import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A live subscription through a real graphql-ws client, collecting what arrives. */
export interface Subscriber<T> {
  events: T[];
  errors: unknown[];
  /** Resolves when `predicate` holds for the collected events; rejects after `ms`. */
  waitFor(predicate: (events: T[]) => boolean, ms?: number, what?: string): Promise<T[]>;
  close(): Promise<void>;
  client: Client;
  /** Resolves with the close code when the socket closes (4403 when refused). */
  closed: Promise<number>;
  /** Resolves when the server ends the subscription. */
  completed: Promise<void>;
}

export async function subscribe<T, V extends Record<string, unknown>>(
  wsUrl: string,
  token: string | undefined,
  doc: TypedDocumentNode<T, V>,
  variables?: V,
): Promise<Subscriber<T>> {
  let closeEvent: { code: number; reason: string } | undefined;
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  let onCompleted!: () => void;
  const completed = new Promise<void>((resolve) => (onCompleted = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    // A refused connection is reported through `closed` below; the client would otherwise print it.
    onNonLazyError: () => undefined,
    on: {
      closed: (e) => {
        closeEvent = e as never;
        onClosed((e as { code: number }).code);
      },
    },
  });
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  let acknowledged!: () => void;
  const subscribed = new Promise<void>((resolve) => (acknowledged = resolve));
  client.on('connected', () => acknowledged());
  client.on('closed', () => acknowledged());
  const unsubscribe = client.subscribe<T>(
    { query: print(doc), variables: variables as Record<string, unknown> | undefined },
    {
      next: (value) => {
        if (value.data) events.push(value.data as T);
        if (value.errors) errors.push(...value.errors);
        notify();
      },
      error: (err) => {
        errors.push(err);
        notify();
      },
      complete: () => {
        onCompleted();
        notify();
      },
    },
  );
  await subscribed;
  return {
    events,
    errors,
    client,
    closed,
    completed,
    waitFor(predicate, ms = 5000, what = 'events') {
      return new Promise<T[]>((resolve, reject) => {
        const check = () => {
          if (predicate(events)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(events);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `timed out waiting for ${what}; got ${JSON.stringify(events)} errors ${JSON.stringify(errors)} close ${JSON.stringify(closeEvent)}`,
            ),
          );
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}
