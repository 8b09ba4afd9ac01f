/**
 * `npm run dev` hook of the marketplace plugin: with no platform credentials configured, start the local fakes of
 * TikTok Shop, Shopee and Lazada, point the settings at them, add one demo shop per platform (with the fakes'
 * tokens) and sync the last 3 days so orders show up at once.
 */
import { randomUUID } from 'node:crypto';
import type { DevHook } from '../../app';
import { addDays, dayOf } from '../../plugins/date-range';
import { LAZADA_APP, SHOPEE_APP, TIKTOK_APP, startMarketplaceFakes, type MarketplaceFakes } from './upstreams';
import { marketplaceService } from './service';
import { SYNC_WORKER } from './sync.service';
import type { PlatformName } from './platforms/types';
import './settings';

const DEMO: Record<PlatformName, string> = { tiktok: '7000001', shopee: '800001', lazada: '900001' };

const devHook: DevHook = async ({ config, log }) => {
  if (config.get<string>('TIKTOK_APP_KEY') || config.get<number>('SHOPEE_PARTNER_ID') || config.get<string>('LAZADA_APP_KEY')) return {};
  const today = dayOf(Date.now(), 'Asia/Ho_Chi_Minh');
  const spec = (p: PlatformName) => [{ shopId: DEMO[p], ordersPerDay: 10, from: addDays(today, -29), to: today, products: 20, malformedEvery: 50 }];
  const fakes: MarketplaceFakes = await startMarketplaceFakes({ tiktok: { shops: spec('tiktok') }, shopee: { shops: spec('shopee') }, lazada: { shops: spec('lazada') } });
  log.warn(`marketplace: no platform credentials configured, serving local fakes (TikTok ${fakes.tiktok.url}, Shopee ${fakes.shopee.url}, Lazada ${fakes.lazada.url}/rest) with a demo shop each`);
  const env = {
    TIKTOK_API_URL: fakes.tiktok.url, TIKTOK_AUTH_URL: fakes.tiktok.url, TIKTOK_APP_KEY: TIKTOK_APP.appKey, TIKTOK_APP_SECRET: TIKTOK_APP.appSecret,
    SHOPEE_API_URL: fakes.shopee.url, SHOPEE_PARTNER_ID: String(SHOPEE_APP.partnerId), SHOPEE_PARTNER_KEY: SHOPEE_APP.partnerKey,
    LAZADA_API_URL: `${fakes.lazada.url}/rest`, LAZADA_AUTH_URL: `${fakes.lazada.url}/rest`, LAZADA_APP_KEY: LAZADA_APP.appKey, LAZADA_APP_SECRET: LAZADA_APP.appSecret,
  };
  return {
    env,
    afterStart: async (api) => {
      const svc = await marketplaceService({ mongo: () => api.mongo(), redis: api.redis, config: api.config, logger: api.logger, publish: (t, d) => api.publish(t, d) });
      for (const p of Object.keys(DEMO) as PlatformName[]) {
        const s = fakes[p].shop(DEMO[p]);
        await svc.shops.upsert({ platform: p, shopId: DEMO[p], name: `Demo ${p} shop`, shopCipher: s.cipher, credentials: { accessToken: s.accessToken, refreshToken: s.refreshToken } });
      }
      const syncId = `dev-${randomUUID().slice(0, 8)}`;
      const from = addDays(today, -2);
      await svc.syncLog.createSync({ _id: syncId, trigger: 'dev', platform: null, shop_ids: [], from, to: today });
      await api.trigger(SYNC_WORKER, { syncId, from, to: today });
      api.logger.info(`marketplace: demo sync ${syncId} of ${from}..${today} started (GET /plugins/marketplace/syncs/${syncId})`);
    },
    close: () => fakes.close(),
  };
};

export default devHook;
