import type { EntityManager } from '@mikro-orm/postgresql';
import type PgBoss from 'pg-boss';

/**
 * pg-boss's own SQL (with $1…$n) run on the caller's MikroORM transaction, so
 * a job is written in the same transaction as what it is about (pg-boss's
 * `{ db }` option). The statements are pg-boss's; this only carries them.
 */
export function transactionDb(em: EntityManager): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const bindings: unknown[] = [];
      const statement = text.replace(/\$(\d+)/g, (_m, n: string) => {
        bindings.push(values[Number(n) - 1]);
        return '?';
      });
      const rows = await em.getConnection().execute(statement, bindings, 'all', em.getTransactionContext());
      return { rows: rows as unknown[] };
    },
  };
}
