/** A Redis lease with renewal: exactly one holder at a time; a holder that fails to renew stops being leader. */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LeaderLease {
  readonly holder = `${process.pid}:${randomUUID()}`;
  private leader = false;
  private leaderUntil = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis, private readonly key: string, private readonly ttlMs: number, private readonly onChange: (leader: boolean) => void = () => undefined) {}

  /** True only while the lease is held and was renewed within its TTL (a blocked loop loses leadership). */
  get isLeader(): boolean {
    return this.leader && Date.now() < this.leaderUntil;
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.floor(this.ttlMs / 3)));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.leader) await this.redis.eval(RELEASE, 1, this.key, this.holder).catch(() => undefined);
    this.set(false);
  }

  private async tick(): Promise<void> {
    const started = Date.now();
    try {
      const ok = this.leader
        ? (await this.redis.eval(RENEW, 1, this.key, this.holder, this.ttlMs)) === 1
        : (await this.redis.set(this.key, this.holder, 'PX', this.ttlMs, 'NX')) === 'OK';
      if (ok) this.leaderUntil = started + this.ttlMs;
      this.set(ok);
    } catch {
      // Redis unreachable: we can no longer prove the lease, so stop acting as leader when it lapses.
      if (Date.now() >= this.leaderUntil) this.set(false);
    }
  }

  private set(leader: boolean): void {
    if (leader !== this.leader) {
      this.leader = leader;
      this.onChange(leader);
    }
  }
}
