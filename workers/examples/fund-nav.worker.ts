import { Type } from '@sinclair/typebox';
import { sql } from 'drizzle-orm';
import { Schedule, ScheduleWorker, type RunContext } from '../../app';
import { HttpNonRetryableError } from '../../plugins/http';
import './settings';
import { MarketDb, ensureMarketSchema } from './market.database';
import { parseNavPage } from './fund-nav.parser';
import { requireUrl, upstreamClient } from './http';

const Params = Type.Object({ date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })) });
type NavParams = { date?: string };

/** The trading day in Vietnam (the site publishes NAVs per local date). */
function today(timeZone = 'Asia/Ho_Chi_Minh'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
}

/** End-of-day fund NAVs: fetches the NAV table of a date (default today) and upserts one row per fund. */
@Schedule({
  id: 'fund-nav', cron: '0 18 * * 1-5', description: 'Fund NAV end-of-day crawler', params: Params,
  attempts: 3, backoff: { type: 'exponential', delayMs: 60_000 }, timeoutMs: 10 * 60_000, nonRetryable: [HttpNonRetryableError],
})
export class FundNavWorker extends ScheduleWorker<NavParams> {
  async run(ctx: RunContext<NavParams>): Promise<{ date: string; funds: number }> {
    const date = ctx.params.date ?? today();
    const base = requireUrl(ctx.config, 'FUND_NAV_URL');
    const http = upstreamClient(ctx.config, ctx.log);
    try {
      const res = await http.text(new URL('/funds/nav', base).toString(), { query: { date }, signal: ctx.signal });
      const navs = parseNavPage(res.text);
      ctx.log.info(`parsed ${navs.length} fund NAV(s) for ${date}`, { attempts: res.attempts });
      await ensureMarketSchema();
      if (navs.length) {
        const now = new Date();
        await MarketDb.db().execute(sql`INSERT INTO fund_nav (fund_code, nav_date, fund_name, nav, change_pct, fetched_at) VALUES ${sql.join(
          navs.map((n) => sql`(${n.code}, ${date}, ${n.name}, ${n.nav}, ${n.changePct}, ${now})`), sql`, `,
        )} ON DUPLICATE KEY UPDATE fund_name = VALUES(fund_name), nav = VALUES(nav), change_pct = VALUES(change_pct), fetched_at = VALUES(fetched_at)`);
      }
      return { date, funds: navs.length };
    } finally {
      await http.close();
    }
  }
}
