/**
 * Drizzle schema of the ledger database (SPEC §8.2). Migrations in `workers/balance/drizzle/` are generated from
 * this file with `npx drizzle-kit generate --config workers/balance/drizzle.config.ts`.
 */
import { sql } from 'drizzle-orm';
import { bigint, char, date, datetime, decimal, index, int, mysqlTable, primaryKey, smallint, text, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

const ms = { fsp: 3 } as const;
/** Money columns: 18 integer digits and 2 decimals, like the reference system's NUMBER amounts. */
const money = { precision: 20, scale: 2 } as const;

export const account = mysqlTable('account', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  accountNo: varchar('account_no', { length: 32 }).notNull(),
  /** 'DR' = debit-normal (close = open + debit − credit), 'CR' = credit-normal (close = open + credit − debit). */
  accountingType: char('accounting_type', { length: 2 }).notNull(),
  /** crc32(account_no) mod BALANCE_PARTITIONS; InnoDB appends the primary key, so this index is (partition_id, id). */
  partitionId: smallint('partition_id', { unsigned: true }).notNull(),
}, (t) => [uniqueIndex('account_no_uq').on(t.accountNo), index('account_partition_idx').on(t.partitionId)]);

export const entry = mysqlTable('entry', {
  entryId: bigint('entry_id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  transactionId: varchar('transaction_id', { length: 64 }).notNull(),
  accountNo: varchar('account_no', { length: 32 }).notNull(),
  amount: decimal('amount', money).notNull(),
  sign: char('sign', { length: 2 }).notNull(),
  accountCategory: varchar('account_category', { length: 16 }),
  currency: char('currency', { length: 3 }).notNull(),
  status: varchar('status', { length: 16 }).notNull(),
  companyCode: varchar('company_code', { length: 32 }),
  createdDate: datetime('created_date', ms).notNull(),
  processingDate: datetime('processing_date', ms).notNull(),
  // (account_no, processing_date) with sign and amount appended: the daily aggregation reads the index alone and
  // never the row (on a 128 MB buffer pool that is the difference between sequential and random I/O).
}, (t) => [index('entry_account_date_idx').on(t.accountNo, t.processingDate, t.sign, t.amount)]);

export const dailyBalance = mysqlTable('daily_balance', {
  accountNo: varchar('account_no', { length: 32 }).notNull(),
  balanceDate: date('balance_date', { mode: 'string' }).notNull(),
  open: decimal('open', money).notNull(),
  close: decimal('close', money).notNull(),
  debitAmount: decimal('debit_amount', money).notNull(),
  creditAmount: decimal('credit_amount', money).notNull(),
  debitCount: int('debit_count', { unsigned: true }).notNull(),
  creditCount: int('credit_count', { unsigned: true }).notNull(),
}, (t) => [primaryKey({ name: 'daily_balance_pk', columns: [t.accountNo, t.balanceDate] })]);

export const balanceJob = mysqlTable('balance_job', {
  id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
  /** Who asked for the job (an API request id or the scan's execution id): a retried scan finds its job again. */
  requestId: varchar('request_id', { length: 64 }).notNull(),
  balanceDate: date('balance_date', { mode: 'string' }).notNull(),
  /** queued → running → completed | completed_with_failures | failed (a scan could not finish). */
  status: varchar('status', { length: 32 }).notNull(),
  /** Partitions the scan found; the job can close only once each one has reported its batch count. */
  partitions: int('partitions', { unsigned: true }),
  partitionsScanned: int('partitions_scanned', { unsigned: true }).notNull().default(0),
  totalBatches: int('total_batches', { unsigned: true }).notNull().default(0),
  batchesSucceeded: int('batches_succeeded', { unsigned: true }).notNull().default(0),
  batchesFailed: int('batches_failed', { unsigned: true }).notNull().default(0),
  accounts: int('accounts', { unsigned: true }).notNull().default(0),
  error: text('error'),
  createdAt: datetime('created_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  startedAt: datetime('started_at', ms),
  finishedAt: datetime('finished_at', ms),
}, (t) => [uniqueIndex('balance_job_request_uq').on(t.requestId), index('balance_job_date_idx').on(t.balanceDate, t.id)]);

/** One row per partition of a job: the cached max id the scan stops at, and how many batches it produced. */
export const balancePartition = mysqlTable('balance_partition', {
  jobId: bigint('job_id', { mode: 'number', unsigned: true }).notNull(),
  partitionId: smallint('partition_id', { unsigned: true }).notNull(),
  maxId: bigint('max_id', { mode: 'number', unsigned: true }).notNull(),
  accounts: int('accounts', { unsigned: true }).notNull(),
  /** NULL until the partition's scan has enqueued every batch. */
  batches: int('batches', { unsigned: true }),
}, (t) => [primaryKey({ name: 'balance_partition_pk', columns: [t.jobId, t.partitionId] })]);

/** One row per batch: its account range, and the outcome the status task counted (pending | succeeded | failed). */
export const balanceBatch = mysqlTable('balance_batch', {
  jobId: bigint('job_id', { mode: 'number', unsigned: true }).notNull(),
  partitionId: smallint('partition_id', { unsigned: true }).notNull(),
  seq: int('seq', { unsigned: true }).notNull(),
  fromId: bigint('from_id', { mode: 'number', unsigned: true }).notNull(),
  toId: bigint('to_id', { mode: 'number', unsigned: true }).notNull(),
  accounts: int('accounts', { unsigned: true }).notNull(),
  status: varchar('status', { length: 16 }).notNull().default('pending'),
  /** Times the batch was sent again by retry-failed (part of its queue job id, so a retry is never deduplicated away). */
  retries: int('retries', { unsigned: true }).notNull().default(0),
  error: text('error'),
  updatedAt: datetime('updated_at', ms).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
}, (t) => [primaryKey({ name: 'balance_batch_pk', columns: [t.jobId, t.partitionId, t.seq] }), index('balance_batch_status_idx').on(t.jobId, t.status)]);
