export { SyncBuffer, type BufferedBatch, type SyncBufferOptions, type ReplayReport, type QuarantinedBatch, type ReplayFilter, type ReplayOptions } from './sync-buffer';
export { RunSummaries, type RunSummary, type SummaryDelta } from './run-summary';
export type { LockTuning } from './files';
