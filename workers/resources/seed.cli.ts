/**
 * `npm run resources:seed [-- --staff N --stores N --warehouses N]`: (re)writes the example tables of the resources
 * database (RESOURCES_DB_URL, or sluice_resources on the DATABASE_URL server). Refresh the resources afterwards
 * (`POST /plugins/resources/<name>/refresh`) or let their schedules pick the change up.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ensureResourcesDb } from './migrate';
import { seedExamples } from './examples.seed';
import { ResourcesDb } from './resources.database';

function count(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
}

async function main(): Promise<void> {
  if (fs.existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { staff: { type: 'string' }, stores: { type: 'string' }, warehouses: { type: 'string' } } });
  const pool = await ensureResourcesDb();
  const seeded = await seedExamples(pool, { staff: count(values.staff, 'staff'), stores: count(values.stores, 'stores'), warehouses: count(values.warehouses, 'warehouses') });
  console.log(JSON.stringify(seeded));
  await ResourcesDb.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
