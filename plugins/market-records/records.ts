/** Platform detail records → the sync's documents (plugins/marketplace-dto), and their ids. */
import { mapRecord, toMarketDocument } from '../marketplace-dto';
import { ENTITY_ID_FIELD, type MarketEntity, type MarketPlatform, type ShopKey } from './entities';

export type RawRecord = Record<string, unknown>;

/** The id of a platform record as the DTO maps it, or undefined. */
export function recordId(platform: MarketPlatform, entity: MarketEntity, raw: RawRecord): string | undefined {
  const id = mapRecord(entity, platform, raw, { region: 'VN' }).fields[ENTITY_ID_FIELD[entity]];
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

/** The document a fetched detail record is stored as: the sync's DTO with its metadata (details_fetched_at = now). */
export function toRecord(shop: ShopKey, entity: MarketEntity, raw: RawRecord, now = new Date()): RawRecord {
  const iso = now.toISOString();
  return toMarketDocument(entity, raw, { platform: shop.platform, channel_id: shop.channelId, shop_id: shop.shopId, region: shop.region, synced_at: iso, details_fetched_at: iso });
}
