/**
 * The cross-process half of the single-flight load: a Redis lock per resource (SET NX PX with a random token),
 * released only by its holder. Hand-written because it is three commands; the libraries that do it (redlock)
 * target several independent Redis masters, which Sluice does not run.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Deletes the key only when it still holds our token: an expired lock retaken by another process stays theirs. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class LoadLock {
  constructor(private readonly redis: Redis, private readonly ttlMs: number) {}

  private key(name: string): string {
    return `lock:${name}`;
  }

  /** The lock's token when taken, null when another process holds it. */
  async tryAcquire(name: string): Promise<string | null> {
    const token = randomUUID();
    const ok = await this.redis.set(this.key(name), token, 'PX', this.ttlMs, 'NX');
    return ok === 'OK' ? token : null;
  }

  async release(name: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(name), token);
  }
}
