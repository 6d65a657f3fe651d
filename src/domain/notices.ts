import type { PartyRef } from '../entities/party';

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
  | { type: 'message.read'; messageId: string; conversationId: string; reader: PartyRef; readerName: string; readAt: Date; sender: PartyRef; receiptRequested: boolean };

export interface EventSink {
  publish(events: DomainEvent[]): Promise<void> | void;
}

/** Collects events during a unit of work; flushed only after commit. */
export class EventBuffer {
  private readonly events: DomainEvent[] = [];

  add(event: DomainEvent): void {
    this.events.push(event);
  }

  async flushTo(sink: EventSink | undefined): Promise<void> {
    const events = this.events.splice(0);
    if (sink && events.length) await sink.publish(events);
  }
}
