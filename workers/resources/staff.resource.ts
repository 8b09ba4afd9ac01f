/** Example resource: every staff member (5,000 rows seeded), so a page turns a staff id into a name. */
import { Type } from '@sinclair/typebox';
import { asc } from 'drizzle-orm';
import { defineResource } from './resource';
import { ensureResourcesDb } from './migrate';
import { ResourcesDb } from './resources.database';
import { staff } from './schema';

const StaffRow = Type.Object({
  id: Type.Integer(), code: Type.String(), fullName: Type.String(), email: Type.String(),
  role: Type.String(), storeId: Type.Integer(), active: Type.Boolean(),
});

export default defineResource({
  name: 'staff',
  description: 'Staff members: id → name, role and store',
  idField: 'id',
  schema: StaffRow,
  async load() {
    await ensureResourcesDb();
    return ResourcesDb.db().select().from(staff).orderBy(asc(staff.id));
  },
});
