/**
 * The pools of the `@Database` classes and the resolver of their URLs, with one owner per process. A `@Database`
 * class is a process-wide handle (`LedgerDb.db()`), so its pool cannot belong to every container built in the
 * process: the first container that claims the pools owns them (its config chain resolves the URLs) until it
 * closes; containers built meanwhile (tests, a second role in one process) queue up instead of overwriting it, and
 * the next in line takes over when the owner closes. Outside a Sluice process (CLIs, benches) URLs come from env.
 */
import mysql, { type Pool } from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import type { DatabaseOptions } from '../decorators/options';
import { ensureDatabase, poolOptionsFromUrl } from '../database/connection';
import { envOrDefault } from '../../config/settings';

export type Drizzle = MySql2Database<Record<string, never>>;
export type UrlResolver = (key: string) => unknown;

export interface DatabaseHandle {
  pool: Pool;
  db: Drizzle;
  ready: Promise<void>;
}

const fromEnv: UrlResolver = (key) => envOrDefault(key)?.value;

export class DatabasePools {
  private readonly handles = new Map<string, DatabaseHandle>();
  /** Claimants in order; the first one is the owner. */
  private readonly claimants: Array<{ owner: object; resolve: UrlResolver }> = [];
  private fallback: UrlResolver = fromEnv;

  /** Queues `owner` for the pools; returns whether it owns them now (no one claimed them before). */
  claim(owner: object, resolve: UrlResolver): boolean {
    if (!this.claimants.some((c) => c.owner === owner)) this.claimants.push({ owner, resolve });
    return this.isOwner(owner);
  }

  isOwner(owner: object): boolean {
    return this.claimants[0]?.owner === owner;
  }

  /**
   * Gives up a claim. The owner's release closes every pool (they were opened under its URLs); the next claimant
   * then owns the pools, opened again on first use. A claimant that is not the owner only leaves the queue.
   */
  async release(owner: object): Promise<void> {
    const i = this.claimants.findIndex((c) => c.owner === owner);
    if (i < 0) return;
    this.claimants.splice(i, 1);
    if (i === 0) await this.closeAll();
  }

  /** Resolution when no container owns the pools (CLIs, tests without a container). @defaultValue env, then defaults */
  useFallbackResolver(resolve: UrlResolver): void {
    this.fallback = resolve;
  }

  setting(key: string): unknown {
    return (this.claimants[0]?.resolve ?? this.fallback)(key);
  }

  /** The URL of a declared database: its own `url`, the setting it names, `defaultUrl`, or its database on the core server. */
  url(options: DatabaseOptions): string {
    const fromSetting = options.urlEnv ? this.setting(options.urlEnv) : undefined;
    const url = options.url ?? (typeof fromSetting === 'string' && fromSetting ? fromSetting : undefined) ?? options.defaultUrl ?? this.onCoreServer(options.defaultDatabase);
    if (!url) throw new Error(`@Database('${options.name}') has no URL: set ${options.urlEnv ?? 'url'}, defaultUrl or defaultDatabase`);
    return url;
  }

  /** DATABASE_URL with its database replaced: a user database living on the core server by default. */
  private onCoreServer(database: string | undefined): string | undefined {
    const core = this.setting('DATABASE_URL');
    if (!database || typeof core !== 'string' || !core) return undefined;
    const u = new URL(core);
    u.pathname = `/${encodeURIComponent(database)}`;
    return u.toString();
  }

  /** The pool of a declared database, created on first use. */
  handle(options: DatabaseOptions): DatabaseHandle {
    let handle = this.handles.get(options.name);
    if (!handle) {
      const url = this.url(options);
      const pool = mysql.createPool({ ...poolOptionsFromUrl(url), connectionLimit: options.pool?.connectionLimit ?? 10, multipleStatements: false });
      // A broken idle connection is dropped by the pool; the query that needed it reports the error.
      pool.on('connection', (conn) => conn.on('error', () => undefined));
      const ready = options.createDatabase ? ensureDatabase(url) : Promise.resolve();
      handle = { pool, db: drizzle(pool) as Drizzle, ready };
      this.handles.set(options.name, handle);
    }
    return handle;
  }

  async close(name: string): Promise<void> {
    const h = this.handles.get(name);
    if (!h) return;
    this.handles.delete(name);
    await h.pool.end();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.handles.keys()].map((name) => this.close(name)));
  }
}

/** The one set of pools of this process. */
export const databasePools = new DatabasePools();
