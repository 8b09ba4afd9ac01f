/** Example resource: stores, each supplied by one warehouse; reloaded hourly and bumped only when changed. */
import { Type } from '@sinclair/typebox';
import { asc } from 'drizzle-orm';
import { defineResource } from './resource';
import { ensureResourcesDb } from './migrate';
import { ResourcesDb } from './resources.database';
import { store } from './schema';

export default defineResource({
  name: 'stores',
  description: 'Stores: id → code, name, city and supplying warehouse',
  idField: 'id',
  schema: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), city: Type.String(), warehouseId: Type.Integer() }),
  refresh: { cron: '0 * * * *' },
  async load() {
    await ensureResourcesDb();
    return ResourcesDb.db().select().from(store).orderBy(asc(store.id));
  },
});
