/**
 * TikTok Shop request signing (202309+): query params except `sign` and `access_token` (empty values dropped),
 * keys sorted, `key + value` concatenated and prefixed with the path; the raw JSON body appended unless the request
 * is multipart; the whole wrapped as `secret + s + secret` and HMAC-SHA256'd with the app secret, lowercase hex.
 */
import { createHmac } from 'node:crypto';

export function signTiktok(appSecret: string, path: string, query: Record<string, string>, body = ''): string {
  const pairs = Object.keys(query)
    .filter((k) => k !== 'sign' && k !== 'access_token' && query[k] !== '' && query[k] !== undefined)
    .sort()
    .map((k) => `${k}${query[k]}`)
    .join('');
  return createHmac('sha256', appSecret).update(`${appSecret}${path}${pairs}${body}${appSecret}`).digest('hex');
}
