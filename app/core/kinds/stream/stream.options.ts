/**
 * Options of `@Stream`. Every numeric option is a number or the name of a setting (resolved through the config
 * chain when the worker process starts it); an absent option reads the `STREAM_*` setting named in its default.
 */
export interface StreamOptions {
  /** Unique worker id. @defaultValue kebab-case class name without a `Worker` suffix */
  id?: string;
  /**
   * The stream's name under REDIS_PREFIX: the Redis key is `<REDIS_PREFIX><stream>`. A plugin appending through
   * its PluginApi client (keys under `<REDIS_PREFIX>plugin:<name>:`) declares `plugin:<name>:<its key>`.
   */
  stream: string;
  /** Consumer group every worker process joins. @defaultValue the worker id */
  group?: string;
  /** Shown in the registry and dashboard. @defaultValue '' */
  description?: string;
  /** Entries read (and handed to `handle`) at once. @defaultValue STREAM_BATCH_SIZE (100) */
  batchSize?: number | string;
  /** How long one XREADGROUP waits for new entries. @defaultValue STREAM_BLOCK_MS (1000) */
  blockMs?: number | string;
  /**
   * A pending entry idle this long is taken over (XAUTOCLAIM) — a consumer died, or the entry failed and is due
   * for another try. Keep it above your longest batch. @defaultValue STREAM_CLAIM_IDLE_MS (60000)
   */
  claimIdleMs?: number | string;
  /** Deliveries after which a failing entry moves to the dead-letter stream. @defaultValue STREAM_MAX_DELIVERIES (5) */
  maxDeliveries?: number | string;
  /** Batches handled at once in one worker process (one consumer, several reads). @defaultValue STREAM_CONCURRENCY (1) */
  concurrency?: number | string;
  /** Name (under REDIS_PREFIX) of the dead-letter stream. @defaultValue `<stream>:dead` */
  deadLetterStream?: string;
  /** Initial state; the API can change it durably. @defaultValue true */
  enabled?: boolean;
}
