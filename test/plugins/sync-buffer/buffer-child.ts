/** A second process for the sync-buffer tests: `save N`, `replay`, or `summary N` against one buffer dir. */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { RunSummaries, SyncBuffer } from '../../../plugins/sync-buffer';

async function main(): Promise<void> {
  const [mode, dir, arg] = process.argv.slice(2);
  const buffer = new SyncBuffer({ dir, maxRetries: 3 });
  const summaries = new RunSummaries(dir);
  if (mode === 'save') {
    for (let i = 0; i < Number(arg); i++) await buffer.save('orders', [{ id: `${process.pid}-${i}` }], { shop: 's1' }, new Error('mongo down'));
  } else if (mode === 'replay') {
    const report = await buffer.replay(async (b) => {
      // O_APPEND writes of one short line do not interleave: the log shows who applied which batch.
      appendFileSync(path.join(dir, 'applied.log'), `${b.id} ${process.pid}\n`);
      await new Promise((r) => setTimeout(r, 2));
      await summaries.merge('run1', { counters: { applied: 1, records: b.records.length } });
    });
    console.log(`REPORT ${JSON.stringify(report)}`);
  } else if (mode === 'summary') {
    for (let i = 0; i < Number(arg); i++) await summaries.merge('run2', { counters: { chunks: 1 }, lists: { days: [`2024-01-${String((i % 28) + 1).padStart(2, '0')}`] } });
  }
  console.log('DONE');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
