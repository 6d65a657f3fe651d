import { Repeater } from '@graphql-yoga/subscription';
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
      for (const s of subscribers) {
        if (s.ended) continue;
        s.deliver(page.items.filter((i) => BigInt(i.cursor) > s.cursor));
        if (BigInt(page.cursor) > s.cursor) s.cursor = BigInt(page.cursor);
      }
      cursor = BigInt(page.cursor);
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
   * A viewer's live items after `after` (or from now). A Repeater, not an
   * async generator: a client's "complete" must end the stream at once, even
   * while it waits for the next wake-up. Ends when `revalidate` refuses (the
   * socket is then closing with 4403).
   */
  stream(topic: string, after: string | null, revalidate: () => Promise<Viewer | null>): Repeater<T> {
    return new Repeater<T>(async (push, stop) => {
      const feed = this.feedFor(topic);
      let sending = Promise.resolve();
      const subscriber: Subscriber<T> = {
        cursor: 0n,
        live: false,
        ended: false,
        revalidate,
        deliver: (items) => {
          // Each socket gets its items in order at its own pace; a slow one does not hold up the others.
          if (items.length) sending = sending.then(() => pushAll(push, items)).catch(() => undefined);
        },
        end: (err) => {
          subscriber.ended = true;
          void sending.then(() => stop(err));
        },
      };
      // Listening (the feed's bus subscription) starts before the catch-up read.
      feed.subscribers.add(subscriber);
      void stop.then(() => this.leave(topic, feed, subscriber));
      try {
        const cursor = await this.catchUp(after, revalidate, push, () => subscriber.ended);
        if (cursor === null) return subscriber.end();
        subscriber.cursor = BigInt(cursor);
        subscriber.live = true;
        // A wake-up that came during the catch-up is served now.
        if (feed.behind(subscriber.cursor)) void feed.drain();
      } catch (err) {
        subscriber.end(err);
      }
    });
  }

  /** The subscriber's own reads up to now; its cursor, or null when its caller was refused. */
  private async catchUp(
    after: string | null,
    revalidate: () => Promise<Viewer | null>,
    push: (item: T) => Promise<unknown>,
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
      await pushAll(push, page.items);
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

async function pushAll<T>(push: (item: T) => Promise<unknown>, items: T[]): Promise<void> {
  for (const item of items) await push(item);
}
