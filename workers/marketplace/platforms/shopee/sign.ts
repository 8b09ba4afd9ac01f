/**
 * Shopee v2 signing: shop-level base string `partner_id + api_path + timestamp + access_token + shop_id`
 * (public calls such as the token refresh: `partner_id + api_path + timestamp`), HMAC-SHA256 with the partner key,
 * lowercase hex.
 */
import { createHmac } from 'node:crypto';

export function signShopee(partnerKey: string, partnerId: number, path: string, timestamp: number, accessToken = '', shopId = ''): string {
  return createHmac('sha256', partnerKey).update(`${partnerId}${path}${timestamp}${accessToken}${shopId}`).digest('hex');
}
