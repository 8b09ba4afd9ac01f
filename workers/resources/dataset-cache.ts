/**
 * Where compressed datasets live between loads: Redis (`data:<name>:<version>`, shared by every process, expiring
 * after RESOURCES_CACHE_TTL_S unread) with a per-process memory layer in front of it. A key names one version, so a
 * cached body can never be served under the wrong version; a bump deletes the old version's key.
 */
import type { Redis } from 'ioredis';

/** Least-recently-used buffers under a byte budget (Map order is the recency order). */
class MemoryLayer {
  private readonly items = new Map<string, Buffer>();
  private size = 0;

  constructor(private readonly budget: number) {}

  get(key: string): Buffer | undefined {
    const hit = this.items.get(key);
    if (hit) {
      this.items.delete(key);
      this.items.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: Buffer): void {
    this.delete(key);
    if (value.length > this.budget) return;
    this.items.set(key, value);
    this.size += value.length;
    for (const [k, v] of this.items) {
      if (this.size <= this.budget) break;
      this.items.delete(k);
      this.size -= v.length;
    }
  }

  delete(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.size -= old.length;
  }

  /** Drops every version of a resource but `keep`. */
  dropOthers(name: string, keep: number): void {
    for (const key of [...this.items.keys()]) if (key.startsWith(`data:${name}:`) && key !== dataKey(name, keep)) this.delete(key);
  }
}

function dataKey(name: string, version: number): string {
  return `data:${name}:${version}`;
}

export class DatasetCache {
  private readonly memory: MemoryLayer;

  constructor(private readonly redis: Redis, private readonly ttlS: number, memoryBytes: number) {
    this.memory = new MemoryLayer(memoryBytes);
  }

  /** The memory copy only (no I/O): the hot path of a fulldata request. */
  peek(name: string, version: number): Buffer | undefined {
    return this.memory.get(dataKey(name, version));
  }

  async get(name: string, version: number): Promise<Buffer | null> {
    const key = dataKey(name, version);
    const hit = this.memory.get(key);
    if (hit) return hit;
    const stored = await this.redis.getBuffer(key);
    if (stored) this.memory.set(key, stored);
    return stored;
  }

  async put(name: string, version: number, body: Buffer): Promise<void> {
    const key = dataKey(name, version);
    await this.redis.set(key, body, 'EX', this.ttlS);
    this.memory.set(key, body);
    this.memory.dropOthers(name, version);
  }

  /** Removes a version everywhere this process can reach (Redis, its own memory). */
  async drop(name: string, version: number): Promise<void> {
    const key = dataKey(name, version);
    this.memory.delete(key);
    await this.redis.del(key);
  }

  /** Another process bumped `name`: forget older versions held in memory. */
  forgetBefore(name: string, current: number): void {
    this.memory.dropOthers(name, current);
  }
}
