import { Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from './base';
import { Staff } from './staff';

export enum RetentionRule {
  CONVERSATIONS = 'CONVERSATIONS',
  DRAFTS = 'DRAFTS',
  UNSENT_UPLOADS = 'UNSENT_UPLOADS',
  NOTIFICATIONS = 'NOTIFICATIONS',
  ACCESS_LOG = 'ACCESS_LOG',
  REGISTER_EXTRACTS = 'REGISTER_EXTRACTS',
}
registerEnumType(RetentionRule, {
  name: 'RetentionRule',
  description: 'A gallring rule: what it thins, after the period set in the configuration.',
  valuesConfig: {
    CONVERSATIONS: {
      description:
        'Conversations whose last message is older than RETENTION_CONVERSATION_MONTHS: their messages, ' +
        'recipients and read receipts, history, notices and attachments with their bytes. Journaled messages ' +
        'and conversations on legal hold stay.',
    },
    DRAFTS: {
      description: 'Drafts not saved for RETENTION_DRAFT_DAYS (not those of a case or conversation on legal hold).',
    },
    UNSENT_UPLOADS: {
      description: 'Uploaded PDFs never sent nor kept by a draft, after RETENTION_UNSENT_UPLOAD_HOURS.',
    },
    NOTIFICATIONS: {
      description:
        'Delivered SMS/e-mail notifications (delivery records and finished jobs) after RETENTION_NOTIFICATION_DAYS.',
    },
    ACCESS_LOG: {
      description:
        'Access-log rows older than RETENTION_ACCESS_LOG_YEARS (at least 5), except for persons with a case or conversation on legal hold.',
    },
    REGISTER_EXTRACTS: {
      description:
        'The files of register extracts not downloaded within REGISTER_EXTRACT_DAYS (the record of the request stays).',
    },
  },
});

export enum RetentionRunStatus {
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  FAILED = 'FAILED',
  ABANDONED = 'ABANDONED',
}
registerEnumType(RetentionRunStatus, {
  name: 'RetentionRunStatus',
  description: 'Where a gallring run stands.',
  valuesConfig: {
    RUNNING: { description: 'Under way.' },
    DONE: { description: 'Finished; the counts are final.' },
    FAILED: {
      description:
        'Stopped by an error; the counts show what was thinned before it (each batch is its own transaction). The next run continues.',
    },
    ABANDONED: {
      description:
        'Its server stopped mid-run (no progress for 10 minutes); the counts show what was thinned before. The next run continues.',
    },
  },
});

/** What a run thinned (or, in a dry run, would thin), by kind of record. */
export type RetentionCounts = Record<string, number>;

/**
 * The gallring record: one row per rule per run, written when the run starts
 * and updated after each batch, so it is right even when a run stops midway.
 * At most one real (not dry) run of a rule is RUNNING at a time: a unique
 * index refuses a second one, whichever server starts it.
 */
@ObjectType({
  description:
    "A gallring record: one rule's run, with its period, what it thinned (or would thin, for a dry run) and what it kept, and when.",
})
@Entity()
@Index({ properties: ['createdAt'] })
@Index({
  name: 'retention_run_one_running_index',
  expression: `create unique index "retention_run_one_running_index" on "retention_run" ("rule") where "status" = 'RUNNING' and not "dry_run"`,
})
export class RetentionRun extends BaseEntity {
  @Field(() => RetentionRule, { description: 'The rule.' })
  @Enum({ items: () => RetentionRule, nativeEnumName: 'retention_rule' })
  rule!: RetentionRule;

  @Field({ description: 'The period in force, as configured, e.g. "24 months".' })
  @Property({ type: 'text' })
  period!: string;

  @Field(() => Date, { description: 'Records older than this were thinned.' })
  @Property({ type: 'datetime' })
  cutoff!: Date;

  @Field(() => Boolean, { description: 'A dry run: nothing was changed, the counts say what would go.' })
  @Property({ type: 'boolean' })
  dryRun: boolean & Opt = false;

  @Field(() => RetentionRunStatus, { description: 'Running, done, failed or abandoned.' })
  @Enum({ items: () => RetentionRunStatus, nativeEnumName: 'retention_run_status' })
  status: RetentionRunStatus & Opt = RetentionRunStatus.RUNNING;

  /** Who asked for the run; null for the scheduled job. */
  @ManyToOne(() => Staff, { nullable: true })
  startedBy?: Staff | null;

  @Property({ type: 'json' })
  removed: RetentionCounts & Opt = {};

  @Property({ type: 'json' })
  kept: RetentionCounts & Opt = {};

  /** Progress: a RUNNING row without progress for long belongs to a server that stopped. */
  @Property({ type: 'datetime' })
  heartbeatAt: Date & Opt = new Date();

  @Field(() => Date, { nullable: true, description: 'When the run ended; empty while running.' })
  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Field(() => Date, { description: 'When the run started.' })
  get startedAt(): Date & Opt {
    return this.createdAt;
  }
}
