/** Settings of the marketplace sync plugin (config chain: worker row → global row → env → the defaults here). */
import { defineSettings, type ConfigReader } from '../../app';

defineSettings({
  SYNC_CHUNK_DAYS: { type: 'int', default: 1, description: 'Days per chunk task of a marketplace sync (each chunk is one job, retried on its own).' },
  SYNC_TIMEZONE: { type: 'string', default: 'Asia/Ho_Chi_Minh', description: 'Timezone of day boundaries for shops that declare none.' },
  SYNC_BATCH_SIZE: { type: 'int', default: 300, description: 'Records per unordered bulk upsert into MongoDB (one batch in memory per entity).' },
  SYNC_DETAIL_BATCH: { type: 'int', default: 50, description: 'Ids per detail call (the platforms accept at most 50).' },
  SYNC_CHUNK_CONCURRENCY: { type: 'int', default: 4, description: 'Chunk tasks run at once per worker process (they wait on the shared rate limiter, not on CPU).' },
  SYNC_BUFFER_DIR: { type: 'string', default: 'data/buffer/marketplace', description: 'Folder of the sync buffer: batches whose MongoDB write failed, replayed at sync end and worker boot.' },
  SYNC_BUFFER_MAX_RETRIES: { type: 'int', default: 3, description: 'Replays a buffered batch may fail before it is moved to quarantine and reported.' },
  SYNC_RESYNC_DAYS: { type: 'int', default: 1, description: 'Days (ending today) the 6-hourly safety-net schedule re-syncs for every enabled shop.' },
  MARKET_HTTP_TIMEOUT_MS: { type: 'int', default: 30_000, description: 'Timeout of one marketplace API request.' },
  MARKET_HTTP_ATTEMPTS: { type: 'int', default: 6, description: 'Tries per marketplace API call (429, 5xx and network errors are retried with backoff).' },
  MARKET_HTTP_BACKOFF_MS: { type: 'int', default: 500, description: 'First retry delay of a marketplace API call (exponential with jitter).' },
  MARKET_HTTP_MAX_BACKOFF_MS: { type: 'int', default: 30_000, description: 'Longest retry delay of a marketplace API call.' },
  RATE_LIMIT_HEADROOM: { type: 'number', default: 0.95, description: 'Share of each platform limit the shared rate limiter uses (a margin for requests crossing a window edge).' },
  RATE_LIMIT_EDGE_MS: { type: 'int', default: 100, description: 'No request starts in the last this-many ms of a rate-limit window (it could land in the next one at the platform).' },
  TIKTOK_API_URL: { type: 'string', default: 'https://open-api.tiktokglobalshop.com', description: 'TikTok Shop Open API host.' },
  TIKTOK_AUTH_URL: { type: 'string', default: 'https://auth.tiktok-shops.com', description: 'TikTok Shop auth host (token refresh).' },
  TIKTOK_APP_KEY: { type: 'string', default: '', description: 'TikTok Shop app key.', secret: true },
  TIKTOK_APP_SECRET: { type: 'string', default: '', description: 'TikTok Shop app secret (signs every call).', secret: true },
  TIKTOK_RATE_LIMIT: { type: 'int', default: 50, description: 'TikTok requests per second per API per shop.' },
  SHOPEE_API_URL: { type: 'string', default: 'https://partner.shopeemobile.com', description: 'Shopee Open Platform host.' },
  SHOPEE_PARTNER_ID: { type: 'int', default: 0, description: 'Shopee partner id.' },
  SHOPEE_PARTNER_KEY: { type: 'string', default: '', description: 'Shopee partner key (signs every call).', secret: true },
  SHOPEE_RATE_LIMIT: { type: 'int', default: 50, description: 'Shopee requests per second per API per shop (Shopee publishes no figure: unconfirmed).' },
  SHOPEE_MAX_WINDOW_DAYS: { type: 'int', default: 15, description: 'Longest time window of a Shopee list call.' },
  LAZADA_API_URL: { type: 'string', default: '', description: "Lazada gateway; empty = the shop region's (https://api.lazada.vn/rest for VN …)." },
  LAZADA_AUTH_URL: { type: 'string', default: 'https://auth.lazada.com/rest', description: 'Lazada auth gateway (token refresh).' },
  LAZADA_APP_KEY: { type: 'string', default: '', description: 'Lazada app key.', secret: true },
  LAZADA_APP_SECRET: { type: 'string', default: '', description: 'Lazada app secret (signs every call).', secret: true },
  LAZADA_RATE_LIMIT: { type: 'int', default: 20, description: 'Lazada requests per second per API per seller (unconfirmed).' },
  LAZADA_BAN_MS: { type: 'int', default: 1_000, description: 'Ban window after a Lazada ApiCallLimit when its message names none.' },
  LAZADA_MAX_OFFSET: { type: 'int', default: 5_000, description: 'Largest offset /orders/get pages to; a window holding more is split.' },
});

export interface SyncSettings {
  chunkDays: number;
  timeZone: string;
  batchSize: number;
  detailBatch: number;
  bufferDir: string;
  bufferMaxRetries: number;
  resyncDays: number;
  http: { timeoutMs: number; attempts: number; backoffMs: number; maxBackoffMs: number };
  headroom: number;
  edgeMs: number;
}

export function positiveInt(config: ConfigReader, key: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(config.get(key));
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`Setting ${key} must be an integer from 1 to ${max}, got ${JSON.stringify(config.get(key))}`);
  return value;
}

export function syncSettings(config: ConfigReader): SyncSettings {
  const headroom = Number(config.get('RATE_LIMIT_HEADROOM'));
  if (!(headroom > 0 && headroom <= 1)) throw new Error(`Setting RATE_LIMIT_HEADROOM must be in (0, 1], got ${JSON.stringify(config.get('RATE_LIMIT_HEADROOM'))}`);
  return {
    chunkDays: positiveInt(config, 'SYNC_CHUNK_DAYS'),
    timeZone: String(config.get('SYNC_TIMEZONE')),
    batchSize: positiveInt(config, 'SYNC_BATCH_SIZE'),
    detailBatch: positiveInt(config, 'SYNC_DETAIL_BATCH', 50),
    bufferDir: String(config.get('SYNC_BUFFER_DIR')),
    bufferMaxRetries: positiveInt(config, 'SYNC_BUFFER_MAX_RETRIES'),
    resyncDays: positiveInt(config, 'SYNC_RESYNC_DAYS'),
    http: {
      timeoutMs: positiveInt(config, 'MARKET_HTTP_TIMEOUT_MS'), attempts: positiveInt(config, 'MARKET_HTTP_ATTEMPTS'),
      backoffMs: positiveInt(config, 'MARKET_HTTP_BACKOFF_MS'), maxBackoffMs: positiveInt(config, 'MARKET_HTTP_MAX_BACKOFF_MS'),
    },
    headroom,
    edgeMs: Math.max(0, Number(config.get('RATE_LIMIT_EDGE_MS'))),
  };
}
