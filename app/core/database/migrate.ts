import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { migrate } from 'drizzle-orm/mysql2/migrator';
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
