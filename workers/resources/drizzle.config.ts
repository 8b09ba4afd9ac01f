import { defineConfig } from 'drizzle-kit';

/** Migrations of the resources plugin: `npx drizzle-kit generate --config workers/resources/drizzle.config.ts`. */
export default defineConfig({
  dialect: 'mysql',
  schema: './workers/resources/schema.ts',
  out: './workers/resources/drizzle',
  dbCredentials: { url: process.env.RESOURCES_DB_URL ?? 'mysql://root@127.0.0.1:3306/sluice_resources' },
});
