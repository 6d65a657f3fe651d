import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Config } from '../config';
import { RetentionRule, RetentionRun, RetentionRunStatus, type RetentionCounts } from '../entities/retention-run';
import { log } from '../log';
import {
  accessLogRetention,
  conversationRetention,
  draftRetention,
  notificationRetention,
  registerExtractRetention,
  unsentUploadRetention,
  type RetentionRuleStore,
} from '../stores/retention.store';
import { abandonStaleRun, finishRun, saveRunProgress } from '../stores/retention-run.store';
import { decodeTimeCursor, pageSize, toPage, type Page } from './pagination';

/** The retention periods and batch size, from the configuration (RETENTION_*). */
export type RetentionSettings = Config['retention'];

/** Rules in the order a run takes them: drafts before uploads, so a thinned draft's uploads can go in the same run. */
export const RULE_ORDER: readonly RetentionRule[] = [
  RetentionRule.CONVERSATIONS,
  RetentionRule.DRAFTS,
  RetentionRule.UNSENT_UPLOADS,
  RetentionRule.NOTIFICATIONS,
  RetentionRule.ACCESS_LOG,
  RetentionRule.REGISTER_EXTRACTS,
];
/** A RUNNING record without progress for this long belongs to a server that stopped. */
const ABANDONED_AFTER_MS = 10 * 60_000;

/** A rule: when it is on and its period, from the settings; its statements (what it thins) in the store. */
interface RuleDef {
  enabled(s: RetentionSettings): boolean;
  period(s: RetentionSettings): string;
  cutoff(s: RetentionSettings, now: Date): Date;
  statements: RetentionRuleStore;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const minus = (now: Date, f: (d: Date) => void) => {
  const d = new Date(now);
  f(d);
  return d;
};

export const RULES: Record<RetentionRule, RuleDef> = {
  [RetentionRule.CONVERSATIONS]: {
    enabled: (s) => s.conversationMonths > 0,
    period: (s) => plural(s.conversationMonths, 'month', 'months'),
    cutoff: (s, now) => minus(now, (d) => d.setUTCMonth(d.getUTCMonth() - s.conversationMonths)),
    statements: conversationRetention,
  },
  [RetentionRule.DRAFTS]: {
    enabled: (s) => s.draftDays > 0,
    period: (s) => plural(s.draftDays, 'day', 'days'),
    cutoff: (s, now) => new Date(now.getTime() - s.draftDays * 86_400_000),
    statements: draftRetention,
  },
  [RetentionRule.UNSENT_UPLOADS]: {
    enabled: () => true,
    period: (s) => plural(s.unsentUploadHours, 'hour', 'hours'),
    cutoff: (s, now) => new Date(now.getTime() - s.unsentUploadHours * 3_600_000),
    statements: unsentUploadRetention,
  },
  [RetentionRule.NOTIFICATIONS]: {
    enabled: (s) => s.notificationDays > 0,
    period: (s) => plural(s.notificationDays, 'day', 'days'),
    cutoff: (s, now) => new Date(now.getTime() - s.notificationDays * 86_400_000),
    statements: notificationRetention,
  },
  [RetentionRule.ACCESS_LOG]: {
    enabled: () => true,
    period: (s) => plural(s.accessLogYears, 'year', 'years'),
    cutoff: (s, now) => minus(now, (d) => d.setUTCFullYear(d.getUTCFullYear() - s.accessLogYears)),
    statements: accessLogRetention,
  },
  [RetentionRule.REGISTER_EXTRACTS]: {
    enabled: () => true,
    period: (s) => `${plural(s.registerExtractDays, 'day', 'days')} after it is ready`,
    cutoff: (_s, now) => now,
    statements: registerExtractRetention,
  },
};

/** A rule as configured now, for administrators. */
export interface RetentionRuleSetting {
  rule: RetentionRule;
  enabled: boolean;
  period: string;
}

export function retentionRuleSettings(settings: RetentionSettings): RetentionRuleSetting[] {
  return RULE_ORDER.map((rule) => ({
    rule,
    enabled: RULES[rule].enabled(settings),
    period: RULES[rule].period(settings),
  }));
}

const add = (into: RetentionCounts, more: RetentionCounts) => {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
  return into;
};

type RunBase = Pick<RetentionRun, 'rule' | 'period' | 'cutoff' | 'createdAt' | 'heartbeatAt'> & {
  startedBy: string | null;
};

/**
 * Gallring: thinning the records by rule, after the periods in the
 * configuration (README "Retention (gallring)").
 *
 * G1 Each rule thins only records older than its period.
 * G2 Journaled content stays: a message with a journal entry (for itself or
 *    one of its attachments) stays with its attachments and their bytes, so
 *    the case file is whole; a conversation keeps those messages.
 * G3 Nothing under a legal hold is thinned: a held conversation, every
 *    conversation of a held case (and, when no case is set, the case
 *    holder's conversations), drafts of held cases or replying in held
 *    conversations, their notices and notifications, and the access-log rows
 *    of the persons concerned.
 * G4 Work goes in batches of RETENTION_BATCH_SIZE rows, each its own short
 *    transaction that skips rows another transaction holds (a send under
 *    way), so a run never makes a send wait for more than one batch.
 * G5 Each run writes a gallring record (RetentionRun) when it starts and
 *    after every batch; a dry run counts what would go, changes nothing else,
 *    and is recorded as a dry run.
 * G6 At most one real run of a rule at a time, across servers: the record's
 *    unique RUNNING row decides; the job queue's singleton policy keeps a
 *    second job from starting as well.
 * G7 Bytes (attachment_blob) go only when no attachment or case document
 *    refers to them any more (copies of a sent file share their bytes).
 *
 * The service runs the rules. `em` is a fresh EntityManager (no open
 * transaction): each batch opens its own.
 */
export class RetentionService {
  constructor(
    private readonly em: EntityManager,
    private readonly settings: RetentionSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Every enabled rule in order; a failed rule is recorded and the next one still runs. */
  async runAll(opts: { dryRun?: boolean; startedById?: string | null } = {}): Promise<RetentionRun[]> {
    const runs: RetentionRun[] = [];
    let failure: Error | undefined;
    for (const rule of RULE_ORDER) {
      try {
        const run = await this.run(rule, opts);
        if (run) runs.push(run);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failure) throw failure;
    return runs;
  }

  /**
   * One rule. A dry run counts and records; a real run thins in batches and
   * returns null when the rule is off or already running elsewhere (G6).
   */
  async run(
    rule: RetentionRule,
    opts: { dryRun?: boolean; startedById?: string | null } = {},
  ): Promise<RetentionRun | null> {
    const def = RULES[rule];
    if (!def.enabled(this.settings)) return null;
    const now = this.now();
    const base: RunBase = {
      rule,
      period: def.period(this.settings),
      cutoff: def.cutoff(this.settings, now),
      startedBy: opts.startedById ?? null,
      createdAt: now,
      heartbeatAt: now,
    };
    return opts.dryRun ? this.dryRun(def, base) : this.thin(def, base);
  }

  /** G5: counts what would go and what stays, and records it as a dry run. */
  private async dryRun(def: RuleDef, base: RunBase): Promise<RetentionRun> {
    const { em } = this;
    const [removed, kept] = await Promise.all([
      def.statements.preview(em, { cutoff: base.cutoff }),
      def.statements.kept(em, { cutoff: base.cutoff }),
    ]);
    const run = em.create(RetentionRun, {
      ...base,
      dryRun: true,
      status: RetentionRunStatus.DONE,
      removed,
      kept,
      finishedAt: this.now(),
    });
    await em.flush();
    return run;
  }

  /** G4: thins in batches, each its own transaction; null when another server runs the rule. */
  private async thin(def: RuleDef, base: RunBase): Promise<RetentionRun | null> {
    const { rule, cutoff } = base;
    const run = await this.start(base);
    if (!run) return null;
    try {
      run.kept = await def.statements.kept(this.em, { cutoff });
      for (;;) {
        // The record is updated in the batch's own transaction: its counts are exactly what was committed.
        const { more, total } = await this.em.transactional(async (tx) => {
          const b = await def.statements.batch(tx, { cutoff, limit: this.settings.batchSize });
          const sum = add({ ...run.removed }, b.removed);
          await saveRunProgress(tx, { id: run.id, removed: sum, kept: run.kept });
          return { more: b.more, total: sum };
        });
        run.removed = total;
        if (!more) break;
      }
      await this.finish(run, RetentionRunStatus.DONE);
      log.info('gallring done', { rule, removed: run.removed, kept: run.kept });
      return run;
    } catch (err) {
      await this.finish(run, RetentionRunStatus.FAILED).catch(() => undefined);
      log.error('gallring failed', { rule, err });
      throw err;
    }
  }

  /** The RUNNING record, or null when another server runs the rule (G6). A record left by a stopped server is marked ABANDONED first. */
  private async start(base: RunBase): Promise<RetentionRun | null> {
    await abandonStaleRun(this.em, { rule: base.rule, staleBefore: new Date(Date.now() - ABANDONED_AFTER_MS) });
    const em = this.em.fork();
    const run = em.create(RetentionRun, { ...base, status: RetentionRunStatus.RUNNING });
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        log.info('gallring skipped: another server is running this rule', { rule: base.rule });
        return null;
      }
      throw err;
    }
    return run;
  }

  private async finish(run: RetentionRun, status: RetentionRunStatus): Promise<void> {
    run.status = status;
    run.finishedAt = new Date();
    await finishRun(this.em, { id: run.id, status, removed: run.removed, kept: run.kept });
  }

  /** The gallring records, newest first. */
  async list(args: {
    rule?: RetentionRule | null;
    first?: number | null;
    after?: string | null;
  }): Promise<Page<RetentionRun>> {
    const size = pageSize(args.first);
    const after = decodeTimeCursor(args.after);
    const qb = this.em
      .createQueryBuilder(RetentionRun, 'r')
      .orderBy({ createdAt: 'desc', id: 'desc' })
      .limit(size + 1);
    if (args.rule) qb.andWhere({ rule: args.rule });
    if (after) qb.andWhere('(r.created_at, r.id) < (?, ?)', [after[0], after[1]]);
    const rows = await qb.getResultList();
    return toPage(rows, size, (r) => [r.createdAt.toISOString(), r.id]);
  }
}
