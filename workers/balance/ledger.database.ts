/** The ledger database of the balance plugin. */
import { Database, DatabaseBase } from '../../app';
import './settings';

/**
 * LEDGER_DB_URL when set (worker/global config rows or env); otherwise `sluice_ledger` on the core MySQL server,
 * so dev works without any ledger setting.
 */
@Database({ name: 'ledger', urlEnv: 'LEDGER_DB_URL', defaultDatabase: 'sluice_ledger', createDatabase: true, pool: { connectionLimit: 12 } })
export class LedgerDb extends DatabaseBase {}
