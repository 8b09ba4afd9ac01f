/**
 * Log path throughput: records/s from `ctx.log`-style winston calls through the bounded queue into MySQL
 * (multi-row inserts), and the caller's latency per call (p50/p99). Side by side in the same run: the same
 * records written by plain sequential multi-row INSERTs with no logger in front.
 */
import { createLogger, createLogWriter, type LogRecord } from '../app/core/services/log-writer';
import { connectCoreDatabase, ensureDatabase } from '../app/core/database/connection';
import { migrateCore } from '../app/core/database/migrate';
import { dropIsolated, intArg, isolatedNames, percentile, report, round } from './support';

const RECORDS = intArg('records', 200_000);
const BATCH = intArg('batch', 2_000);
const CONCURRENCY = intArg('concurrency', 2);
const BURST = 1_000;

async function main(): Promise<void> {
  const names = isolatedNames('logs');
  await ensureDatabase(names.databaseUrl);
  const core = connectCoreDatabase(names.databaseUrl, 4);
  try {
    await migrateCore(core.db, core.pool);
    const writer = createLogWriter(core.pool, { batchSize: BATCH, concurrency: CONCURRENCY, flushIntervalMs: 100, maxQueued: RECORDS * 2, reportIntervalMs: 10_000, onReport: (m) => console.error(m) });
    const logger = createLogger({ level: 'info', format: 'json', dir: '', retentionDays: 1, sink: writer, console: false });
    const child = { executionId: '01a1ff3a-1898-7467-a3c0-255dede3fe82', workerId: 'bench-logs', attempt: 1 };
    const latencies = new Float64Array(RECORDS);
    const started = performance.now();
    for (let i = 0; i < RECORDS; i += BURST) {
      for (let k = i; k < Math.min(RECORDS, i + BURST); k++) {
        const t0 = process.hrtime.bigint();
        logger.info('fetched page', { ...child, page: k, rows: 50 });
        latencies[k] = Number(process.hrtime.bigint() - t0) / 1000;
      }
      // Yield between bursts as a real worker does between awaits, so the flusher runs alongside.
      await new Promise((r) => setImmediate(r));
    }
    await writer.drain(120_000);
    const pipelineS = (performance.now() - started) / 1000;
    const [rows] = await core.pool.query('SELECT COUNT(*) AS n FROM execution_logs');
    const stored = Number((rows as Array<{ n: number }>)[0].n);
    latencies.sort();

    // Reference: the same number of rows through bare multi-row inserts.
    await core.pool.query('TRUNCATE execution_logs');
    const refStarted = performance.now();
    const ts = new Date();
    for (let i = 0; i < RECORDS; i += BATCH) {
      const batch: unknown[][] = [];
      for (let k = i; k < Math.min(RECORDS, i + BATCH); k++) batch.push([child.executionId, child.workerId, 'info', 'fetched page', JSON.stringify({ page: k, rows: 50, attempt: 1 }), ts]);
      await core.pool.query('INSERT INTO execution_logs (execution_id, worker_id, level, message, meta, ts) VALUES ?', [batch]);
    }
    const refS = (performance.now() - refStarted) / 1000;
    report({
      bench: 'logs', records: RECORDS, stored, dropped: writer.snapshot().dropped, batch: BATCH, concurrency: CONCURRENCY,
      records_per_s: round(RECORDS / pipelineS), caller_p50_us: round(percentile(latencies, 50), 2), caller_p99_us: round(percentile(latencies, 99), 2),
      caller_max_us: round(latencies[latencies.length - 1], 1),
      reference_insert_records_per_s: round(RECORDS / refS), ratio: round(pipelineS / refS, 2),
      targets: { records_per_s: 50_000, caller_p99_us: 50 },
    });
  } finally {
    await core.close();
    await dropIsolated(names);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
