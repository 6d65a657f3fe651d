import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver, type Options } from '@mikro-orm/postgresql';
import { entities } from '../entities';
import { migrationsList } from '../migrations';

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

export function ormOptions(url: string, opts: OrmOptions = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
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
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}

export async function pendingMigrations(orm: Orm): Promise<number> {
  return (await orm.getMigrator().getPendingMigrations()).length;
}
