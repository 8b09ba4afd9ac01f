import { defineSettings } from '../../app';

/** Settings of the example crawlers (SPEC §8.1). Empty upstream URLs make `npm run dev` start local fakes. */
defineSettings({
  FUND_NAV_URL: { type: 'string', default: '', description: 'Base URL of the fund NAV site (GET /funds/nav?date=); empty in dev = local fake.' },
  NEWS_URL: { type: 'string', default: '', description: 'Base URL of the news feed (GET /api/news?page=); empty in dev = local fake.' },
  TRADE_FEED_URL: { type: 'string', default: '', description: 'WebSocket URL of the realtime trade feed; empty in dev = local fake.' },
  MARKET_DB_URL: { type: 'string', default: '', description: 'User database of the examples; empty = database <core>_market (the DATABASE_URL database name + _market) on the core MySQL server.', secret: true },
  EXAMPLES_HTTP_TIMEOUT_MS: { type: 'int', default: 15_000, description: 'Timeout of one upstream HTTP request of the crawlers.' },
  EXAMPLES_HTTP_ATTEMPTS: { type: 'int', default: 4, description: 'Tries per upstream HTTP request (network errors, 429 and 5xx are retried).' },
  EXAMPLES_HTTP_BACKOFF_MS: { type: 'int', default: 500, description: 'First retry delay of upstream HTTP requests (exponential, jittered).' },
  NEWS_MAX_PAGES: { type: 'int', default: 20, description: 'Most news pages read per run.' },
  TRADE_HEARTBEAT_MS: { type: 'int', default: 15_000, description: 'Ping interval of the trade feed connection (a missed pong = dead peer).' },
  TRADE_BATCH_SIZE: { type: 'int', default: 500, description: 'Trade ticks per multi-row insert.' },
  TRADE_FLUSH_MS: { type: 'int', default: 500, description: 'Longest a trade tick waits before it is written.' },
  TRADE_QUEUE_MAX: { type: 'int', default: 200_000, description: 'Trade ticks held while MySQL is down (oldest dropped above).' },
});
