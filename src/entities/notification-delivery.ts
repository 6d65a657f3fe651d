import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * An SMS or e-mail notification handed to its provider (src/notifications/worker.ts): the job id is the
 * provider's deduplication key, and a job whose id is here is not sent again.
 */
@Entity()
export class NotificationDelivery {
  @PrimaryKey({ type: 'uuid' })
  jobId!: string;

  @Property({ type: 'text' })
  channel!: string;

  @Property({ type: 'uuid' })
  messageId!: string;

  @Property({ type: 'uuid' })
  personId!: string;

  @Property({ type: 'datetime' })
  deliveredAt: Date & Opt = new Date();
}
