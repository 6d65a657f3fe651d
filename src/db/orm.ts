import type { MigrationObject, MikroORM as AnyOrm } from '@mikro-orm/core';
import { MikroORM, PostgreSqlDriver, type EntityManager, type Options } from '@mikro-orm/postgresql';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { entities } from '../entities';
import { appliedMigrationNames } from '../stores/database.store';
import { withoutPreparedStatements } from '../stores/query';

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
  /** The stores' statements as named prepared statements (default true; src/stores/query.ts). */
  preparedStatements?: boolean;
}

const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export function ormOptions(url: string, opts: OrmOptions = {}): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: url,
    entities,
    extensions: [lazyMigrator],
    migrations: {
      tableName: MIGRATIONS_TABLE,
      path: 'src/migrations',
      pathTs: 'src/migrations',
      // Set when the migrator is made (lazyMigrator).
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
  const orm = await MikroORM.init(ormOptions(url, opts));
  if (opts.preparedStatements === false) withoutPreparedStatements(orm.config);
  return orm;
}

/**
 * The migrator, made on first use (`orm.getMigrator()`) and not at every start: @mikro-orm/migrations loads umzug and
 * its command-line parser (~0.1 s), and the migration classes load that package. A start with nothing pending needs
 * neither (issue 12 item 4). Loaded synchronously: getMigrator() is.
 */
const lazyMigrator = {
  register(orm: AnyOrm) {
    orm.config.registerExtension('@mikro-orm/migrator', () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Migrator } = require('@mikro-orm/migrations') as typeof import('@mikro-orm/migrations');
      orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList: committedMigrations() });
      return new Migrator(orm.em as EntityManager); // the PostgreSQL driver's, as configured above
    });
  },
};

function committedMigrations(): MigrationObject[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../migrations') as typeof import('../migrations')).migrationsList;
}

/**
 * The committed migrations' names read from their files beside src/migrations/index (`.ts` under swc and jest,
 * `.js` in dist/), without loading them; undefined when the directory cannot be read. A migration listed in
 * migrationsList is a file there (test MG2); a file left over in dist/ only makes the check below load the list.
 */
export function migrationFileNames(dir = path.join(__dirname, '../migrations')): string[] | undefined {
  try {
    const names = readdirSync(dir).flatMap((file) => /^(Migration\w+)\.[jt]s$/.exec(file)?.[1] ?? []);
    return names.length ? names : undefined;
  } catch {
    return undefined;
  }
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
 * start and readiness check, without making the migrator (umzug) and its storage when nothing is pending. When
 * every migration file is recorded, nothing is pending and the migrations are not even loaded.
 */
async function pendingMigrationNames(orm: Orm): Promise<string[]> {
  const executed = await appliedMigrationNames(orm.em, { table: MIGRATIONS_TABLE });
  const done = new Set(executed.map((name) => name.replace(/\.[jt]s$/, '')));
  if (migrationFileNames()?.every((name) => done.has(name))) return [];
  return committedMigrations()
    .map((m) => m.name)
    .filter((name) => !done.has(name));
}
