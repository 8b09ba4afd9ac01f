/**
 * Lazada signing: every parameter but `sign` (access_token included), ASCII-sorted by key, concatenated as
 * `keyvalue`, prefixed with the API path (without the `/rest` gateway prefix); HMAC-SHA256 with the app secret,
 * UPPERCASE hex.
 */
import { createHmac } from 'node:crypto';

export function signLazada(appSecret: string, apiPath: string, params: Record<string, string>): string {
  const text = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHmac('sha256', appSecret).update(apiPath + text).digest('hex').toUpperCase();
}
