/** `npm run db:migrate`: creates the core database when missing and applies pending migrations. */
import { loadSettings } from '../../config/settings';
import { connectCoreDatabase, ensureDatabase } from './connection';
import { migrateCore } from './migrate';
import { loadDotEnv } from '../../config/dotenv';

async function main(): Promise<void> {
  loadDotEnv();
  const settings = loadSettings();
  await ensureDatabase(settings.DATABASE_URL);
  const core = connectCoreDatabase(settings.DATABASE_URL, 2);
  try {
    await migrateCore(core.db, core.pool);
    console.log('core migrations applied');
  } finally {
    await core.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
