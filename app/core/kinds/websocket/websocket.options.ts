/** Options of `@WebSocket`. Every option documents its default. */
export interface WebSocketOptions {
  /** @defaultValue kebab-case class name without a `Worker` suffix */
  id?: string;
  /** Upstream URL (or give `urlConfigKey`). */
  url?: string;
  /** Config key whose value is the URL, resolved through the config chain. */
  urlConfigKey?: string;
  description?: string;
  /** Ping interval (ms, or the name of a setting); a peer that misses a pong is considered dead. @defaultValue 30000 */
  heartbeatMs?: number | string;
  /** Jittered exponential reconnect bounds. @defaultValue { minMs: 1000, maxMs: 30000 } */
  reconnect?: { minMs: number; maxMs: number };
  /** Run in exactly one worker process cluster-wide (Redis lease). @defaultValue true */
  singleton?: boolean;
  /** @defaultValue true */
  enabled?: boolean;
}
