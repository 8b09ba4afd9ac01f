/** Settings of the resources plugin (config chain: global row → env → the defaults here). */
import { defineSettings, type ConfigReader } from '../../app';

defineSettings({
  RESOURCES_DB_URL: { type: 'string', default: '', description: 'Database of the resources plugin (resource_versions and the example tables); empty = database sluice_resources on the DATABASE_URL server.', secret: true },
  RESOURCES_CACHE_TTL_S: { type: 'int', default: 86_400, description: 'Seconds a compressed dataset stays in Redis without being read again (a miss reloads it; the version only moves when the content changed).' },
  RESOURCES_MEMORY_CACHE_BYTES: { type: 'int', default: 67_108_864, description: 'Compressed bytes each API process keeps in memory in front of Redis (least recently used datasets leave first).' },
  RESOURCES_VERSION_CACHE_MS: { type: 'int', default: 1_000, description: 'How long an API process trusts its copy of a version row for fulldata requests (a ?v= newer than the copy is checked at once).' },
  RESOURCES_LOAD_LOCK_MS: { type: 'int', default: 30_000, description: 'Lifetime of the cross-process single-flight lock around one loader run (a crashed holder frees it after this).' },
  RESOURCES_LOAD_TIMEOUT_MS: { type: 'int', default: 60_000, description: 'Longest a request waits for another process to finish loading a dataset before it answers 503.' },
  RESOURCES_LOCK_POLL_MS: { type: 'int', default: 25, description: 'How often a request waiting on another process\'s load checks for the result.' },
  RESOURCES_MAX_ROWS: { type: 'int', default: 200_000, description: 'Rows a loader may return; more fails the load (a resource is small reference data, not a table dump).' },
  RESOURCES_CACHE_CONTROL: { type: 'string', default: 'public, max-age=31536000, immutable', description: 'Cache-Control of a fulldata answer for the current version. Behind a shared cache (CDN, proxy) use "private, max-age=31536000, immutable": the data sits behind the bearer token.' },
});

export interface ResourceSettings {
  cacheTtlS: number;
  memoryCacheBytes: number;
  versionCacheMs: number;
  loadLockMs: number;
  loadTimeoutMs: number;
  lockPollMs: number;
  maxRows: number;
  cacheControl: string;
}

function positive(config: ConfigReader, key: string): number {
  const value = Number(config.get(key));
  if (!Number.isInteger(value) || value < 1) throw new Error(`Setting ${key} must be a positive integer, got ${JSON.stringify(config.get(key))}`);
  return value;
}

/** Reads and checks the plugin's tunables; a bad value fails with a message naming the key. */
export function resourceSettings(config: ConfigReader): ResourceSettings {
  return {
    cacheTtlS: positive(config, 'RESOURCES_CACHE_TTL_S'),
    memoryCacheBytes: positive(config, 'RESOURCES_MEMORY_CACHE_BYTES'),
    versionCacheMs: positive(config, 'RESOURCES_VERSION_CACHE_MS'),
    loadLockMs: positive(config, 'RESOURCES_LOAD_LOCK_MS'),
    loadTimeoutMs: positive(config, 'RESOURCES_LOAD_TIMEOUT_MS'),
    lockPollMs: positive(config, 'RESOURCES_LOCK_POLL_MS'),
    maxRows: positive(config, 'RESOURCES_MAX_ROWS'),
    cacheControl: String(config.get('RESOURCES_CACHE_CONTROL')),
  };
}
