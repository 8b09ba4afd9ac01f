import { defineConfig } from 'drizzle-kit';

/** Ledger migrations of the balance plugin: `npx drizzle-kit generate --config workers/balance/drizzle.config.ts`. */
export default defineConfig({
  dialect: 'mysql',
  schema: './workers/balance/schema.ts',
  out: './workers/balance/drizzle',
  dbCredentials: { url: process.env.LEDGER_DB_URL ?? 'mysql://root@127.0.0.1:3306/sluice_ledger' },
});
