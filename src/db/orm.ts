import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { migrationsList } from '../migrations';
import { appliedMigrationNames } from '../stores/database.store';

export type Orm = MikroORM;

/**
 * The single MikroORM configuration. Migrations are listed explicitly (not
 * globbed) so the same list runs from `src/` under swc, from `dist/` and in
 * jest; the schema is never updated automatically.
 */
export interface OrmOptions {
  logSql?: boolean;
  poolMax?: number;
  /** Receives every SQL statement sent (tests count them to catch N+1). */
  onQuery?: (sql: string) => void;
}

const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export function ormOptions(url: string, opts: OrmOptions = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    extensions: [Migrator],
    migrations: {
      tableName: MIGRATIONS_TABLE,
      path: 'src/migrations',
      pathTs: 'src/migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
    },
    pool: { min: 0, max: opts.poolMax ?? 10 },
    debug: opts.logSql || opts.onQuery ? ['query', 'query-params'] : false,
    ...(opts.onQuery ? { logger: (message: string) => opts.onQuery!(message), colors: false } : {}),
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { warnWhenNoEntities: true },
    serialization: { forceObject: true },
  };
}

export async function initOrm(url: string, opts: OrmOptions = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(url, opts));
}

/** Applies committed migrations that have not run yet; returns their names. */
export async function migrate(orm: Orm): Promise<string[]> {
  if (!(await pendingMigrationNames(orm)).length) return [];
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<number> {
  return (await pendingMigrationNames(orm)).length;
}

/**
 * The committed migrations (migrationsList) not yet recorded in the migrations table, in two queries: at every
 * start and readiness check, without making the migrator (umzug) and its storage when nothing is pending.
 */
async function pendingMigrationNames(orm: Orm): Promise<string[]> {
  const executed = await appliedMigrationNames(orm.em, { table: MIGRATIONS_TABLE });
  const done = new Set(executed.map((name) => name.replace(/\.[jt]s$/, '')));
  return migrationsList.map((m) => m.name).filter((name) => !done.has(name));
}
