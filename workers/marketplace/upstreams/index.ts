/** The three marketplace fakes (real HTTP servers). */
import type { FakeMarketplace, FakeOptions } from './fake-server';
import { startLazadaFake } from './lazada';
import { startShopeeFake } from './shopee';
import { startTiktokFake } from './tiktok';

export { FakeMarketplace, type FakeOptions, type Fault } from './fake-server';
export { generateShop, touchProducts, type ShopSpec, type ShopData } from './shop-data';
export { TIKTOK_APP, tiktokSignature, startTiktokFake } from './tiktok';
export { SHOPEE_APP, shopeeSignature, startShopeeFake } from './shopee';
export { LAZADA_APP, lazadaSignature, startLazadaFake } from './lazada';

export interface MarketplaceFakes {
  tiktok: FakeMarketplace;
  shopee: FakeMarketplace;
  lazada: FakeMarketplace;
  close(): Promise<void>;
}

export async function startMarketplaceFakes(opts: { tiktok: FakeOptions; shopee: FakeOptions; lazada: FakeOptions & { maxOffset?: number } }): Promise<MarketplaceFakes> {
  const [tiktok, shopee, lazada] = await Promise.all([startTiktokFake(opts.tiktok), startShopeeFake(opts.shopee), startLazadaFake(opts.lazada)]);
  return { tiktok, shopee, lazada, close: async () => void (await Promise.all([tiktok.close(), shopee.close(), lazada.close()])) };
}
