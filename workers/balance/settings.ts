/** Settings of the balance plugin (config chain: worker row → global row → env → the defaults here). */
import { defineSettings, type ConfigReader } from '../../app';

defineSettings({
  LEDGER_DB_URL: { type: 'string', default: '', description: 'Ledger database of the balance plugin; empty = database <core>_ledger (the DATABASE_URL database name + _ledger) on the DATABASE_URL server.', secret: true },
  BALANCE_PARTITIONS: { type: 'int', default: 10, description: 'P: partitions accounts are spread over (partition_id = crc32(account_no) mod P); the scan runs one task per partition present.' },
  BALANCE_BATCH_SIZE: { type: 'int', default: 2_000, description: 'B: accounts per batch (one aggregate and one persist task, one grouped query and one upsert each).' },
  BALANCE_SCAN_STEP: { type: 'int', default: 20_000, description: 'Account ids a partition scan reads per keyset query (rounded down to a multiple of B, at least B).' },
  BALANCE_SCAN_CONCURRENCY: { type: 'int', default: 2, description: 'Partition scans run at once per worker process.' },
  BALANCE_AGGREGATE_CONCURRENCY: { type: 'int', default: 3, description: 'Aggregate tasks run at once per worker process (3 keeps 2 cores busy while batches wait on I/O).' },
  BALANCE_PERSIST_CONCURRENCY: { type: 'int', default: 2, description: 'Persist tasks run at once per worker process.' },
  BALANCE_FUSE_PERSIST: { type: 'bool', default: true, description: 'Aggregate writes its batch with one INSERT … SELECT upsert (no rows through Redis) instead of handing them to persist.' },
  BALANCE_TIMEZONE: { type: 'string', default: 'Asia/Ho_Chi_Minh', description: 'Timezone in which the nightly scan picks "yesterday".' },
});

export interface BalanceSettings {
  partitions: number;
  batchSize: number;
  scanStep: number;
  fusePersist: boolean;
  timezone: string;
}

function positive(config: ConfigReader, key: string): number {
  const value = Number(config.get(key));
  if (!Number.isInteger(value) || value < 1) throw new Error(`Setting ${key} must be a positive integer, got ${JSON.stringify(config.get(key))}`);
  return value;
}

/** Reads and checks the plugin's tunables (a bad value fails the run with a message naming the key). */
export function balanceSettings(config: ConfigReader): BalanceSettings {
  const batchSize = positive(config, 'BALANCE_BATCH_SIZE');
  const step = positive(config, 'BALANCE_SCAN_STEP');
  return {
    partitions: positive(config, 'BALANCE_PARTITIONS'),
    batchSize,
    scanStep: Math.max(batchSize, Math.floor(step / batchSize) * batchSize),
    fusePersist: config.get<boolean>('BALANCE_FUSE_PERSIST') === true,
    timezone: String(config.get('BALANCE_TIMEZONE')),
  };
}
