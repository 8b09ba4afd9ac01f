/** Worker ids of the balance pipeline (one Bull queue each). */
export const TASK = {
  scan: 'balance-scan',
  scanPartition: 'balance-scan-partition',
  aggregate: 'balance-aggregate',
  persist: 'balance-persist',
  status: 'balance-status',
} as const;

/** Errors a retry cannot fix (bad data, schema mismatch): the batch is counted failed at once. */
export const DATA_ERRORS: RegExp[] = [/Out of range value/i, /Data truncated/i, /Incorrect \w+ value/i, /doesn't exist/i, /Unknown column/i];
