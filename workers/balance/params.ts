/** TypeBox schemas of the balance tasks' params (checked at enqueue and again when a job runs). */
import { Type, type Static } from '@sinclair/typebox';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar day, YYYY-MM-DD' });
const Id = Type.Integer({ minimum: 1 });
const Partition = Type.Integer({ minimum: 0 });

export const ScanParams = Type.Object({
  date: Type.Optional(DateString),
  /** The job the API created; absent for the nightly fire (the scan creates it). */
  jobId: Type.Optional(Id),
});
export type ScanParams = Static<typeof ScanParams>;

export const ScanPartitionParams = Type.Object({ jobId: Id, date: DateString, partition: Partition });
export type ScanPartitionParams = Static<typeof ScanPartitionParams>;

const BatchRef = { jobId: Id, date: DateString, partition: Partition, seq: Type.Integer({ minimum: 1 }), round: Type.Integer({ minimum: 0 }) };

export const AggregateParams = Type.Object({ ...BatchRef, fromId: Id, toId: Id });
export type AggregateParams = Static<typeof AggregateParams>;

/** A batch's summarised rows, column by column (half the bytes of an array of objects); decimals stay strings. */
export const BalanceColumns = Type.Object({
  accountNo: Type.Array(Type.String()),
  open: Type.Array(Type.String()),
  close: Type.Array(Type.String()),
  debitAmount: Type.Array(Type.String()),
  creditAmount: Type.Array(Type.String()),
  debitCount: Type.Array(Type.Integer()),
  creditCount: Type.Array(Type.Integer()),
});
export type BalanceColumns = Static<typeof BalanceColumns>;

export const PersistParams = Type.Object({ ...BatchRef, rows: BalanceColumns });
export type PersistParams = Static<typeof PersistParams>;

export type BatchRef = Pick<AggregateParams, 'jobId' | 'date' | 'partition' | 'seq' | 'round'>;

export const StatusParams = Type.Union([
  Type.Object({ kind: Type.Literal('batch'), jobId: Id, partition: Partition, seq: Type.Integer({ minimum: 1 }), round: Type.Integer({ minimum: 0 }), outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]), error: Type.Optional(Type.String()) }),
  Type.Object({ kind: Type.Literal('scanned'), jobId: Id, partition: Partition, batches: Type.Integer({ minimum: 0 }) }),
  Type.Object({ kind: Type.Literal('scan-failed'), jobId: Id, partition: Type.Optional(Partition), error: Type.String() }),
  Type.Object({ kind: Type.Literal('retry'), jobId: Id }),
]);
export type StatusParams = Static<typeof StatusParams>;
