import { Arg, Ctx, Extensions, Field, ID, Int, ObjectType, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Authorized } from '../auth/auth-checker';
import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import type { Context } from '../context';
import { noticeStarts, noticesSince, noticesSinceMany, parseCursor, type NoticeRecord } from '../domain/notice.service';
import { NoticeKind } from '../entities/notice';
import { PartyKind } from '../entities/party';
import { partyNameLoader } from '../loaders';
import type { NoticeBus } from '../subscriptions/bus';
import { NoticeFeeds, type FeedPage, type FeedReader } from '../subscriptions/notice-feeds';
import { viewerTopic } from '../subscriptions/notice-pipeline';
import { SHARES_EVENT_RESULTS } from '../subscriptions/shared-execution';
import { Party } from './types/party';

type PartyNames = ReturnType<typeof partyNameLoader>;

@ObjectType({
  description:
    'A realtime notice: a new message, a read receipt, or a changed unread count in one of your mailboxes. Never carries message content beyond the subject.',
})
export class Notice {
  @Field({
    description:
      'Grows with every notice: keep the last one you saw and pass it to noticesSince (or notices(after:)) to catch up with no gap and no duplicate.',
  })
  cursor!: string;

  @Field(() => NoticeKind, { description: 'What the notice is about.' })
  kind!: NoticeKind;

  @Field(() => ID, { nullable: true, description: 'The conversation (NEW_MESSAGE, READ_RECEIPT).' })
  conversationId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The message (NEW_MESSAGE, READ_RECEIPT).' })
  messageId!: string | null;

  @Field(() => String, { nullable: true, description: 'Subject of the new message (NEW_MESSAGE).' })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: 'Display name of the sender (NEW_MESSAGE).' })
  senderName!: string | null;

  @Field(() => String, { nullable: true, description: 'Display name of who read your message (READ_RECEIPT).' })
  readerName!: string | null;

  @Field(() => Int, { nullable: true, description: 'Unread messages in the mailbox now (UNREAD_COUNT).' })
  unreadCount!: number | null;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field(() => Party, { description: 'The mailbox the notice is for: yours, or a shared one.' })
  mailbox!: Party;
}

@ObjectType({ description: 'Notices after a cursor, oldest first.' })
class NoticePage {
  @Field(() => [Notice], { description: 'The notices, oldest first (at most 500; fetch again while hasMore).' })
  notices!: Notice[];

  @Field({
    description: 'Pass this next time: the cursor of the last notice here, or the one you sent when there were none.',
  })
  cursor!: string;

  @Field({ description: 'More notices follow.' })
  hasMore!: boolean;
}

/**
 * Notices with their mailbox's name. The stream passes a name loader on the
 * EntityManager of each event: a long-lived subscription must not keep (and
 * cache in) the one it started with.
 */
async function toNotices(names: PartyNames, records: NoticeRecord[]): Promise<Notice[]> {
  return Promise.all(records.map((r) => namedNotice(names, r)));
}

async function namedNotice(names: PartyNames, r: NoticeRecord): Promise<Notice> {
  const [kind, id] = r.partyKey.split(':') as [PartyKind, string];
  const known = (await names.load(r.partyKey)) ?? { name: 'Okänd', title: null };
  return toNotice(r, { kind, id, ...known });
}

function toNotice(r: NoticeRecord, mailbox: Party): Notice {
  const p = r.payload;
  return {
    cursor: r.seq,
    kind: r.kind,
    conversationId: p.conversationId ?? null,
    messageId: p.messageId ?? null,
    subject: p.subject ?? null,
    senderName: p.senderName ?? null,
    readerName: p.readerName ?? null,
    unreadCount: p.unreadCount ?? null,
    at: new Date(p.at),
    mailbox,
  };
}

/** What a notice subscription needs of its context: the caller, their re-check, the bus and an EntityManager to fork reads from. */
type StreamContext = Pick<Context, 'viewer' | 'revalidate' | 'bus' | 'em'>;

/** One set of notice feeds per bus (per server instance in production), created by the first subscription. */
const feedsByBus = new WeakMap<NoticeBus, NoticeFeeds<Notice>>();

/** Viewers' reads that go out in one statement at most (a shared mailbox's members woken together). */
const MAX_READS_TOGETHER = 500;

/**
 * Reads for the notice feeds. The reads asked for in one turn of the event
 * loop go out together (noticesSinceMany), and so do the starts of the
 * subscriptions opened in one turn (noticeStarts): the members of a shared mailbox
 * woken by one of its notices read in one statement, not one each. Each batch
 * forks its own EntityManager (a long-lived subscription must not keep, and
 * cache in, one), reads the mailbox names once, and builds each notice once:
 * every viewer whose read returned it gets the same object, so its result is
 * executed once per document for all of them (src/subscriptions/shared-execution.ts).
 */
function noticeReader(root: EntityManager): FeedReader<Notice> {
  const reads = new DataLoader<{ viewer: Viewer; cursor: string }, FeedPage<Notice>>(
    async (batch) => {
      const em = root.fork();
      const pages = await noticesSinceMany(em, batch);
      const names = partyNameLoader(em);
      const built = new Map<string, Promise<Notice>>();
      const notice = (r: NoticeRecord) => {
        let n = built.get(r.seq);
        if (!n) {
          n = namedNotice(names, r);
          built.set(r.seq, n);
        }
        return n;
      };
      // A read that failed ends only its own feed's subscriptions (DataLoader rejects the key an Error answers).
      return Promise.all(
        pages.map(async (page) =>
          page instanceof Error
            ? page
            : { items: await Promise.all(page.notices.map(notice)), cursor: page.cursor, hasMore: page.hasMore },
        ),
      );
    },
    // Not cached: every wake-up reads anew. A turn of the event loop: the feeds woken by one publish ask within it.
    { cache: false, maxBatchSize: MAX_READS_TOGETHER, batchScheduleFn: (run) => setImmediate(run) },
  );
  // The subscriptions that start in one turn (a reconnect storm's subscribes) read where they start together.
  const starts = new DataLoader<Viewer, string>((viewers) => noticeStarts(root.fork(), viewers), {
    cache: false,
    maxBatchSize: MAX_READS_TOGETHER,
    batchScheduleFn: (run) => setImmediate(run),
  });
  return {
    start: (viewer) => starts.load(viewer),
    after: (viewer, cursor) => reads.load({ viewer, cursor }),
  };
}

/**
 * Live notices with catch-up (src/subscriptions/notice-feeds.ts). Listening
 * starts before the catch-up read, and every wake-up reads the committed
 * notices after the last one sent, with the viewer's current mailboxes: one
 * read per viewer and instance, shared by all their subscriptions. Delivery
 * is in cursor order, with no gap and no duplicate. The caller is re-checked
 * on every event through the socket (ctx.revalidate: account active, current
 * role, credential not expired); once refused, the stream ends and the
 * socket is closed with 4403.
 */
function noticeStream(ctx: StreamContext, after: string | null): AsyncIterableIterator<Notice> {
  const { revalidate, bus } = ctx;
  // Subscriptions exist only on the websocket, whose context always re-checks its caller.
  if (!revalidate || !bus) throw new Error('notices needs a websocket context (revalidate, bus)');
  let feeds = feedsByBus.get(bus);
  if (!feeds) {
    feeds = new NoticeFeeds(bus, noticeReader(ctx.em.fork()));
    feedsByBus.set(bus, feeds);
  }
  return feeds.stream(viewerTopic(ctx.viewer!), after, revalidate);
}

@Resolver(() => Notice)
export class NoticeResolver {
  @Authorized()
  @Query(() => NoticePage, {
    description:
      'What you missed: your notices after a cursor, in order. Without a cursor: none, and the cursor to start from.',
  })
  async noticesSince(
    @Arg('cursor', () => String, { nullable: true, description: 'The cursor of the last notice you saw.' })
    cursor: string | null,
    @Ctx() ctx: Context,
  ): Promise<NoticePage> {
    const page = await noticesSince(ctx.em, ctx.viewer!, parseCursor(cursor));
    return {
      notices: await toNotices(ctx.loaders.partyName, page.notices),
      cursor: page.cursor,
      hasMore: page.hasMore,
    };
  }

  @Authorized()
  // An event's result is shared by every socket that got the same notice object with the same document
  // (src/subscriptions/shared-execution.ts): it depends on the notice alone. The handler returns its root and ignores
  // `after` (which only chooses where the stream starts); @Authorized() without roles only asks for a signed-in
  // caller, which every subscription context has; Notice and Party fields are plain properties of the notice. The
  // feeds hand a notice object only to the sockets of the reads that returned it (a shared mailbox's notice to each
  // member's), with access checked per viewer by their read and per socket by its re-check.
  @Extensions({ [SHARES_EVENT_RESULTS]: true })
  @Subscription(() => Notice, {
    description:
      'Live notices for your own mailbox and the shared mailboxes you belong to (re-checked on every event). ' +
      'With `after`, first the ones you missed since that cursor.',
    subscribe: ({ args, context }) =>
      noticeStream(context as StreamContext, parseCursor((args as { after?: string | null }).after)),
  })
  notices(
    @Root() notice: Notice,
    @Arg('after', () => String, {
      nullable: true,
      description: 'Start after this cursor: first the missed notices, then live ones.',
    })
    _after: string | null,
  ): Notice {
    return notice;
  }
}
