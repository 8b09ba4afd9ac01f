/** The ledger database of the balance plugin. */
import path from 'node:path';
import { Database, DatabaseBase } from '../../app';
import './settings';

/**
 * LEDGER_DB_URL when set (worker/global config rows or env); otherwise `<core>_ledger` on the core MySQL server
 * (the core database's name + `_ledger`: `sluice` → `sluice_ledger`), so dev works without any ledger setting and
 * two deployments on one server keep their ledgers apart. Its migrations (./drizzle) apply on first use.
 */
@Database({
  name: 'ledger', urlEnv: 'LEDGER_DB_URL', defaultDatabase: '{core}_ledger', createDatabase: true, pool: { connectionLimit: 12 },
  migrations: { folder: path.join(__dirname, 'drizzle'), table: '__ledger_migrations' },
})
export class LedgerDb extends DatabaseBase {}
