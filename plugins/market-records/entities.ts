/**
 * The marketplace records Sluice keeps in MongoDB and their keys: one document per (entity id, shop_id, channel_id),
 * the same for the periodic sync and the webhook consumer (seed: "Orders: (order_id, shop_id, channel_id)").
 */
export type MarketPlatform = 'tiktok' | 'shopee' | 'lazada';
export const MARKET_PLATFORMS: readonly MarketPlatform[] = ['tiktok', 'shopee', 'lazada'];

export type MarketEntity = 'orders' | 'returns' | 'products';
export const MARKET_ENTITIES: readonly MarketEntity[] = ['orders', 'returns', 'products'];

/** The id field of each entity's documents. */
export const ENTITY_ID_FIELD: Readonly<Record<MarketEntity, string>> = { orders: 'order_id', returns: 'return_id', products: 'product_id' };

/** The MongoDB collection of each entity. */
export const ENTITY_COLLECTION: Readonly<Record<MarketEntity, string>> = { orders: 'orders', returns: 'returns', products: 'products' };

/** A shop as the records name it: the platform's shop id and Sluice's channel id. */
export interface ShopKey {
  platform: MarketPlatform;
  /** The platform's shop / seller id. */
  shopId: string;
  channelId: string;
}

/** The key fields of one record, in index order. */
export function recordKeyFields(entity: MarketEntity): [string, 'shop_id', 'channel_id'] {
  return [ENTITY_ID_FIELD[entity], 'shop_id', 'channel_id'];
}

/** The filter of one record. */
export function recordKey(entity: MarketEntity, shop: ShopKey, id: string): Record<string, string> {
  return { [ENTITY_ID_FIELD[entity]]: id, shop_id: shop.shopId, channel_id: shop.channelId };
}
