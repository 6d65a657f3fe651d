import { Entity, Enum, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

export enum NoticeKind {
  NEW_MESSAGE = 'NEW_MESSAGE',
  READ_RECEIPT = 'READ_RECEIPT',
  UNREAD_COUNT = 'UNREAD_COUNT',
}
registerEnumType(NoticeKind, {
  name: 'NoticeKind',
  description: 'What a realtime notice is about.',
  valuesConfig: {
    NEW_MESSAGE: { description: 'A new message arrived in one of your mailboxes.' },
    READ_RECEIPT: { description: 'A recipient read a message you sent with a read receipt.' },
    UNREAD_COUNT: { description: 'The number of unread messages in one of your mailboxes changed.' },
  },
});

/** What a notice says, never the message body. */
export interface NoticePayload {
  conversationId?: string;
  messageId?: string;
  subject?: string;
  senderName?: string;
  readerName?: string;
  unreadCount?: number;
  at: string;
}

/**
 * A realtime notice to one mailbox (party). Written in the same transaction
 * as what it tells of, under the transaction-scoped advisory locks of the
 * viewers it reaches (src/domain/notice.service.ts, viewerLocks), so a
 * viewer's notices get their `seq` in commit order: a client that has seen
 * seq N has seen every notice of theirs before it, and `noticesSince(N)`
 * returns exactly what it missed. Writers to different viewers do not wait
 * for each other.
 */
@Entity()
@Index({ properties: ['partyKey', 'seq'] })
export class Notice {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string & Opt;

  @Property({ type: 'text' })
  partyKey!: string;

  @Enum({ items: () => NoticeKind, nativeEnumName: 'notice_kind' })
  kind!: NoticeKind;

  @Property({ type: 'json' })
  payload!: NoticePayload;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();
}
