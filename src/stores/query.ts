import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Sql } from '../domain/sql';

// The one way SQL reaches the database outside MikroORM's unit of work. Only stores (src/stores/) call it;
// a lint rule keeps it so, so a reader finds every statement of an aggregate in its store.

/** A node-postgres client as knex's pool hands it out. */
interface PgClient {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}
/** knex's client: its pool, or (a transaction's) the one connection it holds. */
interface KnexClient {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(connection: PgClient): Promise<void>;
}
interface SqlConnection {
  ensureConnection(): Promise<void>;
  getKnex(): { client: KnexClient };
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: Record<string, unknown>): Promise<T>;
}
/** A knex transaction as MikroORM's `getTransactionContext()` returns it. */
interface KnexTransaction {
  client: KnexClient;
  isCompleted(): boolean;
}

/**
 * Runs a fragment with its values bound natively by the driver (MikroORM's own
 * `execute` inlines values into the text), inside the EntityManager's
 * transaction when it has one, and logged like every other statement (the
 * SQL-count tests see it).
 *
 * The statement goes straight to the node-postgres connection that knex's pool
 * (or the transaction) holds. knex's `raw` would re-scan the text for `?`,
 * number the placeholders again and wrap the call in its runner: 0.05 ms of
 * Node CPU per statement, about 0.4 ms of a send (issue 12). The text here is
 * already numbered.
 */
export async function query<T = Record<string, unknown>>(em: EntityManager, q: Sql): Promise<T[]> {
  const conn = em.getConnection() as unknown as SqlConnection;
  await conn.ensureConnection();
  const { text, values } = q.toPostgres();
  // As knex refuses it: node-postgres would bind undefined as null, and a missing value must not pass for a null one.
  const missing = values.findIndex((v) => v === undefined || (Array.isArray(v) && v.includes(undefined)));
  if (missing >= 0) throw new Error(`undefined bound to $${missing + 1} of: ${text.slice(0, 200)}`);
  const trx = em.getTransactionContext<KnexTransaction>();
  return conn.executeQuery(
    text,
    async () => {
      // As knex refuses it: a statement after the commit would run outside the transaction it was written for.
      if (trx?.isCompleted()) throw new Error('Transaction query already complete');
      // A transaction's client hands out the connection it holds and keeps it on release; the pool's lends one.
      const source = trx ? trx.client : conn.getKnex().client;
      const client = await source.acquireConnection();
      try {
        const res = await client.query({
          text,
          values,
          name: unprepared.has(em.config) ? undefined : statementName(text),
        });
        return res.rows as T[];
      } finally {
        await source.releaseConnection(client);
      }
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
