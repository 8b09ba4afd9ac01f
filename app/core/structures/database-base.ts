/**
 * Base of `@Database` classes. The decorated class gains static `db()`, `transaction()`, `execute()`, `ping()`
 * and `close()`; the pool is created lazily on first use and closed at shutdown.
 */
import mysql, { type Pool } from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { sql as rawSql, type SQL } from 'drizzle-orm';
import { declarationOf } from '../decorators/declarations';
import type { DatabaseOptions } from '../decorators/options';
import { ensureDatabase, poolOptionsFromUrl } from '../database/connection';
import { envOrDefault } from '../../config/settings';

type Drizzle = MySql2Database<Record<string, never>>;
type UrlResolver = (key: string) => unknown;

interface Handle { pool: Pool; db: Drizzle; ready: Promise<void> }

const handles = new Map<string, Handle>();
// Outside a running Sluice process (CLIs, benches) settings come from env and their defaults.
let resolveSetting: UrlResolver = (key) => envOrDefault(key)?.value;

/** The runtime points URL resolution at the config chain. */
export function setDatabaseUrlResolver(resolver: UrlResolver): void {
  resolveSetting = resolver;
}

function optionsOf(cls: Function): DatabaseOptions {
  const decl = declarationOf(cls);
  if (!decl || decl.kind !== 'database') throw new Error(`${cls.name} is not decorated with @Database`);
  return decl.options as DatabaseOptions;
}

export function databaseUrl(options: DatabaseOptions): string {
  const fromSetting = options.urlEnv ? resolveSetting(options.urlEnv) : undefined;
  const url = options.url ?? (typeof fromSetting === 'string' && fromSetting ? fromSetting : undefined) ?? options.defaultUrl ?? onCoreServer(options.defaultDatabase);
  if (!url) throw new Error(`@Database('${options.name}') has no URL: set ${options.urlEnv ?? 'url'}, defaultUrl or defaultDatabase`);
  return url;
}

/** DATABASE_URL with its database replaced: a user database living on the core server by default. */
function onCoreServer(database: string | undefined): string | undefined {
  const core = resolveSetting('DATABASE_URL');
  if (!database || typeof core !== 'string' || !core) return undefined;
  const u = new URL(core);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

function handleFor(options: DatabaseOptions): Handle {
  let handle = handles.get(options.name);
  if (!handle) {
    const url = databaseUrl(options);
    const pool = mysql.createPool({ ...poolOptionsFromUrl(url), connectionLimit: options.pool?.connectionLimit ?? 10, multipleStatements: false });
    pool.on('connection', (conn) => conn.on('error', () => undefined));
    const ready = options.createDatabase ? ensureDatabase(url) : Promise.resolve();
    handle = { pool, db: drizzle(pool) as Drizzle, ready };
    handles.set(options.name, handle);
  }
  return handle;
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
  const h = handles.get(name);
  if (!h) return;
  handles.delete(name);
  await h.pool.end();
}

export async function closeAllDatabases(): Promise<void> {
  await Promise.all([...handles.keys()].map(closeDatabase));
}

/** The drizzle instance of a declared database by name (for `ctx.database(name)`). */
export function databaseByName(name: string, declared: ReadonlyMap<string, DatabaseOptions>): Drizzle {
  const options = declared.get(name);
  if (!options) throw new Error(`No @Database named '${name}' is declared (known: ${[...declared.keys()].join(', ') || 'none'})`);
  return handleFor(options).db;
}
