/**
 * The batcher (the "muster" pattern): items collect in a bounded bucket that is flushed by size or by time, with
 * retries while the sink is down. The core's log and execution-row writers use the same class.
 */
export { BatchWriter, type BatchWriterOptions, type BatchWriterStats } from './batch-writer';
