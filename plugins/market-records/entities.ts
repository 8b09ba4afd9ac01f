/**
 * The marketplace records a push touches, named as the shared DTOs name them (plugins/marketplace-dto): one
 * document per (entity id, shop_id, channel_id) in the same collections the periodic sync writes.
 */
import { COLLECTIONS, ENTITY_KEY } from '../marketplace-dto';

export type MarketPlatform = 'tiktok' | 'shopee' | 'lazada';
export const MARKET_PLATFORMS: readonly MarketPlatform[] = ['tiktok', 'shopee', 'lazada'];

/** The entities pushes carry (a subset of the sync's). */
export type MarketEntity = 'orders' | 'returns' | 'products';
export const MARKET_ENTITIES: readonly MarketEntity[] = ['orders', 'returns', 'products'];

/** The id field of each entity's documents (the sync's ENTITY_KEY). */
export const ENTITY_ID_FIELD: Readonly<Record<MarketEntity, string>> = { orders: ENTITY_KEY.orders, returns: ENTITY_KEY.returns, products: ENTITY_KEY.products };

/** The MongoDB collection of each entity (the sync's COLLECTIONS). */
export const ENTITY_COLLECTION: Readonly<Record<MarketEntity, string>> = { orders: COLLECTIONS.orders, returns: COLLECTIONS.returns, products: COLLECTIONS.products };

/** A shop as the records name it: the platform's shop id and Sluice's channel id. */
export interface ShopKey {
  platform: MarketPlatform;
  /** The platform's shop / seller id. */
  shopId: string;
  channelId: string;
  /** Region of the shop (currency, Lazada amounts). @defaultValue 'VN' */
  region?: string;
}

/** The filter of one record. */
export function recordKey(entity: MarketEntity, shop: ShopKey, id: string): Record<string, string> {
  return { [ENTITY_ID_FIELD[entity]]: id, shop_id: shop.shopId, channel_id: shop.channelId };
}
