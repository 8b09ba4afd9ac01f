/**
 * A rate limiter shared by every process through Redis (rate-limiter-flexible's atomic counters), keyed by
 * platform, shop and API. `take(key)` waits for a slot instead of failing, and `ban(key, ms)` holds every taker of
 * a key back for the platform's ban window after it answered 429.
 *
 * Windows are aligned to the wall clock (window n covers [n·w, (n+1)·w)) rather than starting at a key's first
 * hit, because the platforms count per clock window too: two fixed windows that start at different moments let a
 * burst straddle both and overshoot the limit.
 */
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { sleep } from '../http/backoff';

export interface RateLimit {
  /** Requests allowed per window. */
  points: number;
  /** Window length in whole seconds. @defaultValue 1 */
  windowSec?: number;
}

export interface SharedRateLimiterOptions {
  /** A client of the deployment's Redis (its own keyPrefix is kept). */
  redis: Redis;
  /** Prefix of this limiter's keys inside that client's key space. @defaultValue 'rl' */
  keyPrefix?: string;
  /** The limit of a key, e.g. by its platform and API. */
  limitOf: (key: string) => RateLimit;
  /**
   * Share of a platform limit actually used (0–1], a margin for requests that cross a window edge on the way.
   * @defaultValue 0.95 (RATE_LIMIT_HEADROOM)
   */
  headroom?: number;
  /**
   * A slot taken in the last `edgeMs` of a window (at most 90 % of it) is counted in the next window too: a request
   * taken there could reach the platform in the next window. The margin a request has to reach the platform.
   * @defaultValue 50 (RATE_LIMIT_EDGE_MS)
   */
  edgeMs?: number;
  /**
   * Widen a key's edge to its recent round trip as reported by `observe()`, and to most of the window before its
   * first report: a fresh connection or a loaded host can take longer than `edgeMs` to reach the platform.
   * @defaultValue false
   */
  adaptiveEdge?: boolean;
  /**
   * With `adaptiveEdge`, the host that serves a key (e.g. a platform and shop, for its APIs): before a key's own first
   * answer its edge is the slowest recent round trip of its host's keys, which paid for fresh connections to that
   * host too, rather than most of the window. A key whose host has answered nothing yet still gets most of the
   * window. @defaultValue none (most of the window before a key's first answer)
   */
  hostOf?: (key: string) => string;
  /**
   * Spread a window's slots over the part before its edge (the n-th of `points` leaves n/points of the way in)
   * rather than handing them all out at its start. @defaultValue false
   */
  pace?: boolean;
}

export interface TakeResult {
  /** Time spent waiting for a slot (0 = a slot was free). */
  waitedMs: number;
  /**
   * Epoch ms by which the request must have left: the end of the last window the slot was counted in, less
   * `edgeMs` (its way to the platform). A request held up past it (a busy event loop) should take a new slot.
   */
  departBy: number;
  /**
   * Set for a slot taken in a window's edge (counted in that window and the next): the next window's epoch ms
   * start and the key, for `answered()`.
   */
  edge?: { key: string; nextWindowAt: number; points: number; windowSec: number };
}

/** A round-trip estimate now: it follows a rise at once and halves every 2 s after. */
function decayed(l: { ms: number; at: number }, now: number): number {
  return l.ms * 0.5 ** ((now - l.at) / 2_000);
}

export class SharedRateLimiter {
  private readonly windows = new Map<string, RateLimiterRedis>();
  private readonly bans: RateLimiterRedis;
  private readonly prefix: string;
  private readonly headroom: number;
  private readonly edgeMs: number;

  constructor(private readonly opts: SharedRateLimiterOptions) {
    this.prefix = opts.keyPrefix ?? 'rl';
    this.headroom = opts.headroom ?? 0.95;
    this.edgeMs = opts.edgeMs ?? 50;
    if (!(this.headroom > 0 && this.headroom <= 1)) throw new Error(`rate limiter headroom must be in (0, 1], got ${this.headroom}`);
    this.bans = new RateLimiterRedis({ storeClient: opts.redis, keyPrefix: `${this.prefix}:ban`, points: 1, duration: 1 });
  }

  /** Requests per window this limiter lets through for `key` (the limit times the headroom, at least 1). */
  budget(key: string): { points: number; windowSec: number } {
    const limit = this.opts.limitOf(key);
    const windowSec = limit.windowSec ?? 1;
    if (!(limit.points >= 1) || !Number.isInteger(windowSec) || windowSec < 1) throw new Error(`bad rate limit for ${key}: ${JSON.stringify(limit)}`);
    return { points: Math.max(1, Math.floor(limit.points * this.headroom)), windowSec };
  }

  /**
   * Waits until `key` has a free slot (and no ban), then takes it. A slot taken in the first part of a window is
   * counted there. One taken in its last `edgeMs` may reach the platform in the next window, so it is counted in
   * both: the edge time is used whenever the window has room, instead of being waited out, and the next window can
   * never go over. A slot whose Redis answer came back after its window ended is handed back (`reward`) and taken
   * again in the window the request will really go out in.
   */
  async take(key: string, signal?: AbortSignal): Promise<TakeResult> {
    const started = Date.now();
    const { points, windowSec } = this.budget(key);
    const limiter = this.limiterFor(points, windowSec);
    const gate = this.gateOf(key);
    await gate.enter(points, signal);
    try {
      return await this.takeIn(key, limiter, points, windowSec, started, signal);
    } finally {
      gate.leave();
      if (gate.idle) this.gates.delete(key);
    }
  }

  private async takeIn(key: string, limiter: RateLimiterRedis, points: number, windowSec: number, started: number, signal?: AbortSignal): Promise<TakeResult> {
    const windowMs = windowSec * 1000;
    // Up to 90 % of the window: every slot taken in the edge costs a point of the next window too. (Read once in
    // the gate, so a taker that waited there uses the round trip known by then.)
    const edge = Math.min(Math.max(this.edgeMs, this.opts.adaptiveEdge ? this.latencyOf(key) ?? windowMs : 0), windowMs * 0.9);
    for (;;) {
      const banned = await this.bannedFor(key);
      if (banned > 0) {
        await sleep(banned, signal);
        continue;
      }
      const window = Math.floor(Date.now() / windowMs);
      const nth = await this.consumeIn(limiter, key, window);
      if (!nth) {
        await sleep((window + 1) * windowMs - Date.now() + 1, signal);
        continue;
      }
      const after = Date.now();
      if (Math.floor(after / windowMs) !== window) {
        // The answer came back late (a busy event loop): the request would go out in a later window.
        this.stats.late++;
        await limiter.reward(`${key}@${window}`).catch(() => undefined);
        continue;
      }
      if ((window + 1) * windowMs - after > edge) {
        if (this.opts.pace) {
          // The n-th slot of a window leaves at n/points of the part before the edge, not all at its start: a
          // stall of this process then holds back requests not yet sent (departBy re-slots them), not a whole
          // window's burst already on its way.
          const at = window * windowMs + ((nth - 1) / points) * (windowMs - edge);
          if (at > after) await sleep(at - after, signal);
        }
        return this.taken(started, (window + 1) * windowMs - edge);
      }
      // In the window's edge: the request may land in the next window too, so it needs a slot there as well.
      if (await this.consumeIn(limiter, key, window + 1)) {
        this.stats.edge++;
        return { ...this.taken(started, (window + 2) * windowMs - edge), edge: { key: `${key}@${window + 1}`, nextWindowAt: (window + 1) * windowMs, points, windowSec } };
      }
      await limiter.reward(`${key}@${window}`).catch(() => undefined);
      await sleep((window + 1) * windowMs - Date.now() + 1, signal);
    }
  }

  /** Counters of this process's takes (for benchmarks and diagnosis); `attempts` counts the points asked of Redis. */
  readonly stats = { taken: 0, edge: 0, late: 0, expired: 0, handedBack: 0, attempts: 0 };

  private readonly gates = new Map<string, Gate>();

  private gateOf(key: string): Gate {
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = new Gate()));
    return gate;
  }

  /**
   * Records how long a request of `key` took to be answered. With `adaptiveEdge`, take() widens the edge of `key`
   * to its recent round trip, an upper bound of the time a request needs to reach the platform: a slow key gets
   * its late slots counted in the next window too. The estimate follows a rise at once and halves every 2 s after.
   */
  observe(key: string, roundTripMs: number): void {
    this.widen(this.latency, key, roundTripMs);
    if (this.opts.hostOf) this.widen(this.hostLatency, this.opts.hostOf(key), roundTripMs);
  }

  private widen(map: Map<string, { ms: number; at: number }>, id: string, roundTripMs: number): void {
    const now = Date.now();
    const prev = map.get(id);
    map.set(id, { ms: Math.max(roundTripMs, prev ? decayed(prev, now) : 0), at: now });
  }

  /** A key's recent round trip; before its first answer, its host's (the first requests of a key pay for a fresh connection too, as the host's did). */
  private latencyOf(key: string): number | undefined {
    const now = Date.now();
    const own = this.latency.get(key);
    if (own) return decayed(own, now);
    const host = this.opts.hostOf && this.hostLatency.get(this.opts.hostOf(key));
    return host && decayed(host, now);
  }

  private readonly latency = new Map<string, { ms: number; at: number }>();
  private readonly hostLatency = new Map<string, { ms: number; at: number }>();

  /**
   * Tells the limiter that the request of `slot` has been answered. An edge slot is counted in the next window too
   * because its request might reach the platform only then; an answer that came back before that window began
   * proves the request reached the platform earlier, in the first window, so its point in the next window is handed
   * back for another request. (A sync starting in a window's edge otherwise spent the next window's whole budget on
   * requests already answered.)
   */
  async answered(slot: TakeResult): Promise<void> {
    const e = slot.edge;
    if (!e || Date.now() >= e.nextWindowAt) return;
    this.stats.handedBack++;
    // A reward that fails only leaves the point spent: a slot lost, never a request over the limit.
    await this.limiterFor(e.points, e.windowSec).reward(e.key).catch(() => undefined);
  }

  /** Counts a slot whose request could not leave by its `departBy` (the caller takes another). */
  expired(): void {
    this.stats.expired++;
  }

  private taken(started: number, departBy: number): TakeResult {
    this.stats.taken++;
    return { waitedMs: Date.now() - started, departBy };
  }

  /** One point of `key` in `window`: which point of the window it was (1…), or 0 when the window is full. */
  private async consumeIn(limiter: RateLimiterRedis, key: string, window: number): Promise<number> {
    this.stats.attempts++;
    try {
      return (await limiter.consume(`${key}@${window}`)).consumedPoints;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      return 0;
    }
  }

  /** Holds back every taker of `key` for `ms` (a platform's ban window after a 429). */
  async ban(key: string, ms: number): Promise<void> {
    await this.bans.block(key, Math.max(1, Math.ceil(ms / 1000)));
  }

  /** Milliseconds left of a ban on `key` (0 = none). */
  async bannedFor(key: string): Promise<number> {
    const res = await this.bans.get(key);
    return res && res.consumedPoints > 1 ? Math.max(1, res.msBeforeNext) : 0;
  }

  private limiterFor(points: number, windowSec: number): RateLimiterRedis {
    const id = `${points}/${windowSec}`;
    let limiter = this.windows.get(id);
    if (!limiter) {
      // A window's key outlives the window a little, so late takers still see it full.
      limiter = new RateLimiterRedis({ storeClient: this.opts.redis, keyPrefix: `${this.prefix}:w${windowSec}`, points, duration: windowSec * 2 });
      this.windows.set(id, limiter);
    }
    return limiter;
  }
}

/**
 * The takers of one key in this process that ask Redis for a slot at once: at most a window's budget, since no more
 * can win one in a window. The others wait here in arrival order, instead of all waking at every window's start
 * to race for the same few slots (at 47 slots a second and 400 waiting requests, each waiter's ban check and point
 * cost about 800 Redis calls a second per key; the limiter's round trips were already the largest part of a sync
 * worker's CPU in an earlier profile).
 */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  enter(size: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < size && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the place to the longest waiter, or frees it. */
  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
