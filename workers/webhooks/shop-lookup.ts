/**
 * A push names its shop by the platform's id; the records are keyed by Sluice's channel_id too. The marketplace
 * plugin's shops store (collection `marketplace_shops`, one document per platform + shop_id) holds it; a shop not
 * registered there uses WEBHOOK_CHANNEL_ID (or the platform's name). Credentials are never read (projection).
 */
import type { Db } from 'mongodb';
import type { MarketPlatform, ShopKey } from '../../plugins/market-records';

/** The marketplace plugin's shops collection (workers/marketplace/shops.store.ts SHOPS). */
export const SHOPS_COLLECTION = 'marketplace_shops';

const pairKey = (platform: string, shopId: string) => `${platform}\u0000${shopId}`;

export async function resolveShops(db: Db, pairs: ReadonlyArray<{ platform: MarketPlatform; shopId: string }>, fallbackChannel: (p: MarketPlatform) => string): Promise<Map<string, ShopKey>> {
  const out = new Map<string, ShopKey>();
  const wanted = [...new Map(pairs.map((p) => [pairKey(p.platform, p.shopId), p])).values()];
  if (!wanted.length) return out;
  const rows = await db.collection(SHOPS_COLLECTION)
    .find({ $or: wanted.map((p) => ({ platform: p.platform, shop_id: p.shopId })) }, { projection: { _id: 0, platform: 1, shop_id: 1, channel_id: 1, region: 1 } })
    .toArray();
  for (const r of rows) out.set(pairKey(r.platform, r.shop_id), { platform: r.platform, shopId: r.shop_id, channelId: String(r.channel_id), region: r.region });
  for (const p of wanted) if (!out.has(pairKey(p.platform, p.shopId))) out.set(pairKey(p.platform, p.shopId), { platform: p.platform, shopId: p.shopId, channelId: fallbackChannel(p.platform) });
  return out;
}

export function shopOf(shops: Map<string, ShopKey>, platform: string, shopId: string): ShopKey {
  return shops.get(pairKey(platform, shopId))!;
}
