/**
 * Base of `@Database` classes. The decorated class gains static `db()`, `transaction()`, `execute()`, `ping()`
 * and `close()`; the pool is created lazily on first use and closed at shutdown.
 */
import type { Pool } from 'mysql2/promise';
import { sql as rawSql, type SQL } from 'drizzle-orm';
import { declarationOf } from '../decorators/declarations';
import type { DatabaseOptions } from '../decorators/options';
import { databasePools, type DatabaseHandle, type Drizzle, type UrlResolver } from './database-pools';

/** Where URLs are resolved when no container owns the pools (CLIs, tests); a container claims them instead. */
export function setDatabaseUrlResolver(resolver: UrlResolver): void {
  databasePools.useFallbackResolver(resolver);
}

function optionsOf(cls: Function): DatabaseOptions {
  const decl = declarationOf(cls);
  if (!decl || decl.kind !== 'database') throw new Error(`${cls.name} is not decorated with @Database`);
  return decl.options as DatabaseOptions;
}

export function databaseUrl(options: DatabaseOptions): string {
  return databasePools.url(options);
}

function handleFor(options: DatabaseOptions): DatabaseHandle {
  return databasePools.handle(options);
}

export abstract class DatabaseBase {
  static options(this: Function): DatabaseOptions {
    return optionsOf(this);
  }

  /** Drizzle instance on this database's pool. */
  static db(this: Function): Drizzle {
    return handleFor(optionsOf(this)).db;
  }

  /** The raw mysql2 pool (bulk `query` with nested arrays, streaming). */
  static pool(this: Function): Pool {
    return handleFor(optionsOf(this)).pool;
  }

  /** Waits for first-use setup (database creation when `createDatabase` is on). */
  static async ready(this: Function): Promise<void> {
    await handleFor(optionsOf(this)).ready;
  }

  static async transaction<T>(this: Function, fn: (tx: Parameters<Parameters<Drizzle['transaction']>[0]>[0]) => Promise<T>): Promise<T> {
    const h = handleFor(optionsOf(this));
    await h.ready;
    return h.db.transaction(fn);
  }

  static async execute(this: Function, query: SQL | string): Promise<unknown> {
    const h = handleFor(optionsOf(this));
    await h.ready;
    return h.db.execute(typeof query === 'string' ? rawSql.raw(query) : query);
  }

  static async ping(this: Function): Promise<void> {
    const h = handleFor(optionsOf(this));
    await h.ready;
    await h.pool.query('SELECT 1');
  }

  static async close(this: Function): Promise<void> {
    await closeDatabase(optionsOf(this).name);
  }
}

export async function closeDatabase(name: string): Promise<void> {
  await databasePools.close(name);
}

export async function closeAllDatabases(): Promise<void> {
  await databasePools.closeAll();
}

/** The drizzle instance of a declared database by name (for `ctx.database(name)`). */
export function databaseByName(name: string, declared: ReadonlyMap<string, DatabaseOptions>): Drizzle {
  const options = declared.get(name);
  if (!options) throw new Error(`No @Database named '${name}' is declared (known: ${[...declared.keys()].join(', ') || 'none'})`);
  return handleFor(options).db;
}
