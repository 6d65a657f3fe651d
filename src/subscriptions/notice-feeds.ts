import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Viewer } from '../auth/viewer';
import { log } from '../log';
import type { NoticeBus } from './bus';

/** What one read returns: items oldest first, each with its cursor, and the cursor to read after next. */
export interface FeedPage<T> {
  items: T[];
  cursor: string;
  hasMore: boolean;
}

/** How a feed reads the database; the items it returns are shared by every subscriber of the read. */
export interface FeedReader<T extends { cursor: string }> {
  /** The cursor to start from when a subscriber gives none (nothing before it is sent). */
  start(viewer: Viewer): Promise<string>;
  /** The items after the cursor that this viewer, as they are now, may see. */
  after(viewer: Viewer, cursor: string): Promise<FeedPage<T>>;
}

/** One live subscription on a feed. */
interface Subscriber<T> {
  /** Everything up to here is sent (or queued to be sent, in order). */
  cursor: bigint;
  /** The subscriber's own catch-up is done; from now on the feed's shared reads serve it. */
  live: boolean;
  ended: boolean;
  revalidate(): Promise<Viewer | null>;
  deliver(items: T[]): void;
  end(err?: unknown): void;
}

/**
 * The viewers whose reads may be shared: the same account (one topic) with the
 * same role sees the same notices (a role change re-checks the sockets, and
 * between those checks two sockets may briefly hold different roles).
 */
const readShape = (v: Viewer): string => (v.kind === 'staff' ? `staff:${v.role}` : 'citizen');

/** Subscribers served per event-loop turn by one shared read. */
const DELIVERY_SLICE = 100;

/**
 * One viewer's notices on this instance: one bus
 * subscription for all their sockets, and one database read per wake-up
 * shared by every subscription that is due, whatever their cursors (the read
 * starts at the lowest; each gets only what is after its own). Each
 * subscription's caller is re-checked before the read (SocketAuth.forEvent),
 * and the read itself applies the viewer's current mailboxes and
 * conversations, so access is still checked per event.
 */
class Feed<T extends { cursor: string }> {
  readonly subscribers = new Set<Subscriber<T>>();
  private highest = 0n;
  private running = false;
  private again = false;
  private readonly wakeUps: AsyncIterableIterator<{ seq: string }>;

  constructor(
    bus: NoticeBus,
    topic: string,
    private readonly reader: FeedReader<T>,
  ) {
    this.wakeUps = bus.subscribe(topic);
    void this.listen();
  }

  close(): void {
    void this.wakeUps.return?.();
  }

  /** Reads for the subscribers behind the latest wake-up; one run at a time, again when woken meanwhile. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.drainOnce();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  /** Whether a subscriber at this cursor has missed a wake-up. */
  behind(cursor: bigint): boolean {
    return cursor < this.highest;
  }

  private async listen(): Promise<void> {
    try {
      for await (const wake of this.wakeUps) {
        const seq = BigInt(wake.seq);
        // Seqs grow in commit order: a wake-up at or below what was read brings nothing new.
        if (seq <= this.highest) continue;
        this.highest = seq;
        void this.drain();
      }
    } catch (err) {
      log.error('listening for notices failed', { err });
    }
  }

  private async drainOnce(): Promise<void> {
    const due = [...this.subscribers].filter((s) => s.live && !s.ended && s.cursor < this.highest);
    if (!due.length) return;
    const groups = new Map<string, { viewer: Viewer; subscribers: Subscriber<T>[] }>();
    await Promise.all(
      due.map(async (s) => {
        const viewer = await s.revalidate().catch((err: unknown) => s.end(err));
        if (!viewer) return s.end();
        const key = readShape(viewer);
        const group = groups.get(key) ?? { viewer, subscribers: [] };
        group.subscribers.push(s);
        groups.set(key, group);
      }),
    );
    for (const group of groups.values()) await this.readFor(group.viewer, group.subscribers);
  }

  private async readFor(viewer: Viewer, subscribers: Subscriber<T>[]): Promise<void> {
    let cursor = subscribers.reduce((min, s) => (s.cursor < min ? s.cursor : min), subscribers[0].cursor);
    for (;;) {
      let page: FeedPage<T>;
      try {
        page = await this.reader.after(viewer, cursor.toString());
      } catch (err) {
        for (const s of subscribers) s.end(err);
        return;
      }
      const cursors = page.items.map((i) => BigInt(i.cursor));
      const next = BigInt(page.cursor);
      for (let i = 0; i < subscribers.length; i++) {
        // Each slice's sends go out before the next slice: other work (the sender's own response) is not held up behind thousands.
        if (i && i % DELIVERY_SLICE === 0) await nextTurn();
        const s = subscribers[i];
        if (s.ended) continue;
        // Items are oldest first: each subscriber gets the tail after its own cursor (usually all of them, the same array).
        let from = 0;
        while (from < cursors.length && cursors[from] <= s.cursor) from++;
        s.deliver(from ? page.items.slice(from) : page.items);
        if (next > s.cursor) s.cursor = next;
      }
      cursor = next;
      if (!page.hasMore) return;
    }
  }
}

/**
 * The notice feeds of one server instance, one per viewer topic with a live
 * subscription. A subscription first catches up on its own (from its cursor,
 * with its own reads), listening from before that read, then joins its
 * viewer's shared reads: delivery stays in cursor order with no gap and no
 * duplicate.
 */
export class NoticeFeeds<T extends { cursor: string }> {
  private readonly feeds = new Map<string, Feed<T>>();

  constructor(
    private readonly bus: NoticeBus,
    private readonly reader: FeedReader<T>,
  ) {}

  /** Live viewer topics on this instance (for tests and the bench). */
  get size(): number {
    return this.feeds.size;
  }

  /**
   * A viewer's live items after `after` (or from now). The stream's `return()` (a client's "complete", the
   * socket closing) ends it at once, even while it waits for the next wake-up. Ends when `revalidate` refuses
   * (the socket is then closing with 4403).
   */
  stream(topic: string, after: string | null, revalidate: () => Promise<Viewer | null>): AsyncIterableIterator<T> {
    const feed = this.feedFor(topic);
    const subscriber: Subscriber<T> = {
      cursor: 0n,
      live: false,
      ended: false,
      revalidate,
      // Each socket takes its items in order at its own pace; a slow one does not hold up the others.
      deliver: (items) => outlet.push(items),
      end: (err) => {
        subscriber.ended = true;
        outlet.end(err);
      },
    };
    const outlet = new Outlet<T>(() => this.leave(topic, feed, subscriber));
    // Listening (the feed's bus subscription) starts before the catch-up read.
    feed.subscribers.add(subscriber);
    void this.goLive(feed, subscriber, outlet, after);
    return outlet;
  }

  private async goLive(
    feed: Feed<T>,
    subscriber: Subscriber<T>,
    outlet: Outlet<T>,
    after: string | null,
  ): Promise<void> {
    try {
      const cursor = await this.catchUp(
        after,
        () => subscriber.revalidate(),
        outlet,
        () => subscriber.ended,
      );
      if (cursor === null) return subscriber.end();
      subscriber.cursor = BigInt(cursor);
      subscriber.live = true;
      // A wake-up that came during the catch-up is served now.
      if (feed.behind(subscriber.cursor)) void feed.drain();
    } catch (err) {
      subscriber.end(err);
    }
  }

  /** The subscriber's own reads up to now; its cursor, or null when its caller was refused. */
  private async catchUp(
    after: string | null,
    revalidate: () => Promise<Viewer | null>,
    outlet: Outlet<T>,
    ended: () => boolean,
  ): Promise<string | null> {
    let viewer = await revalidate();
    if (!viewer) return null;
    // Without a cursor: from now. Anything committed after this read wakes the feed, which already listens.
    if (after === null) return this.reader.start(viewer);
    let cursor = after;
    for (;;) {
      if (ended()) return cursor;
      const page = await this.reader.after(viewer, cursor);
      // The next page is read once the socket has taken this one.
      outlet.push(page.items);
      await outlet.taken();
      cursor = page.cursor;
      if (!page.hasMore) return cursor;
      viewer = await revalidate();
      if (!viewer) return null;
    }
  }

  private feedFor(topic: string): Feed<T> {
    let feed = this.feeds.get(topic);
    if (!feed) {
      feed = new Feed(this.bus, topic, this.reader);
      this.feeds.set(topic, feed);
    }
    return feed;
  }

  private leave(topic: string, feed: Feed<T>, subscriber: Subscriber<T>): void {
    subscriber.ended = true;
    feed.subscribers.delete(subscriber);
    if (feed.subscribers.size || this.feeds.get(topic) !== feed) return;
    this.feeds.delete(topic);
    feed.close();
  }
}

/**
 * One subscription's items, queued in order and handed to its consumer (graphql-ws) as it asks: no promise per
 * item, as a wake-up reaches thousands of these. `end` finishes it after what is queued (with the error, if
 * any, then); `return` finishes it at once.
 */
class Outlet<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (step: IteratorResult<T>) => void; reject: (err: unknown) => void } | null = null;
  private closing: { err?: unknown } | null = null;
  private done = false;
  private takers: (() => void)[] = [];

  constructor(private readonly onDone: () => void) {}

  push(items: readonly T[]): void {
    if (this.done || this.closing || !items.length) return;
    let i = 0;
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      waiting.resolve({ value: items[i++], done: false });
    }
    for (; i < items.length; i++) this.queue.push(items[i]);
  }

  end(err?: unknown): void {
    if (this.done || this.closing) return;
    this.closing = { err };
    if (this.waiting) {
      const waiting = this.waiting;
      this.waiting = null;
      this.finish().then(waiting.resolve, waiting.reject);
    }
  }

  /** Resolves once the consumer has taken everything queued and asks for more (or the stream is done). */
  taken(): Promise<void> {
    if (this.done || (this.waiting && !this.queue.length)) return Promise.resolve();
    return new Promise((resolve) => this.takers.push(resolve));
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    this.release();
    if (this.closing) return this.finish();
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.closing = null;
    const waiting = this.waiting;
    this.waiting = null;
    this.stop();
    waiting?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): Promise<IteratorResult<T>> {
    const err = this.closing?.err;
    this.closing = null;
    this.stop();
    if (err === undefined) return Promise.resolve({ value: undefined, done: true });
    return Promise.reject(err instanceof Error ? err : new Error('The notice stream failed.', { cause: err }));
  }

  private stop(): void {
    if (this.done) return;
    this.done = true;
    this.release();
    this.onDone();
  }

  private release(): void {
    const takers = this.takers;
    this.takers = [];
    for (const take of takers) take();
  }
}
