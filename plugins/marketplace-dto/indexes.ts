/** The unique indexes every marketplace collection is written under: (entity id, shop_id, channel_id). */
import { declareIndexes } from '../mongo';
import { ENTITY_KEY } from './market-document';
import type { Entity } from './mappings';

/** Collection names (prefix-free: shared by the sync and the webhook plugin). */
export const COLLECTIONS: Record<Entity, string> = { orders: 'orders', order_tracking: 'order_tracking', transactions: 'transactions', returns: 'returns', products: 'products' };

export function keyFields(entity: Entity): [string, string, string] {
  return [ENTITY_KEY[entity], 'shop_id', 'channel_id'];
}

/** Declares the indexes (created at worker boot by the core's ensureIndexes). */
export function declareMarketIndexes(): void {
  for (const entity of Object.keys(COLLECTIONS) as Entity[]) {
    const [id] = keyFields(entity);
    declareIndexes(COLLECTIONS[entity], [
      { key: { [id]: 1, shop_id: 1, channel_id: 1 }, unique: true, name: `${id}_shop_channel_unique` },
      { key: { shop_id: 1, channel_id: 1, update_epoch: 1 }, name: 'shop_channel_update' },
    ]);
  }
}
