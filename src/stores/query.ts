import type { EntityManager } from '@mikro-orm/postgresql';
import type { Sql } from '../domain/sql';

// The one way SQL reaches the database outside MikroORM's unit of work. Only stores (src/stores/) call it;
// a lint rule keeps it so, so a reader finds every statement of an aggregate in its store.

interface SqlConnection {
  ensureConnection(): Promise<void>;
  getKnex(): {
    raw(text: string, values: unknown[]): { transacting(trx: unknown): unknown } & PromiseLike<{ rows: unknown[] }>;
  };
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
}

/**
 * Runs a fragment with its values bound natively by the driver (MikroORM's own
 * `execute` inlines values into the text), inside the EntityManager's
 * transaction when it has one, and logged like every other statement (the
 * SQL-count tests see it).
 */
export async function query<T = Record<string, unknown>>(em: EntityManager, q: Sql): Promise<T[]> {
  const conn = em.getConnection() as unknown as SqlConnection;
  await conn.ensureConnection();
  const { text, values } = q.toKnex();
  const trx: unknown = em.getTransactionContext();
  return conn.executeQuery(
    text,
    async () => {
      const statement = conn.getKnex().raw(text, values);
      if (trx) statement.transacting(trx);
      const res = await statement;
      return res.rows as T[];
    },
    { query: text, params: values },
  );
}
