/** The core MySQL pool and its drizzle instance; creates the database when it does not exist yet. */
import mysql, { type Pool, type PoolOptions } from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import * as schema from './schema';

export type CoreDb = MySql2Database<typeof schema>;

export interface CoreDatabase {
  pool: Pool;
  db: CoreDb;
  close(): Promise<void>;
}

/** Splits a mysql:// URL into pool options, keeping the database name apart. */
export function poolOptionsFromUrl(url: string, extra: Partial<PoolOptions> = {}): PoolOptions & { database: string } {
  const u = new URL(url);
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new Error(`Database URL must start with mysql:// (got ${u.protocol}//…)`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error('Database URL names no database (mysql://user@host:3306/<database>)');
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    enableKeepAlive: true,
    queryFormat: formatQuery,
    ...extra,
  };
}

/**
 * mysql2's own formatting, except that a query given no values is sent as it is: mysql2 would still scan the whole
 * text for placeholders, which is most of the client-side cost of a multi-row write built as text (the execution
 * recorder's). Otherwise the same escaping as mysql2's default, in the connection's timezone.
 */
function formatQuery(sql: string, values: unknown, timezone?: string): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return sql;
  return mysql.format(sql, values as Parameters<typeof mysql.format>[1], false, (timezone ?? 'Z') as never);
}

/** CREATE DATABASE IF NOT EXISTS through a short-lived connection without a default database. */
export async function ensureDatabase(url: string): Promise<void> {
  const { database, ...opts } = poolOptionsFromUrl(url);
  const conn = await mysql.createConnection({ ...opts, connectTimeout: 10_000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export function connectCoreDatabase(url: string, poolSize: number): CoreDatabase {
  const pool = mysql.createPool({ ...poolOptionsFromUrl(url), connectionLimit: poolSize, connectTimeout: 10_000 });
  // A pool error (e.g. a connection reset while idle) must never crash the process; queries report their own errors.
  pool.on('connection', (conn) => conn.on('error', () => undefined));
  const db = drizzle(pool, { schema, mode: 'default' });
  return { pool, db, close: () => pool.end() };
}

/** JSON columns come back as strings from MariaDB (JSON is LONGTEXT there) and as objects from MySQL. */
export function readJson<T = unknown>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return value as T;
    }
  }
  return value as T;
}
