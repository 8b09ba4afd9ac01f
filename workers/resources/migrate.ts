/** Applies the resources migrations once per pool, under a MySQL named lock (several processes may boot at once). */
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { ResourcesDb } from './resources.database';

const MIGRATIONS = path.join(__dirname, 'drizzle');
const LOCK_TIMEOUT_S = 120;
const applied = new WeakMap<Pool, Promise<void>>();

async function applyMigrations(pool: Pool): Promise<void> {
  await ResourcesDb.ready();
  const conn = await pool.getConnection();
  try {
    const [db] = (await conn.query('SELECT DATABASE() AS name')) as unknown as [Array<{ name: string }>];
    const lock = `sluice_resources_migrate:${db[0]?.name ?? ''}`;
    const [rows] = (await conn.query('SELECT GET_LOCK(?, ?) AS got', [lock, LOCK_TIMEOUT_S])) as unknown as [Array<{ got: number | null }>];
    if (rows[0]?.got !== 1) throw new Error(`Timed out after ${LOCK_TIMEOUT_S}s waiting for the resources migration lock ${lock}`);
    try {
      await migrate(ResourcesDb.db(), { migrationsFolder: MIGRATIONS, migrationsTable: '__resources_migrations' });
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    conn.release();
  }
}

/**
 * Resolves once the resources schema is current; every path that touches the database awaits it first.
 * Memoised per pool, so a closed and reopened database (tests) is checked again; a failure is not memoised.
 */
export function ensureResourcesDb(): Promise<Pool> {
  const pool = ResourcesDb.pool();
  let done = applied.get(pool);
  if (!done) {
    done = applyMigrations(pool);
    applied.set(pool, done);
    done.catch(() => applied.delete(pool));
  }
  return done.then(() => pool);
}
