/**
 * `npm run balance:seed -- --accounts N --entries M --date YYYY-MM-DD [--days D] [--partitions P]`
 * Fills the ledger (LEDGER_DB_URL, or sluice_ledger on the DATABASE_URL server) and prints rows/s.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { LedgerDb } from './ledger.database';
import { databaseUrl } from '../../app';
import { ensureLedger } from './migrate';
import { seedLedger } from './ledger-seed';
import { isIsoDate } from './dates';

const usage = 'usage: npm run balance:seed -- --accounts N --entries M --date YYYY-MM-DD [--days D] [--partitions P]';

function intOption(values: Record<string, string | undefined>, name: string, fallback?: number): number {
  const raw = values[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (n === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer (${usage})`);
  return n;
}

async function main(): Promise<void> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { accounts: { type: 'string' }, entries: { type: 'string' }, date: { type: 'string' }, days: { type: 'string' }, partitions: { type: 'string' } } });
  if (!values.date || !isIsoDate(values.date)) throw new Error(`--date must be a YYYY-MM-DD date (${usage})`);
  const options = {
    accounts: intOption(values, 'accounts'), entries: intOption(values, 'entries'), date: values.date,
    days: Math.max(1, intOption(values, 'days', 1)), partitions: Math.max(1, intOption(values, 'partitions', Number(process.env.BALANCE_PARTITIONS || 10))),
  };
  const pool = await ensureLedger();
  const done = { account: 0, entry: 0 };
  // A table's rate counts from the moment the previous table finished (accounts are written first).
  const since = { account: 0, entry: 0 };
  let last = performance.now();
  const result = await seedLedger(pool, {
    ...options,
    onProgress: (table, rows) => {
      if (!done.entry && table === 'entry') process.stderr.write('\n');
      since[table] ||= last;
      last = performance.now();
      done[table] += rows;
      const s = (performance.now() - since[table]) / 1000;
      process.stderr.write(`\r${table}: ${done[table].toLocaleString('en')} rows (${s > 0 ? Math.round(done[table] / s).toLocaleString('en') : '…'} rows/s)   `);
    },
  });
  const total = result.accountsAdded + result.entriesAdded;
  process.stderr.write('\n');
  console.log(`seeded ${result.accountsAdded} accounts and ${result.entriesAdded} entries in ${result.seconds.toFixed(1)} s (${Math.round(total / result.seconds)} rows/s) into ${new URL(databaseUrl(LedgerDb.options())).pathname.slice(1)}`);
  await LedgerDb.close();
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  await LedgerDb.close().catch(() => undefined);
  process.exit(1);
});
