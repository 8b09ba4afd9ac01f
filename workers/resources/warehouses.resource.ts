/** Example resource: warehouses; reloaded every 10 minutes and bumped only when changed. */
import { Type } from '@sinclair/typebox';
import { asc } from 'drizzle-orm';
import { defineResource } from './resource';
import { ensureResourcesDb } from './migrate';
import { ResourcesDb } from './resources.database';
import { warehouse } from './schema';

export default defineResource({
  name: 'warehouses',
  description: 'Warehouses: id → code, name, city and capacity',
  idField: 'id',
  schema: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), city: Type.String(), capacity: Type.Integer() }),
  refresh: { cron: '*/10 * * * *' },
  async load() {
    await ensureResourcesDb();
    return ResourcesDb.db().select().from(warehouse).orderBy(asc(warehouse.id));
  },
});
