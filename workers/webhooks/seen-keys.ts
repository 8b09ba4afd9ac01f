/**
 * Idempotency keys of pushes already applied, as Redis keys with a TTL (WEBHOOK_SEEN_TTL_S): a duplicate push —
 * the platform retrying, or the same change sent twice — is acked without work. Marked only after the effect is
 * stored; a crash between the two is harmless because applying a push is itself idempotent (newer-only updates,
 * upserts by key).
 */
import type { Redis } from 'ioredis';

export class SeenKeys {
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly ttlS: number) {}

  /** Which of the keys were applied before. */
  async seen(keys: readonly string[]): Promise<Set<string>> {
    if (!keys.length) return new Set();
    // One MGET for the batch (not an EXISTS per key): a batch is hundreds of keys, and each command costs the client.
    const values = await this.redis.mget(keys.map((k) => this.prefix + k));
    const out = new Set<string>();
    values.forEach((v, i) => {
      if (v !== null) out.add(keys[i]);
    });
    return out;
  }

  async mark(keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    const pipe = this.redis.pipeline();
    for (const k of keys) pipe.set(this.prefix + k, '1', 'EX', this.ttlS);
    for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
  }
}
