/** Public option types of the decorators. Every option documents its default; each kind owns its own (app/core/kinds). */
export type { OverlapPolicy, CatchUpPolicy, HistoryPolicy, ErrorClass, BackoffOptions, ScheduleOptions } from '../kinds/schedule/schedule.options';
export type { WebSocketOptions } from '../kinds/websocket/websocket.options';
export type { StreamOptions } from '../kinds/stream/stream.options';

export interface DatabaseOptions {
  /** Name in the registry, `/ready` and `ctx.database(name)`. */
  name: string;
  /** Literal mysql:// URL. Takes precedence over `urlEnv`. */
  url?: string;
  /** Setting / env var holding the URL (resolved through the config chain). */
  urlEnv?: string;
  /** URL used when neither `url` nor the `urlEnv` setting is set. */
  defaultUrl?: string;
  /** When no URL is given at all: this database on the core server (DATABASE_URL with its database replaced). */
  defaultDatabase?: string;
  /** Pool options. @defaultValue { connectionLimit: 10 } */
  pool?: { connectionLimit?: number };
  /** CREATE DATABASE IF NOT EXISTS on first use (handy in dev). @defaultValue false */
  createDatabase?: boolean;
}
