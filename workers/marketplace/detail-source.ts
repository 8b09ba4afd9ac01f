/**
 * The marketplace plugin's answer to the webhook consumer's detail look-ups (plugins/market-records DetailSource):
 * full orders (and returns, where the adapter can look them up) by id, through the same adapters, shop tokens (with
 * their cluster-wide refresh) and shared rate limiter as the sync, registered per platform at worker boot
 * (hooks.ts). A push names its shop by the platform's id; a shop missing from the shops store, or stored without
 * tokens, fails with a message saying so (the consumer keeps the entry pending, then dead-letters it with that
 * message; replay it once the shop is added).
 */
import { MARKET_PLATFORMS, registerDetailSource, UnfetchableError, unregisterDetailSource, type DetailSource, type MarketEntity, type ShopKey } from '../../plugins/market-records';
import { createAdapter } from './platforms';
import type { RawRecord } from './platforms/types';
import { shopIdOf } from './shops.store';
import type { MarketplaceSync } from './sync.service';

/** Why a detail look-up cannot start; the message is what the dead-letter entry shows. */
export class DetailSourceError extends Error {
  override name = 'DetailSourceError';
}

export function unknownShopMessage(shop: ShopKey): string {
  return `${shop.platform} shop ${shop.shopId} is not in the marketplace shops store: add it with its tokens (POST /plugins/marketplace/shops {"platform":"${shop.platform}","shopId":"${shop.shopId}","credentials":{…}}), then replay the dead-lettered pushes`;
}

export function marketDetailSource(svc: MarketplaceSync): DetailSource {
  return {
    async fetch(shop, entity, ids, signal): Promise<RawRecord[]> {
      if (entity === 'products') throw new UnfetchableError(notFetchable(shop, entity));
      const ref = await svc.shops.ref(shopIdOf(shop.platform, shop.shopId));
      if (!ref) throw new DetailSourceError(unknownShopMessage(shop));
      const adapter = createAdapter({ config: svc.deps.config, shop: ref, tokens: svc.shops.tokens(ref.id), limiter: svc.limiter, signal });
      if (entity === 'orders') return adapter.ordersById(ids);
      if (!adapter.returnsById) throw new UnfetchableError(notFetchable(shop, entity));
      return adapter.returnsById(ids);
    },
  };
}

function notFetchable(shop: ShopKey, entity: MarketEntity): string {
  return `${shop.platform} ${entity} never stored cannot be fetched by id (the platform has no such look-up here); the next sync stores them`;
}

/** Registers the source for every platform (worker boot); returns the function that removes it again (shutdown). */
export function registerMarketDetailSources(svc: MarketplaceSync): () => void {
  const source = marketDetailSource(svc);
  for (const p of MARKET_PLATFORMS) registerDetailSource(p, source);
  return () => {
    for (const p of MARKET_PLATFORMS) unregisterDetailSource(p, source);
  };
}
