/** The balance plugin's worker classes and database, for tests and benchmarks that build a registry by hand. */
import { LedgerDb } from './ledger.database';
import { BalanceScanWorker } from './scan.worker';
import { BalanceScanPartitionWorker } from './scan-partition.worker';
import { BalanceAggregateWorker } from './aggregate.worker';
import { BalancePersistWorker } from './persist.worker';
import { BalanceStatusWorker } from './status.worker';

export { LedgerDb, BalanceScanWorker, BalanceScanPartitionWorker, BalanceAggregateWorker, BalancePersistWorker, BalanceStatusWorker };

export const balanceClasses = [LedgerDb, BalanceScanWorker, BalanceScanPartitionWorker, BalanceAggregateWorker, BalancePersistWorker, BalanceStatusWorker];
