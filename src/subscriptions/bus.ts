import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type Redis from 'ioredis';
import { setMaxListeners } from 'node:events';

/** The wake-up a server instance sends to a viewer's topic after a commit: "look for notices after this seq". */
export interface NoticeWakeUp {
  seq: string;
}

/** An account's access may have changed (disabled, role or unit changed): connections of that account re-check it now. */
export interface AccountChange {
  kind: 'staff' | 'citizen';
  id: string;
}

type Channels = { notice: [topic: string, payload: NoticeWakeUp]; account: [payload: AccountChange] };

/**
 * Fan-out of notices to every server instance: through Redis pub/sub when
 * REDIS_URL is set (PUBLISH is cheap next to PostgreSQL NOTIFY), else in
 * process. Topics are per viewer: `STAFF:<id>` or `PERSON:<id>`.
 */
export interface NoticeBus {
  publish(topic: string, wakeUp: NoticeWakeUp): void;
  /** Listens from the moment it returns: a wake-up published before the caller's first read is kept for it. */
  subscribe(topic: string): AsyncIterableIterator<NoticeWakeUp>;
  /** Tells every instance, after the change is committed, that an account's access changed. */
  announceAccountChange(change: AccountChange): void;
  /**
   * Every account change, on one channel per instance (not a topic per
   * account: one Redis subscription serves all of an instance's sockets).
   * Returns the function that stops listening.
   */
  onAccountChange(listener: (change: AccountChange) => void): () => void;
  close(): Promise<void>;
}

export function createNoticeBus(redisUrl?: string): NoticeBus {
  let clients: Redis[] = [];
  let pubSub: PubSub<Channels>;
  if (redisUrl) {
    // Loaded only when Redis is used: ioredis cost every `npm start` without REDIS_URL ~0.05 s (issue 12 item 4).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: Redis } = require('ioredis') as typeof import('ioredis');
    const publishClient = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    const subscribeClient = new Redis(redisUrl, { maxRetriesPerRequest: null });
    clients = [publishClient, subscribeClient];
    pubSub = createPubSub<Channels>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  } else {
    // Topics are per viewer, and a viewer with several tabs and shared mailboxes holds a listener for each
    // live subscription; Node's default warning at 10 listeners would fire on ordinary use. The number of
    // listeners is bounded by the per-socket operation limit times the viewer's sockets.
    const eventTarget = new EventTarget();
    setMaxListeners(0, eventTarget);
    pubSub = createPubSub<Channels>({ eventTarget });
  }
  return {
    publish: (topic, wakeUp) => pubSub.publish('notice', topic, wakeUp),
    subscribe: (topic) => listeningNow(pubSub.subscribe('notice', topic)),
    announceAccountChange: (change) => pubSub.publish('account', change),
    onAccountChange(listener) {
      const changes = listeningNow(pubSub.subscribe('account'));
      void (async () => {
        for await (const change of changes) listener(change);
      })();
      return () => void changes.return?.();
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

/**
 * A pub/sub Repeater adds its listener only on its first next(). The notice
 * stream subscribes, then reads what it missed, then waits: a wake-up in
 * between would be lost. So the first next() is asked for at once and handed
 * to the caller's first read.
 */
function listeningNow<T>(source: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let first: Promise<IteratorResult<T>> | undefined = source.next();
  return {
    next: () => {
      const pending = first ?? source.next();
      first = undefined;
      return pending;
    },
    return: async (value?: unknown) => source.return?.(value) ?? { done: true, value: undefined },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
