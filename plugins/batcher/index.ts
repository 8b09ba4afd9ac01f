/**
 * The batcher (the "muster" pattern): items collect in a bounded bucket that is flushed by size or by time, with
 * retries while the sink is down. The core's log and execution-row writers use the same class.
 * `Bucket` is the awaited form: each caller gets its item's result when its batch was flushed.
 */
export { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer';
export { Bucket, type BucketOptions } from './bucket';
