import type { Orm } from './orm';

/** The database connection pool of this process: connections in use, idle, acquires waiting, and the maximum. */
export interface PoolStats {
  used: number;
  free: number;
  pending: number;
  max: number;
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** Read from knex's pool (tarn) behind MikroORM; undefined while there is none (before the first connection). */
export function poolStats(orm: Orm): PoolStats | undefined {
  const connection = orm.em.getConnection() as unknown as { getKnex(): { client: { pool?: TarnPool } } };
  const pool = connection.getKnex().client.pool;
  if (!pool) return undefined;
  return { used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires(), max: pool.max };
}
