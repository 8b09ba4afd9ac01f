/** Settings of the webhook intake and consumer (config chain: worker row → global row → env → the defaults here). */
import { defineSettings, type ConfigReader } from '../../app';

defineSettings({
  WEBHOOK_TIKTOK_APP_KEY: { type: 'string', default: '', description: 'TikTok app key that prefixes the signed push body; empty = TIKTOK_APP_KEY.', secret: true },
  WEBHOOK_TIKTOK_APP_SECRET: { type: 'string', default: '', description: 'TikTok app secret that signs pushes (Authorization header); empty = TIKTOK_APP_SECRET.', secret: true },
  WEBHOOK_SHOPEE_PARTNER_KEY: { type: 'string', default: '', description: 'Shopee partner key that signs pushes; empty = SHOPEE_PARTNER_KEY.', secret: true },
  WEBHOOK_SHOPEE_CALLBACK_URL: { type: 'string', default: '', description: 'The callback URL exactly as registered with Shopee (it is part of what Shopee signs).' },
  WEBHOOK_LAZADA_APP_KEY: { type: 'string', default: '', description: 'Lazada app key that prefixes the signed push body; empty = LAZADA_APP_KEY.', secret: true },
  WEBHOOK_LAZADA_APP_SECRET: { type: 'string', default: '', description: 'Lazada app secret that signs pushes; empty = LAZADA_APP_SECRET.', secret: true },
  WEBHOOK_CHANNEL_ID: { type: 'string', default: '', description: "channel_id of the records a push updates; empty = the platform's name (tiktok, shopee, lazada)." },
  WEBHOOK_MAX_SKEW_S: { type: 'int', default: 300, description: 'A push whose timestamp is further than this from now (either way) is refused 401 (replay window).' },
  WEBHOOK_MAX_BODY_BYTES: { type: 'int', default: 65_536, description: 'Largest push body accepted (413 above); pushes are small.' },
  WEBHOOK_RATE_LIMIT_MAX: { type: 'int', default: 0, description: 'Pushes one client address may make per PUBLIC_RATE_LIMIT_WINDOW_MS (429 above); 0 = no per-address limit (the signature is the guard).' },
  WEBHOOK_EXPECTED_RATE: { type: 'int', default: 20, description: 'Pushes per second expected at peak, all platforms together (sizes the stream).' },
  WEBHOOK_BACKLOG_HOURS: { type: 'number', default: 6, description: 'Hours the consumer may be down at WEBHOOK_EXPECTED_RATE without losing a push (sizes the stream).' },
  WEBHOOK_STREAM_MAXLEN: { type: 'int', default: 0, description: 'MAXLEN ~ of the intake stream; 0 = WEBHOOK_EXPECTED_RATE × 3600 × WEBHOOK_BACKLOG_HOURS.' },
  WEBHOOK_APPEND_BATCH_MAX: { type: 'int', default: 200, min: 1, description: 'Most pushes one API process appends to the stream in one Redis call (the pushes accepted in one event-loop turn share a call).' },
  WEBHOOK_BACKLOG_WARN_RATIO: { type: 'number', default: 0.8, description: 'Share of the stream bound at which /ready warns and the API logs once.' },
  WEBHOOK_BACKLOG_CHECK_MS: { type: 'int', default: 10_000, description: 'How often the API measures the backlog (undelivered + pending entries).' },
  WEBHOOK_BATCH_SIZE: { type: 'int', default: 500, description: 'Stream entries the consumer handles per batch.' },
  WEBHOOK_CONCURRENCY: { type: 'int', default: 4, description: 'Batches one consumer process handles at once (their unknown ids share detail calls).' },
  WEBHOOK_DETAIL_WAIT_MS: { type: 'int', default: 500, description: 'Longest an id never stored waits for others of its shop to fill a 50-id detail call.' },
  WEBHOOK_CLAIM_IDLE_MS: { type: 'int', default: 30_000, description: 'A pending entry idle this long is retried / taken over by another consumer.' },
  WEBHOOK_MAX_DELIVERIES: { type: 'int', default: 5, description: 'Deliveries after which a failing push is dead-lettered.' },
  WEBHOOK_STATUS_HISTORY: { type: 'int', default: 20, description: "Status changes from pushes kept in a record's status_history (newest last)." },
  WEBHOOK_SEEN_TTL_S: { type: 'int', default: 604_800, description: 'How long an applied push is remembered so its duplicates are acked without work (7 days ≥ the platforms\' retry span).' },
});

export const STREAM_KEY = 'events';
/** The stream as the @Stream decorator names it (the plugin client's keys live under `plugin:webhooks:`). */
export const STREAM_NAME = `plugin:webhooks:${STREAM_KEY}`;
export const CONSUMER_ID = 'webhook-events';

export interface PlatformSecrets {
  tiktok: { appKey: string; appSecret: string };
  shopee: { partnerKey: string; callbackUrl: string };
  lazada: { appKey: string; appSecret: string };
}

function str(config: ConfigReader, key: string, fallback?: string): string {
  const v = config.get<string | undefined>(key);
  if (v !== undefined && v !== null && String(v) !== '') return String(v);
  if (!fallback) return '';
  const f = config.get<string | undefined>(fallback);
  return f === undefined || f === null ? '' : String(f);
}

export function platformSecrets(config: ConfigReader): PlatformSecrets {
  return {
    tiktok: { appKey: str(config, 'WEBHOOK_TIKTOK_APP_KEY', 'TIKTOK_APP_KEY'), appSecret: str(config, 'WEBHOOK_TIKTOK_APP_SECRET', 'TIKTOK_APP_SECRET') },
    shopee: { partnerKey: str(config, 'WEBHOOK_SHOPEE_PARTNER_KEY', 'SHOPEE_PARTNER_KEY'), callbackUrl: str(config, 'WEBHOOK_SHOPEE_CALLBACK_URL') },
    lazada: { appKey: str(config, 'WEBHOOK_LAZADA_APP_KEY', 'LAZADA_APP_KEY'), appSecret: str(config, 'WEBHOOK_LAZADA_APP_SECRET', 'LAZADA_APP_SECRET') },
  };
}

/** The stream bound: WEBHOOK_STREAM_MAXLEN, or rate × 3600 × hours when it is 0. */
export function streamMaxLen(config: ConfigReader): number {
  const set = Number(config.get('WEBHOOK_STREAM_MAXLEN'));
  if (set > 0) return set;
  return Math.ceil(Number(config.get('WEBHOOK_EXPECTED_RATE')) * 3600 * Number(config.get('WEBHOOK_BACKLOG_HOURS')));
}

export function channelIdFor(config: ConfigReader, platform: string): string {
  return str(config, 'WEBHOOK_CHANNEL_ID') || platform;
}
