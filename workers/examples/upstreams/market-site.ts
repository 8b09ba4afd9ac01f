/**
 * A fake fund/news site, shaped like the public pages the reference crawlers read: an HTML table of end-of-day
 * fund NAVs per date, and a paginated JSON news feed. Faults can be scripted per path (status sequences).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FundNav {
  code: string;
  name: string;
  nav: number;
  changePct: number;
}

export interface NewsItem {
  id: string;
  title: string;
  url: string;
  source: string;
  published_at: number;
  summary: string;
}

const FUNDS = [
  ['VESAF', 'VinaCapital Equity Special Access Fund'], ['VEOF', 'VinaCapital Enhanced Opportunity Fund'],
  ['DCDS', 'Dragon Capital Dividend Select Fund'], ['SSISCA', 'SSI Sustainable Competitive Advantage Fund'],
  ['VFMVF1', 'VFM Vietnam Securities Investment Fund'], ['MAGEF', 'Mirae Asset Emerging Equity Fund'],
  ['BVFED', 'Bao Viet Equity Dividend Fund'], ['VCBF-BCF', 'VCBF Blue Chip Fund'],
];

/** Deterministic NAVs per (fund, date) so tests can compute what the crawler must store. */
export function navsFor(date: string): FundNav[] {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  return FUNDS.map(([code, name], i) => {
    const nav = Math.round((10_000 + i * 3_217 + ((day * (i + 7)) % 997) * 13.37) * 100) / 100;
    return { code, name, nav, changePct: Math.round((((day + i) % 11) - 5) * 0.13 * 100) / 100 };
  });
}

const vnNumber = (n: number): string => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function navPage(date: string): string {
  const rows = navsFor(date).map((f) => `      <tr class="fund-row" data-code="${f.code}">
        <td class="code">${f.code}</td><td class="name">${f.name}</td>
        <td class="nav">${vnNumber(f.nav)}</td><td class="change">${f.changePct > 0 ? '+' : ''}${f.changePct.toFixed(2)}%</td>
      </tr>`).join('\n');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Giá trị tài sản ròng (NAV) ngày ${date}</title></head>
<body><nav>…</nav><main><h1>NAV/CCQ ngày <span id="nav-date">${date}</span></h1>
  <table id="nav-table"><thead><tr><th>Mã quỹ</th><th>Tên quỹ</th><th>NAV/CCQ (VND)</th><th>Thay đổi</th></tr></thead>
    <tbody>
${rows}
    </tbody></table></main></body></html>`;
}

export function newsItems(total: number): NewsItem[] {
  return Array.from({ length: total }, (_, i) => ({
    id: `n-${1000 + i}`,
    title: `Thị trường chứng khoán phiên ${i + 1}: VN-Index ${i % 2 ? 'tăng' : 'giảm'} ${(i % 7) + 1} điểm`,
    url: `https://news.example.vn/thi-truong/${1000 + i}`,
    source: i % 3 ? 'VnExpress' : 'CafeF',
    published_at: 1_763_700_000 + i * 600,
    summary: `Tóm tắt bản tin số ${i + 1}.`,
  }));
}

export interface MarketSite {
  url: string;
  /** Requests served per path (faults included). */
  hits: Map<string, number>;
  /** The next answers for a path: statuses to return before serving normally again. */
  failNext(path: string, statuses: number[]): void;
  /** Always answer this status for the path until cleared. */
  setStatus(path: string, status: number | null): void;
  close(): Promise<void>;
}

export async function startMarketSite(opts: { port?: number; newsTotal?: number; pageSize?: number } = {}): Promise<MarketSite> {
  const scripted = new Map<string, number[]>();
  const fixed = new Map<string, number>();
  const hits = new Map<string, number>();
  const news = newsItems(opts.newsTotal ?? 45);
  const pageSize = opts.pageSize ?? 20;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    hits.set(u.pathname, (hits.get(u.pathname) ?? 0) + 1);
    const fault = scripted.get(u.pathname)?.shift() ?? fixed.get(u.pathname);
    if (fault) {
      res.writeHead(fault, { 'content-type': 'text/plain', ...(fault === 429 || fault === 503 ? { 'retry-after': '0' } : {}) });
      res.end(`fault ${fault}`);
      return;
    }
    if (u.pathname === '/funds/nav') {
      const date = u.searchParams.get('date') ?? new Date().toISOString().slice(0, 10);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(navPage(date));
    } else if (u.pathname === '/api/news') {
      const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
      const items = news.slice((page - 1) * pageSize, page * pageSize);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ page, items, next_page: page * pageSize < news.length ? page + 1 : null }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    failNext: (path, statuses) => scripted.set(path, [...statuses]),
    setStatus: (path, status) => (status === null ? fixed.delete(path) : fixed.set(path, status)),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
