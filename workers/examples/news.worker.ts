import { sql } from 'drizzle-orm';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { HttpNonRetryableError } from '../../plugins/http';
import './settings';
import { MarketDb, ensureMarketSchema } from './market.database';
import { requireUrl, upstreamClient } from './http';

interface NewsPage {
  page: number;
  next_page: number | null;
  items: Array<{ id: string; title: string; url: string; source: string; published_at: number; summary?: string }>;
}

/** Hourly news crawler: reads the feed page by page (up to NEWS_MAX_PAGES) and upserts each article. */
@Schedule({
  id: 'news', cron: '0 0 * * * *', description: 'Hourly market news crawler',
  attempts: 3, backoff: { type: 'exponential', delayMs: 30_000 }, timeoutMs: 15 * 60_000, nonRetryable: [HttpNonRetryableError],
})
export class NewsWorker extends ScheduleWorker {
  async run(ctx: RunContext): Promise<{ articles: number; pages: number }> {
    const base = requireUrl(ctx.config, 'NEWS_URL');
    const maxPages = ctx.config.get<number>('NEWS_MAX_PAGES');
    const http = upstreamClient(ctx.config, ctx.log);
    await ensureMarketSchema();
    let articles = 0;
    let pages = 0;
    try {
      for (let page: number | null = 1; page && pages < maxPages; pages++) {
        const body: NewsPage = await http.json<NewsPage>(new URL('/api/news', base).toString(), { query: { page }, signal: ctx.signal });
        articles += await this.store(body.items);
        await ctx.progress({ done: pages + 1, total: body.next_page ? Math.max(pages + 2, maxPages) : pages + 1 });
        page = body.next_page;
      }
    } finally {
      await http.close();
    }
    ctx.log.info(`stored ${articles} article(s) from ${pages} page(s)`);
    return { articles, pages };
  }

  private async store(items: NewsPage['items']): Promise<number> {
    if (!items.length) return 0;
    const now = new Date();
    await MarketDb.db().execute(sql`INSERT INTO news (id, title, url, source, summary, published_at, fetched_at) VALUES ${sql.join(
      items.map((n) => sql`(${n.id}, ${n.title}, ${n.url}, ${n.source}, ${n.summary ?? null}, ${new Date(n.published_at * 1000)}, ${now})`), sql`, `,
    )} ON DUPLICATE KEY UPDATE title = VALUES(title), url = VALUES(url), summary = VALUES(summary), fetched_at = VALUES(fetched_at)`);
    return items.length;
  }
}
