import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * The number of unread messages of one mailbox (party): its rows of
 * `message_recipient` with `read_at` null. Every UNREAD_COUNT notice carries
 * it; counting the rows on each send cost the database a read of every unread
 * row of every recipient (a busy shared mailbox has thousands). Written only by
 * the notice statement (src/stores/notice.store.ts), under the viewers' notice
 * locks, by folding in the party's {@link UnreadDelta} rows.
 */
@Entity({ tableName: 'unread_count' })
export class UnreadCount {
  @PrimaryKey({ type: 'text' })
  partyKey!: string;

  @Property({ type: 'integer' })
  unread!: number;
}

/**
 * A change to a party's unread count not yet folded into {@link UnreadCount}:
 * written by the triggers of `message_recipient` (insert, update, delete,
 * truncate) on every path that changes its rows, so nothing that writes
 * recipients has to remember it. Only inserted there, never updated: writers
 * do not wait for each other on a counter row, and a transaction's delta
 * counts from its commit, as the rows it changed do.
 */
@Entity({ tableName: 'unread_delta' })
@Index({ properties: ['partyKey'] })
export class UnreadDelta {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string & Opt;

  @Property({ type: 'text' })
  partyKey!: string;

  @Property({ type: 'integer' })
  delta!: number;
}
