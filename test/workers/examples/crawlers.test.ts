import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RowDataPacket } from 'mysql2/promise';
import { FundNavWorker } from '../../../workers/examples/fund-nav.worker';
import { NewsWorker } from '../../../workers/examples/news.worker';
import { MarketDb } from '../../../workers/examples/market.database';
import { readJson } from '../../../app/core/database/connection';
import { startHarness, type Harness } from '../../support/harness';
import { MYSQL_ROOT, dropDatabase } from '../../support/isolation';
import { navsFor, newsItems, startMarketSite, type MarketSite } from '../../fakes/market-site';

const marketDb = `sluice_t_market_${process.pid}`;
let site: MarketSite;
let h: Harness;

beforeAll(async () => {
  site = await startMarketSite({ newsTotal: 45, pageSize: 20 });
  h = await startHarness('crawlers', [FundNavWorker, NewsWorker, MarketDb], {
    FUND_NAV_URL: site.url, NEWS_URL: site.url, MARKET_DB_URL: `${MYSQL_ROOT}/${marketDb}`, EXAMPLES_HTTP_BACKOFF_MS: '20',
  });
});
afterAll(async () => {
  await h?.close();
  await MarketDb.close();
  await site?.close();
  await dropDatabase(marketDb);
});

async function market<T extends RowDataPacket>(query: string, params: unknown[] = []): Promise<T[]> {
  const [rows] = await MarketDb.pool().query<T[]>(query, params);
  return rows;
}

describe('example crawlers against the fake site', () => {
  it('fund-nav parses the NAV table of a date and upserts one row per fund', async () => {
    const id = await h.container.dispatcher.trigger('fund-nav', { date: '2026-03-02' });
    const row = await h.executionIn(id, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');
    expect(readJson(row.result)).toEqual({ date: '2026-03-02', funds: 8 });
    const stored = await market("SELECT fund_code, fund_name, CAST(nav AS CHAR) AS nav, CAST(change_pct AS CHAR) AS change_pct FROM fund_nav WHERE nav_date = '2026-03-02' ORDER BY fund_code");
    const expected = navsFor('2026-03-02').sort((a, b) => a.code.localeCompare(b.code));
    expect(stored.map((r) => [r.fund_code, r.fund_name, Number(r.nav), Number(r.change_pct)])).toEqual(expected.map((f) => [f.code, f.name, f.nav, f.changePct]));
  });

  it('news reads every page and stores each article once', async () => {
    const id = await h.container.dispatcher.trigger('news');
    const row = await h.executionIn(id, ['succeeded', 'failed']);
    expect(readJson(row.result)).toEqual({ articles: 45, pages: 3 });
    await h.executionIn(await h.container.dispatcher.trigger('news'), ['succeeded']);
    const stored = await market('SELECT id, title, UNIX_TIMESTAMP(published_at) AS ts FROM news ORDER BY id');
    expect(stored).toHaveLength(45);
    expect(stored.map((r) => [r.id, r.title, Number(r.ts)])).toEqual(newsItems(45).map((n) => [n.id, n.title, n.published_at]));
  });

  it('a site answering 503 twice then 200 is retried and the run succeeds', async () => {
    site.failNext('/funds/nav', [503, 503]);
    const before = site.hits.get('/funds/nav') ?? 0;
    const id = await h.container.dispatcher.trigger('fund-nav', { date: '2026-03-03' });
    const row = await h.executionIn(id, ['succeeded', 'failed']);
    expect(row.status).toBe('succeeded');
    expect(site.hits.get('/funds/nav')! - before).toBe(3);
    const [logs] = await h.pool.query<RowDataPacket[]>('SELECT message FROM execution_logs WHERE execution_id = ? ORDER BY ts, id', [id]);
    expect(logs.filter((l) => /retrying .*\/funds\/nav.* answered 503/.test(l.message))).toHaveLength(2);
  });

  it('a 404 is not retried: the run fails at once with the URL in its error', async () => {
    site.setStatus('/funds/nav', 404);
    try {
      const before = site.hits.get('/funds/nav') ?? 0;
      const id = await h.container.dispatcher.trigger('fund-nav', { date: '2026-03-04' });
      const row = await h.executionIn(id, ['failed', 'succeeded']);
      expect(row.status).toBe('failed');
      expect(row.attempt).toBe(1);
      expect(row.error).toContain(`${site.url}/funds/nav?date=2026-03-04`);
      expect(row.error).toContain('404');
      expect(site.hits.get('/funds/nav')! - before).toBe(1);
    } finally {
      site.setStatus('/funds/nav', null);
    }
  });
});
