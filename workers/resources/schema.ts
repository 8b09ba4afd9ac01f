/**
 * Drizzle schema of the resources database. Migrations in `workers/resources/drizzle/` are generated from this
 * file with `npx drizzle-kit generate --config workers/resources/drizzle.config.ts`.
 */
import { boolean, datetime, index, int, mysqlTable, uniqueIndex, varchar, char } from 'drizzle-orm/mysql-core';

/** One row per resource: the version clients key their caches by, and what that version holds. */
export const resourceVersions = mysqlTable('resource_versions', {
  name: varchar('name', { length: 64 }).primaryKey(),
  /** Starts at 1 with the first load; moves only when the content changed (refresh) or on an explicit bump. */
  version: int('version', { unsigned: true }).notNull(),
  /** sha256 (hex) of the JSON the version serves. */
  hash: char('hash', { length: 64 }).notNull(),
  rows: int('rows', { unsigned: true }).notNull(),
  /** Size of the JSON document (before compression). */
  bytes: int('bytes', { unsigned: true }).notNull(),
  /** Size of the gzip body clients download. */
  compressedBytes: int('compressed_bytes', { unsigned: true }).notNull(),
  updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
  /** Who moved the version: a token name (API), `schedule`, or `load` (a cache miss found new content). */
  bumpedBy: varchar('bumped_by', { length: 128 }).notNull(),
});

// --- example datasets (SPEC §8.6): seeded by `npm run resources:seed` and in dev ---

export const warehouse = mysqlTable('warehouse', {
  id: int('id', { unsigned: true }).primaryKey(),
  code: varchar('code', { length: 16 }).notNull(),
  name: varchar('name', { length: 128 }).notNull(),
  city: varchar('city', { length: 64 }).notNull(),
  capacity: int('capacity', { unsigned: true }).notNull(),
}, (t) => [uniqueIndex('warehouse_code_uq').on(t.code)]);

export const store = mysqlTable('store', {
  id: int('id', { unsigned: true }).primaryKey(),
  code: varchar('code', { length: 16 }).notNull(),
  name: varchar('name', { length: 128 }).notNull(),
  city: varchar('city', { length: 64 }).notNull(),
  warehouseId: int('warehouse_id', { unsigned: true }).notNull(),
}, (t) => [uniqueIndex('store_code_uq').on(t.code)]);

export const staff = mysqlTable('staff', {
  id: int('id', { unsigned: true }).primaryKey(),
  code: varchar('code', { length: 16 }).notNull(),
  fullName: varchar('full_name', { length: 128 }).notNull(),
  email: varchar('email', { length: 128 }).notNull(),
  role: varchar('role', { length: 32 }).notNull(),
  storeId: int('store_id', { unsigned: true }).notNull(),
  active: boolean('active').notNull(),
}, (t) => [uniqueIndex('staff_code_uq').on(t.code), index('staff_store_idx').on(t.storeId)]);
