/**
 * `npm run dev` hook of the examples: with no upstream configured, start the local fakes (fund/news site, trade
 * feed) and point the settings at them; once Sluice runs, crawl NAVs and news once so data shows up at once
 * (their crons fire at 18:00 on weekdays and hourly).
 */
import type { DevHook } from '../../app';
import { startMarketSite, type MarketSite } from './upstreams/market-site';
import { startTradeFeed, type TradeFeed } from './upstreams/trade-feed';
import './settings';

const devHook: DevHook = async ({ config, log }) => {
  const env: Record<string, string> = {};
  let site: MarketSite | null = null;
  let feed: TradeFeed | null = null;
  if (!config.get<string>('FUND_NAV_URL') || !config.get<string>('NEWS_URL')) {
    site = await startMarketSite();
    env.FUND_NAV_URL = site.url;
    env.NEWS_URL = site.url;
    log.warn(`examples: no FUND_NAV_URL/NEWS_URL configured, serving a local fake site at ${site.url}`);
  }
  if (!config.get<string>('TRADE_FEED_URL')) {
    feed = await startTradeFeed({ intervalMs: 200 });
    env.TRADE_FEED_URL = feed.url;
    log.warn(`examples: no TRADE_FEED_URL configured, serving a local fake trade feed at ${feed.url}`);
  }
  return {
    env,
    afterStart: async ({ trigger }) => {
      if (!site) return;
      await trigger('fund-nav');
      await trigger('news');
    },
    close: async () => {
      await site?.close();
      await feed?.close();
    },
  };
};

export default devHook;
