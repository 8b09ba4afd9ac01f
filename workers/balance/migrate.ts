/** Applies the ledger migrations once per pool, under a MySQL named lock (several processes may boot at once). */
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { LedgerDb } from './ledger.database';

const MIGRATIONS = path.join(__dirname, 'drizzle');
const LOCK_TIMEOUT_S = 120;
const applied = new WeakMap<Pool, Promise<void>>();

async function applyMigrations(pool: Pool): Promise<void> {
  await LedgerDb.ready();
  const conn = await pool.getConnection();
  try {
    const [db] = (await conn.query('SELECT DATABASE() AS name')) as unknown as [Array<{ name: string }>];
    const lock = `sluice_ledger_migrate:${db[0]?.name ?? ''}`;
    const [rows] = (await conn.query('SELECT GET_LOCK(?, ?) AS got', [lock, LOCK_TIMEOUT_S])) as unknown as [Array<{ got: number | null }>];
    if (rows[0]?.got !== 1) throw new Error(`Timed out after ${LOCK_TIMEOUT_S}s waiting for the ledger migration lock ${lock}`);
    try {
      await migrate(LedgerDb.db(), { migrationsFolder: MIGRATIONS, migrationsTable: '__ledger_migrations' });
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lock]);
    }
  } finally {
    conn.release();
  }
}

/**
 * Every ledger connection reads committed data. Under REPEATABLE READ an INSERT … SELECT share-locks each row it
 * reads (the T−1 rows of daily_balance) and the gaps around them, so concurrent batches deadlock on each other's
 * upserts; read committed reads a snapshot instead. The status transitions lock what they change (FOR UPDATE).
 */
function readCommitted(pool: Pool): void {
  pool.pool.on('connection', (conn) => {
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (err: Error | null) => {
      if (err) conn.destroy();
    });
  });
}

/**
 * Resolves once the ledger schema is current; every task and route awaits it before touching the ledger.
 * Memoised per pool, so a closed and reopened database (tests) is checked again; a failure is not memoised.
 */
export function ensureLedger(): Promise<Pool> {
  const pool = LedgerDb.pool();
  let done = applied.get(pool);
  if (!done) {
    readCommitted(pool);
    done = applyMigrations(pool);
    applied.set(pool, done);
    done.catch(() => applied.delete(pool));
  }
  return done.then(() => pool);
}
