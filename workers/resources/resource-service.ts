/**
 * Versions and cache of every resource (SPEC §8.6). A dataset is served from memory → Redis → a load; a load runs
 * once at a time per resource across every process (in-process promise + Redis lock), hashes what the loader
 * returned and moves the version only when the content changed (or on an explicit bump). A new version is cached
 * before the old one is dropped and before `resource.version` is published, so clients that react find it warm.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ConfigReader, RunLogger } from '../../app';
import { DatasetCache } from './dataset-cache';
import { InvalidRowsError, ResourceErrors } from './errors';
import { LoadLock } from './load-lock';
import { encodeRows } from './payload';
import type { ResourceDefinition } from './resource';
import type { ResourceCatalog } from './resource-catalog';
import { resourceSettings, type ResourceSettings } from './settings';
import type { VersionRow, VersionStore } from './version-store';

export interface ResourceServiceOptions {
  catalog: ResourceCatalog;
  store: VersionStore;
  /** Keys are used as given: pass the PluginApi's client (already under the plugin's prefix). */
  redis: Redis;
  publish(type: `${string}.${string}`, data: Record<string, unknown>): void;
  logger: RunLogger;
  config: ConfigReader;
}

/** One version's compressed body. */
export interface Dataset {
  row: VersionRow;
  body: Buffer;
}

export interface LoadOutcome extends Dataset {
  /** Whether this call moved the version. */
  changed: boolean;
}

type LoadMode = 'miss' | 'refresh' | 'bump';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ResourceService {
  readonly settings: ResourceSettings;
  readonly catalog: ResourceCatalog;
  private readonly cache: DatasetCache;
  private readonly lock: LoadLock;
  private readonly known = new Map<string, { row: VersionRow; at: number }>();
  private readonly inflight = new Map<string, Promise<Dataset>>();
  private readonly reads = new Map<string, Promise<VersionRow | null>>();

  constructor(private readonly opts: ResourceServiceOptions) {
    this.catalog = opts.catalog;
    this.settings = resourceSettings(opts.config);
    this.cache = new DatasetCache(opts.redis, this.settings.cacheTtlS, this.settings.memoryCacheBytes);
    this.lock = new LoadLock(opts.redis, this.settings.loadLockMs);
  }

  definition(name: string): ResourceDefinition {
    const def = this.catalog.get(name);
    if (!def) throw new ResourceErrors.NotFound(name);
    return def;
  }

  /** Every declared resource with its version; a resource never loaded is loaded first (its version 1). */
  async list(): Promise<Array<VersionRow & { description: string }>> {
    const stored = new Map((await this.opts.store.list()).map((r) => [r.name, r]));
    const out: Array<VersionRow & { description: string }> = [];
    for (const def of this.catalog.list()) {
      const row = stored.get(def.name) ?? (await this.dataset(def.name)).row;
      this.remember(row);
      out.push({ ...row, description: def.description });
    }
    return out;
  }

  /**
   * The current version row as this process knows it: trusted for RESOURCES_VERSION_CACHE_MS, re-read at once when
   * the caller has heard of a version newer than the copy (`atLeast`).
   */
  async current(name: string, atLeast = 0): Promise<VersionRow> {
    return (await this.lookup(name, atLeast)) ?? (await this.dataset(name)).row;
  }

  /** The current version's compressed body (loading it under the single-flight lock on a miss). */
  async dataset(name: string): Promise<Dataset> {
    this.definition(name);
    const row = await this.lookup(name);
    const body = row ? (this.cache.peek(name, row.version) ?? (await this.cache.get(name, row.version))) : null;
    if (row && body) return { row, body };
    let flight = this.inflight.get(name);
    if (!flight) {
      flight = this.withLock(name, () => this.load(name, 'miss', 'load'), () => this.cachedCurrent(name));
      this.inflight.set(name, flight);
      void flight.finally(() => this.inflight.delete(name)).catch(() => undefined);
    }
    return flight;
  }

  /** Reloads and hashes; moves the version only when the content changed. */
  async refresh(name: string, by: string): Promise<LoadOutcome> {
    this.definition(name);
    return this.withLock(name, () => this.load(name, 'refresh', by));
  }

  /** Reloads and moves the version whatever the content (the caller knows the data changed, or wants clients to refetch). */
  async bump(name: string, by: string): Promise<LoadOutcome> {
    this.definition(name);
    return this.withLock(name, () => this.load(name, 'bump', by));
  }

  /**
   * Records `now` as the last schedule check of `name` and returns the previous one (null the first time), in one
   * Redis command, so two worker processes running the refresh task never both see a fire as due.
   */
  async lastRefreshCheck(name: string, now: Date): Promise<Date | null> {
    const prev = await this.opts.redis.set(`refresh:checked:${name}`, now.toISOString(), 'GET');
    return prev ? new Date(prev) : null;
  }

  /**
   * The version row this process trusts without I/O (see `current`), or undefined when it must be read: the hot
   * path of a fulldata revalidation, answered without a promise.
   */
  trusted(name: string, atLeast = 0): VersionRow | undefined {
    const hit = this.known.get(name);
    return hit && hit.row.version >= atLeast && Date.now() - hit.at < this.settings.versionCacheMs ? hit.row : undefined;
  }

  /**
   * The trusted copy, or one read of the store shared by every request that finds the copy expired at the same
   * time (at thousands of requests a second, each used to send its own query). A caller that has heard of a
   * newer version than a shared read returned reads again itself.
   */
  private async lookup(name: string, atLeast = 0): Promise<VersionRow | null> {
    const hit = this.trusted(name, atLeast);
    if (hit) return hit;
    let shared = this.reads.get(name);
    if (!shared) {
      shared = this.read(name).finally(() => this.reads.delete(name));
      this.reads.set(name, shared);
    }
    const row = await shared;
    return !row || row.version >= atLeast ? row : this.read(name);
  }

  /** The stored version row, remembered as this process's copy. */
  private async read(name: string): Promise<VersionRow | null> {
    const row = await this.opts.store.get(name);
    if (row) this.remember(row);
    return row;
  }

  private remember(row: VersionRow): void {
    const prev = this.known.get(row.name)?.row;
    if (prev && prev.version > row.version) return;
    if (prev && prev.version < row.version) this.cache.forgetBefore(row.name, row.version);
    this.known.set(row.name, { row, at: Date.now() });
  }

  /** While another process loads: its result, once the version row and its cached body are both there. */
  private async cachedCurrent(name: string): Promise<Dataset | null> {
    const row = await this.opts.store.get(name);
    const body = row ? await this.cache.get(name, row.version) : null;
    if (!row || !body) return null;
    this.remember(row);
    return { row, body };
  }

  /** Runs `fn` holding the resource's lock; while another process holds it, polls `whileWaiting` for its result. */
  private async withLock<T>(name: string, fn: () => Promise<T>, whileWaiting?: () => Promise<T | null>): Promise<T> {
    const deadline = Date.now() + this.settings.loadTimeoutMs;
    for (;;) {
      const token = await this.lock.tryAcquire(name);
      if (token) {
        try {
          return await fn();
        } finally {
          await this.lock.release(name, token).catch((err: unknown) =>
            this.opts.logger.warn(`resource ${name}: could not release the load lock (it expires after RESOURCES_LOAD_LOCK_MS): ${message(err)}`));
        }
      }
      await sleep(this.settings.lockPollMs);
      const done = whileWaiting ? await whileWaiting() : null;
      if (done) return done;
      if (Date.now() > deadline) throw new ResourceErrors.Busy(name, this.settings.loadTimeoutMs);
    }
  }

  private async encode(def: ResourceDefinition) {
    try {
      const rows = await def.load({ name: def.name, config: this.opts.config, log: this.opts.logger });
      return await encodeRows(def, rows, this.settings.maxRows);
    } catch (err) {
      this.opts.logger.error(`resource ${def.name}: load failed: ${message(err)}`, { resource: def.name });
      // Row-rule messages help the caller; a loader's own error (a driver message) stays in the log.
      throw new ResourceErrors.LoadFailed(def.name, err instanceof InvalidRowsError ? err.message : 'the loader failed (see the log)');
    }
  }

  /** Under the lock: load, hash, move the version when due, cache the new body, drop the old one, announce. */
  private async load(name: string, mode: LoadMode, by: string): Promise<LoadOutcome> {
    const def = this.definition(name);
    const before = await this.opts.store.get(name);
    if (mode === 'miss' && before) {
      const body = await this.cache.get(name, before.version);
      if (body) {
        this.remember(before);
        return { row: before, body, changed: false };
      }
    }
    const encoded = await this.encode(def);
    const changed = mode === 'bump' || !before || before.hash !== encoded.hash;
    let row = before as VersionRow;
    if (changed) {
      const content = { hash: encoded.hash, rows: encoded.rows, bytes: encoded.bytes, compressedBytes: encoded.gzip.length };
      const next = await this.opts.store.advance(name, before?.version ?? null, content, by);
      if (!next) throw new ResourceErrors.Conflict(name);
      row = next;
    }
    await this.cache.put(name, row.version, encoded.gzip);
    if (changed && before) await this.cache.drop(name, before.version);
    this.remember(row);
    if (changed) {
      this.opts.publish('resource.version', { name, version: row.version });
      this.opts.logger.info(`resource ${name}: version ${row.version} (${row.rows} rows, ${row.bytes} bytes) by ${by}`, { resource: name, version: row.version });
    }
    return { row, body: encoded.gzip, changed };
  }
}
