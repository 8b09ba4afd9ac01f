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
  /**
   * When no URL is given at all: this database on the core server (DATABASE_URL with its database replaced).
   * `{core}` stands for the core database's name, so `'{core}_ledger'` follows DATABASE_URL (`sluice` →
   * `sluice_ledger`, `acme` → `acme_ledger`) and two deployments on one server never share plugin data.
   */
  defaultDatabase?: string;
  /**
   * Drizzle migrations applied on first use, under a MySQL named lock (several processes may boot at once).
   * Until they apply, every use fails and `/ready` reports the database as not ready. `folder` is absolute
   * (e.g. `path.join(__dirname, 'drizzle')`: the build copies `workers/<plugin>/drizzle` beside the compiled code).
   * @defaultValue none (the plugin manages its schema itself)
   */
  migrations?: { folder: string; table?: string };
  /** Pool options. @defaultValue { connectionLimit: 10 } */
  pool?: { connectionLimit?: number };
  /** CREATE DATABASE IF NOT EXISTS on first use (handy in dev). @defaultValue false */
  createDatabase?: boolean;
}
