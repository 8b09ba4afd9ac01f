/** Redis connections and the key layout under REDIS_PREFIX. */
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisFactory {
  /**
   * A new connection. `blocking` ones (Bull bclient, subscribers) never time out requests; `keyPrefix` is put
   * before every key (ioredis `keyPrefix`; not applied to KEYS/SCAN patterns).
   */
  create(role: string, opts?: { blocking?: boolean; keyPrefix?: string; autoPipelining?: boolean }): Redis;
  /** Every connection this factory made, for shutdown. */
  closeAll(): Promise<void>;
}

export function createRedisFactory(url: string, onError: (role: string, err: Error) => void): RedisFactory {
  const made = new Set<Redis>();
  return {
    create(role, opts = {}) {
      const base: RedisOptions = {
        connectionName: `sluice:${role}`,
        // Reconnect forever with a capped delay: a Redis restart must never crash a process.
        retryStrategy: (times) => Math.min(200 * times, 2_000),
        reconnectOnError: () => true,
        ...(opts.keyPrefix ? { keyPrefix: opts.keyPrefix } : {}),
        ...(opts.autoPipelining ? { enableAutoPipelining: true } : {}),
      };
      const client = new Redis(url, opts.blocking ? { ...base, maxRetriesPerRequest: null, enableReadyCheck: false } : { ...base, maxRetriesPerRequest: null });
      let lastReport = 0;
      client.on('error', (err: Error) => {
        // ioredis emits an error per failed reconnect attempt; report at most every 5 s per connection.
        if (Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          onError(role, err);
        }
      });
      made.add(client);
      client.once('end', () => made.delete(client));
      return client;
    },
    async closeAll() {
      await Promise.all([...made].map(async (c) => {
        try {
          await c.quit();
        } catch {
          c.disconnect();
        }
      }));
      made.clear();
    },
  };
}

/** Every Redis key Sluice uses, in one place. */
export class RedisKeys {
  constructor(readonly prefix: string) {}
  /** Bull's own key prefix (queues live under `<prefix>bull:<workerId>:…`). */
  get bullPrefix(): string {
    return `${this.prefix}bull`;
  }
  state(workerId: string): string {
    return `${this.prefix}state:${workerId}`;
  }
  get statePattern(): string {
    return `${this.prefix}state:*`;
  }
  get registry(): string {
    return `${this.prefix}registry`;
  }
  get events(): string {
    return `${this.prefix}events`;
  }
  get configChannel(): string {
    return `${this.prefix}config`;
  }
  get controlChannel(): string {
    return `${this.prefix}control`;
  }
  fence(executionId: string): string {
    return `${this.prefix}rt:fence:${executionId}`;
  }
  overlap(workerId: string): string {
    return `${this.prefix}rt:overlap:${workerId}`;
  }
  /** Take (fence) of each entry of a worker's running set. */
  runTakes(workerId: string): string {
    return `${this.prefix}rt:takes:${workerId}`;
  }
  lease(name: string): string {
    return `${this.prefix}lease:${name}`;
  }
  nextFire(workerId: string): string {
    return `${this.prefix}next-fire:${workerId}`;
  }
}
