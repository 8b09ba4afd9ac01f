import type { MarketPlatform } from '../../../plugins/market-records';
import { lazadaPush } from './lazada';
import { shopeePush } from './shopee';
import { tiktokPush } from './tiktok';
import type { PushPlatform } from './types';

export { PushShapeError, type PushPlatform, type ParsedPush } from './types';

export const PUSH_PLATFORMS: Readonly<Record<MarketPlatform, PushPlatform>> = { tiktok: tiktokPush, shopee: shopeePush, lazada: lazadaPush };
