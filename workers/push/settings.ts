/** Settings of the push plugin (config chain: worker row → global row → env → the defaults here). */
import { defineSettings, type ConfigReader } from '../../app';

defineSettings({
  FCM_SERVICE_ACCOUNT: { type: 'string', default: '', description: 'Service account key JSON (the whole file from Firebase console); empty in dev = the local fake FCM. Secret: never logged or stored elsewhere.', secret: true },
  FCM_PROJECT_ID: { type: 'string', default: '', description: 'FCM project to send through; empty = the service account\'s project_id.' },
  FCM_BASE_URL: { type: 'string', default: '', description: 'FCM HTTP v1 origin; empty = https://fcm.googleapis.com (tests and dev point it at the fake).' },
  FCM_TOKEN_URI: { type: 'string', default: '', description: 'OAuth token endpoint; empty = the service account\'s token_uri.' },
  FCM_MAX_IN_FLIGHT: { type: 'int', default: 500, description: 'FCM requests on the wire at once per worker process (HTTP/2 streams over as many sessions as the peer limit needs).' },
  FCM_QUOTA_PER_MINUTE: { type: 'int', default: 600_000, description: 'Messages per minute the FCM project allows, shared by every worker process through Redis.' },
  FCM_REQUEST_TIMEOUT_MS: { type: 'int', default: 10_000, description: 'Longest wait for one FCM answer (then the push is unconfirmed).' },
  FCM_MAX_ATTEMPTS: { type: 'int', default: 5, description: 'Tries per push for answers FCM says to retry (429, 500, 503).' },
  FCM_RETRY_BASE_MS: { type: 'int', default: 1_000, description: 'First retry delay after a 5xx without Retry-After (doubles, with jitter).' },
  FCM_RETRY_MAX_MS: { type: 'int', default: 60_000, description: 'Longest retry delay.' },
  FCM_QUOTA_BACKOFF_MS: { type: 'int', default: 60_000, description: 'First retry delay after a 429 without Retry-After (FCM asks for at least a minute).' },
  FCM_TOKEN_REFRESH_MARGIN_MS: { type: 'int', default: 300_000, description: 'Refresh the OAuth access token this long before it expires.' },
  PUSH_CHUNK_SIZE: { type: 'int', default: 500, description: 'Targets (user ids or tokens) per send task.' },
  PUSH_SEND_CONCURRENCY: { type: 'int', default: 8, description: 'Send tasks run at once per worker process (they share the in-flight limit).' },
  PUSH_WINDOW_SIZE: { type: 'int', default: 50, description: 'Pushes that take their in-flight slots together and are recorded as "on the wire" in one write-ahead record.' },
  PUSH_LOOKUP_BATCH: { type: 'int', default: 100, description: 'User ids (or tokens) per token lookup query.' },
  PUSH_LOG_BATCH: { type: 'int', default: 1_000, description: 'Push outcomes per bulk write.' },
  PUSH_FLUSH_MS: { type: 'int', default: 50, description: 'Longest a lookup or an outcome waits for its batch to fill.' },
  PUSH_MAX_TARGETS: { type: 'int', default: 100_000, description: 'User ids or tokens one send request may name (all its messages together).' },
  PUSH_MAX_MESSAGES: { type: 'int', default: 1_000, description: 'Distinct messages in one bulk send request.' },
  PUSH_HEAP_GROWING_PERCENT: {
    type: 'int', default: 25, min: 0, max: 400,
    description: 'V8 heap growth a worker process running push tasks allows past its live set before a full GC, in percent (process-wide; 0 = V8\'s own heuristics, which let the heap grow about 4x under a push job\'s allocation rate).',
  },
  PUSH_OUTCOMES_PAGE: { type: 'int', default: 100, description: 'Default page size of per-token outcomes in GET /plugins/push/jobs/:id (max 1000).' },
});

export interface PushSettings {
  serviceAccount: string;
  projectId: string;
  baseUrl: string;
  tokenUri: string;
  maxInFlight: number;
  quotaPerMinute: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  quotaBackoffMs: number;
  tokenRefreshMarginMs: number;
  chunkSize: number;
  windowSize: number;
  lookupBatch: number;
  logBatch: number;
  flushMs: number;
  maxTargets: number;
  maxMessages: number;
  outcomesPage: number;
  heapGrowingPercent: number;
}

function positive(config: ConfigReader, key: string): number {
  const value = Number(config.get(key));
  if (!Number.isInteger(value) || value < 1) throw new Error(`Setting ${key} must be a positive integer, got ${JSON.stringify(config.get(key))}`);
  return value;
}

/** Reads and checks the plugin's tunables (a bad value fails with a message naming the key). */
export function pushSettings(config: ConfigReader): PushSettings {
  return {
    serviceAccount: String(config.get('FCM_SERVICE_ACCOUNT') ?? ''),
    projectId: String(config.get('FCM_PROJECT_ID') ?? ''),
    baseUrl: String(config.get('FCM_BASE_URL') ?? ''),
    tokenUri: String(config.get('FCM_TOKEN_URI') ?? ''),
    maxInFlight: positive(config, 'FCM_MAX_IN_FLIGHT'),
    quotaPerMinute: positive(config, 'FCM_QUOTA_PER_MINUTE'),
    requestTimeoutMs: positive(config, 'FCM_REQUEST_TIMEOUT_MS'),
    maxAttempts: positive(config, 'FCM_MAX_ATTEMPTS'),
    retryBaseMs: positive(config, 'FCM_RETRY_BASE_MS'),
    retryMaxMs: positive(config, 'FCM_RETRY_MAX_MS'),
    quotaBackoffMs: positive(config, 'FCM_QUOTA_BACKOFF_MS'),
    tokenRefreshMarginMs: positive(config, 'FCM_TOKEN_REFRESH_MARGIN_MS'),
    chunkSize: positive(config, 'PUSH_CHUNK_SIZE'),
    windowSize: positive(config, 'PUSH_WINDOW_SIZE'),
    lookupBatch: positive(config, 'PUSH_LOOKUP_BATCH'),
    logBatch: positive(config, 'PUSH_LOG_BATCH'),
    flushMs: positive(config, 'PUSH_FLUSH_MS'),
    maxTargets: positive(config, 'PUSH_MAX_TARGETS'),
    maxMessages: positive(config, 'PUSH_MAX_MESSAGES'),
    outcomesPage: positive(config, 'PUSH_OUTCOMES_PAGE'),
    heapGrowingPercent: Number(config.get('PUSH_HEAP_GROWING_PERCENT') ?? 0),
  };
}
