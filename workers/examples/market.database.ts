import { sql } from 'drizzle-orm';
import { Database, DatabaseBase } from '../../app';

/** The examples' user database: fund NAVs, news and trade ticks. */
@Database({ name: 'market', urlEnv: 'MARKET_DB_URL', defaultDatabase: '{core}_market', createDatabase: true, pool: { connectionLimit: 5 } })
export class MarketDb extends DatabaseBase {}

const TABLES = [
  sql`CREATE TABLE IF NOT EXISTS fund_nav (
    fund_code VARCHAR(32) NOT NULL, nav_date DATE NOT NULL, fund_name VARCHAR(255) NOT NULL,
    nav DECIMAL(18,2) NOT NULL, change_pct DECIMAL(8,2) NOT NULL, fetched_at DATETIME(3) NOT NULL,
    PRIMARY KEY (fund_code, nav_date))`,
  sql`CREATE TABLE IF NOT EXISTS news (
    id VARCHAR(64) NOT NULL PRIMARY KEY, title VARCHAR(512) NOT NULL, url VARCHAR(1024) NOT NULL, source VARCHAR(64) NOT NULL,
    summary TEXT, published_at DATETIME NOT NULL, fetched_at DATETIME(3) NOT NULL, KEY news_published (published_at))`,
  sql`CREATE TABLE IF NOT EXISTS trades (
    trade_id BIGINT NOT NULL PRIMARY KEY, symbol VARCHAR(16) NOT NULL, price DECIMAL(18,2) NOT NULL, volume BIGINT NOT NULL,
    traded_at DATETIME(3) NOT NULL, received_at DATETIME(3) NOT NULL, KEY trades_symbol_time (symbol, traded_at))`,
];

let ready: Promise<void> | null = null;

/** Creates the example tables once per process (CREATE TABLE IF NOT EXISTS is idempotent across processes). */
export function ensureMarketSchema(): Promise<void> {
  ready ??= (async () => {
    await MarketDb.ready();
    for (const ddl of TABLES) await MarketDb.db().execute(ddl);
  })().catch((err: unknown) => {
    ready = null;
    throw err;
  });
  return ready;
}
