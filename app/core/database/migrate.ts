import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import type { MySql2Database } from 'drizzle-orm/mysql2';
import type { CoreDb } from './connection';

/** Folder of the generated core migrations, found from the source tree or from dist/. */
export function migrationsFolder(): string {
  const candidates = [path.resolve(__dirname, '../../../drizzle'), path.resolve(__dirname, '../../../../drizzle')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'meta', '_journal.json')));
  if (!found) throw new Error(`Core migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Applies pending migrations under a MySQL named lock, because api, worker and beat may boot at the same
 * moment with DB_AUTO_MIGRATE=true and drizzle's migrator is not safe to run twice concurrently.
 */
export async function migrateCore(db: CoreDb, pool: Pool, folder = migrationsFolder()): Promise<void> {
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(?, 120) AS got', ['sluice_core_migrate']);
    if ((rows as Array<{ got: number }>)[0]?.got !== 1) throw new Error('Timed out waiting for the migration lock (another process is migrating)');
    try {
      await migrate(db, { migrationsFolder: folder });
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', ['sluice_core_migrate']);
    }
  } finally {
    conn.release();
  }
}

/**
 * Applies a declared database's migrations under a named lock per database (see DatabaseOptions.migrations).
 * A missing folder fails with its path, so a layout that forgot to ship it says so on /ready.
 */
export async function migrateDatabase(db: MySql2Database<Record<string, never>>, pool: Pool, name: string, opts: { folder: string; table?: string }): Promise<void> {
  if (!fs.existsSync(path.join(opts.folder, 'meta', '_journal.json'))) {
    throw new Error(`migrations of database '${name}' not found: ${path.join(opts.folder, 'meta', '_journal.json')} is missing (the build copies workers/*/drizzle into dist)`);
  }
  const conn = await pool.getConnection();
  try {
    const [db0] = (await conn.query('SELECT DATABASE() AS name')) as unknown as [Array<{ name: string }>];
    const lock = `sluice_migrate:${name}:${db0[0]?.name ?? ''}`.slice(0, 64);
    const [rows] = (await conn.query('SELECT GET_LOCK(?, 120) AS got', [lock])) as unknown as [Array<{ got: number | null }>];
    if (rows[0]?.got !== 1) throw new Error(`Timed out waiting for the migration lock ${lock} of database '${name}'`);
    try {
      await migrate(db, { migrationsFolder: opts.folder, migrationsTable: opts.table ?? `__${name}_migrations` });
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    conn.release();
  }
}
