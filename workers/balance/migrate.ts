/** The ledger schema and session settings, ready before any task or route touches the ledger. */
import type { Pool } from 'mysql2/promise';
import { LedgerDb } from './ledger.database';

const prepared = new WeakSet<Pool>();

/**
 * Every ledger connection reads committed data. Under REPEATABLE READ an INSERT … SELECT share-locks each row it
 * reads (the T−1 rows of daily_balance) and the gaps around them, so concurrent batches deadlock on each other's
 * upserts; read committed reads a snapshot instead. The status transitions lock what they change (FOR UPDATE).
 */
function readCommitted(pool: Pool): void {
  if (prepared.has(pool)) return;
  prepared.add(pool);
  pool.pool.on('connection', (conn) => {
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (err: Error | null) => {
      if (err) conn.destroy();
    });
  });
}

/**
 * Resolves once the ledger schema is current (the core applies `@Database({ migrations })` on first use, under a
 * named lock, and retries after a failure); every task and route awaits it before touching the ledger.
 */
export async function ensureLedger(): Promise<Pool> {
  const pool = LedgerDb.pool();
  readCommitted(pool);
  await LedgerDb.ready();
  return pool;
}
