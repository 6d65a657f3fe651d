import type { EntityManager } from '@mikro-orm/postgresql';
import { raw, sql } from '../domain/sql';
import { query } from './query';

// What the probes and the metrics ask the database: whether it answers (/readyz), and the job queue's depth (/metrics).

/** Resolves once the database has answered a trivial statement; rejects when it cannot be reached. */
export async function pingDatabase(em: EntityManager): Promise<void> {
  await query(em, sql`select 1`);
}

export interface JobQueueCount {
  queue: string;
  state: string;
  count: number;
}

/** Jobs in the job queue (pg-boss's table in `schema`) by queue and state. */
export async function jobQueueCounts(em: EntityManager, { schema }: { schema: string }): Promise<JobQueueCount[]> {
  const rows = await query<{ name: string; state: string; n: string }>(
    em,
    sql`select name, state::text as state, count(*)::text as n from "${raw(schema)}".job group by name, state`,
  );
  return rows.map((r) => ({ queue: r.name, state: r.state, count: Number(r.n) }));
}
