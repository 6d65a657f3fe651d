import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Sql } from '../domain/sql';

// The one way SQL reaches the database outside MikroORM's unit of work. Only stores (src/stores/) call it;
// a lint rule keeps it so, so a reader finds every statement of an aggregate in its store.

interface SqlConnection {
  ensureConnection(): Promise<void>;
  getKnex(): {
    raw(
      text: string,
      values: unknown[],
    ): { transacting(trx: unknown): unknown; options(o: { name: string }): unknown } & PromiseLike<{ rows: unknown[] }>;
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
      const name = unprepared.has(em.config) ? undefined : statementName(text);
      if (name) statement.options({ name });
      const res = await statement;
      return res.rows as T[];
    },
    { query: text, params: values },
  );
}

/** The ORMs (by their configuration, which every fork shares) whose statements go out unnamed. */
const unprepared = new WeakSet<object>();
/** This ORM's statements go out unnamed (DATABASE_PREPARED_STATEMENTS=off; initOrm calls it). */
export function withoutPreparedStatements(config: object): void {
  unprepared.add(config);
}

const names = new Map<string, string>();
/** More distinct texts than the stores have means something builds texts from data: those then go unnamed. */
const MAX_NAMED = 1000;
/**
 * A prepared statement's name per text. PostgreSQL then parses and plans a statement once per connection instead of
 * on every run (issue 12: planning was a quarter of the database's CPU for an inbox page and a send), and may keep a
 * generic plan once it is no worse than the custom ones. The texts are the stores' fixed statements (values are
 * always bound, never in the text), so the names are few; node-postgres prepares each on a connection's first use.
 */
function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (!name) {
    if (names.size >= MAX_NAMED) return undefined;
    name = 's' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
    names.set(text, name);
  }
  return name;
}
