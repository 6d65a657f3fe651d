import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../domain/sql';
import type { RetentionCounts, RetentionRule, RetentionRunStatus } from '../entities/retention-run';
import { query } from './query';

// The gallring record (RetentionRun) written outside the unit of work: its progress goes in each batch's own
// transaction (retention.service G5), and a stopped server's RUNNING row is set aside before a new run (G6).

/** Marks the rule's real run that has not reported since `staleBefore` as ABANDONED (its server stopped). */
export async function abandonStaleRun(em: EntityManager, p: { rule: RetentionRule; staleBefore: Date }): Promise<void> {
  await query(
    em,
    sql`update retention_run set status = 'ABANDONED', finished_at = now()
         where rule = ${p.rule}::retention_rule and status = 'RUNNING' and not dry_run
           and heartbeat_at < ${p.staleBefore.toISOString()}::timestamptz`,
  );
}

/** The counts so far and a heartbeat, in the batch's transaction `em`. */
export async function saveRunProgress(
  em: EntityManager,
  p: { id: string; removed: RetentionCounts; kept: RetentionCounts },
): Promise<void> {
  await query(
    em,
    sql`update retention_run set removed = ${JSON.stringify(p.removed)}::jsonb, kept = ${JSON.stringify(p.kept)}::jsonb,
           heartbeat_at = now() where id = ${p.id}::uuid`,
  );
}

/** The run's end: its status and final counts. */
export async function finishRun(
  em: EntityManager,
  p: { id: string; status: RetentionRunStatus; removed: RetentionCounts; kept: RetentionCounts },
): Promise<void> {
  await query(
    em,
    sql`update retention_run set status = ${p.status}::retention_run_status, finished_at = now(),
           removed = ${JSON.stringify(p.removed)}::jsonb, kept = ${JSON.stringify(p.kept)}::jsonb, heartbeat_at = now()
         where id = ${p.id}::uuid`,
  );
}
