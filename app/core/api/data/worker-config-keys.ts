/**
 * Which settings belong in a worker's effective config: the keys its plugin declared (defineSettings in any file
 * of the worker's plugin folder, `workers/<plugin>/`), the core keys its kind reads, and the settings its options
 * name. Rows written for the worker itself are always shown.
 */
import path from 'node:path';
import { settingDefinitions, settingOwner } from '../../../config/settings';
import type { WorkerDefinition } from '../../registry/worker-registry';

/** Core settings each kind of worker reads. */
const CORE_KEYS: Record<string, readonly string[]> = {
  schedule: ['DEFAULT_TIMEZONE', 'JOB_TIMEOUT_MS', 'JOB_ATTEMPTS', 'JOB_BACKOFF_MS', 'JOB_KEEP_COMPLETED', 'JOB_KEEP_FAILED', 'OVERLAP_POLL_MS'],
  websocket: ['LISTENER_LEASE_MS'],
  stream: ['STREAM_BATCH_SIZE', 'STREAM_BLOCK_MS', 'STREAM_CLAIM_IDLE_MS', 'STREAM_MAX_DELIVERIES', 'STREAM_CONCURRENCY', 'STREAM_STATE_INTERVAL_MS', 'STREAM_CONSUMER_PRUNE_MS'],
};

/** The folder of a worker's plugin: the first folder under the workers directory, or the worker file's folder. */
export function pluginFolder(workerFile: string, workersDir: string): string {
  const file = path.resolve(workerFile);
  const rel = path.relative(path.resolve(workersDir), file);
  if (!rel.startsWith('..') && !path.isAbsolute(rel) && rel.includes(path.sep)) return path.join(path.resolve(workersDir), rel.split(path.sep)[0]);
  return path.dirname(file);
}

/** Setting names a worker's options name (a concurrency, timeout, attempts, URL or heartbeat read from config). */
function optionKeys(def: WorkerDefinition): string[] {
  const d = def as WorkerDefinition & Partial<Record<'concurrencySetting' | 'timeoutSetting' | 'attemptsSetting' | 'heartbeatSetting' | 'urlConfigKey', string | null>>;
  return [d.concurrencySetting, d.timeoutSetting, d.attemptsSetting, d.urlConfigKey, d.heartbeatSetting].filter((k): k is string => Boolean(k));
}

export function workerConfigKeys(def: WorkerDefinition, workersDir: string): Set<string> {
  const folder = pluginFolder(def.file, workersDir) + path.sep;
  const keys = new Set<string>([...(CORE_KEYS[def.kind] ?? []), ...optionKeys(def)]);
  for (const key of settingDefinitions().keys()) {
    const owner = settingOwner(key);
    if (owner && path.resolve(owner).startsWith(folder)) keys.add(key);
  }
  return keys;
}
