import type { EntityManager } from '@mikro-orm/postgresql';
import type { PartyRef } from '../entities/party';
import type { NotifyTarget } from '../notifications/outbox';
import type { MailboxMember } from './notice.service';

/**
 * What the messaging domain tells the outside world once a transaction has
 * committed: realtime notices and notification jobs hang off these. Events
 * never carry message content, only ids, a subject and a display name.
 */
export type DomainEvent =
  | {
      type: 'message.sent';
      messageId: string;
      conversationId: string;
      subject: string;
      senderName: string;
      sentAt: Date;
      recipients: PartyRef[];
    }
  | {
      type: 'message.read';
      messageId: string;
      conversationId: string;
      reader: PartyRef;
      readerName: string;
      readAt: Date;
      sender: PartyRef;
      receiptRequested: boolean;
    };

/** What a writer already did or read for the records, so the sink does not do it again. */
export interface RecordHints {
  /** The viewers' notice locks are held (taken with `viewerLocks` in the writer's last statement), and these are the mailboxes' members it read. */
  locked?: { members: MailboxMember[] };
  /** The citizens addressed with their notification choices, read before the write: no statement to look them up. */
  notifyTargets?: NotifyTarget[];
}

export interface EventSink {
  /**
   * Inside the transaction, as its last step: durable records of the events
   * (notices, notification jobs), committed with what they tell of.
   */
  record?(em: EntityManager, events: DomainEvent[], hints?: RecordHints): Promise<unknown>;
  /** After commit: tell the world (realtime wake-ups). Never before. */
  publish(events: DomainEvent[], recorded?: unknown): Promise<void> | void;
}

/**
 * Collects events during a unit of work; recorded in it, published only after commit.
 * A buffer made with an `outer` one joins the caller's larger unit of work: its events
 * go there, and the owner of the outer buffer records and publishes them.
 */
export class EventBuffer {
  private readonly events: DomainEvent[] = [];
  private recorded: unknown;

  constructor(private readonly outer?: EventBuffer) {}

  add(event: DomainEvent): void {
    if (this.outer) this.outer.add(event);
    else this.events.push(event);
  }

  /** Call as the last step inside the transaction. */
  async recordIn(em: EntityManager, sink: EventSink | undefined, hints?: RecordHints): Promise<void> {
    if (sink?.record && this.events.length) this.recorded = await sink.record(em, [...this.events], hints);
  }

  /** True when these events are recorded here (not handed to an outer unit of work). */
  get owned(): boolean {
    return !this.outer;
  }

  /** Call after the transaction committed. */
  async flushTo(sink: EventSink | undefined): Promise<void> {
    const events = this.events.splice(0);
    if (sink && events.length) await sink.publish(events, this.recorded);
  }
}
