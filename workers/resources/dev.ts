/** `npm run dev` hook of the resources plugin: seeds the example tables when they are empty, so the examples show data. */
import type { DevHook } from '../../app';
import { seedExamplesIfEmpty } from './examples.seed';
import { ensureResourcesDb } from './migrate';

const devHook: DevHook = async ({ log }) => ({
  afterStart: async () => {
    if (await seedExamplesIfEmpty(await ensureResourcesDb())) log.info('resources: seeded the example staff, stores and warehouses');
  },
});

export default devHook;
