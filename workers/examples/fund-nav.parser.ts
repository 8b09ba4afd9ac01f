/** Parses the NAV table of the fund site. Hand-written: the page is one simple table and a DOM library is overkill. */
export interface ParsedNav {
  code: string;
  name: string;
  nav: number;
  changePct: number;
}

const ROW = /<tr class="fund-row"[^>]*>([\s\S]*?)<\/tr>/g;
const CELL = (cls: string) => new RegExp(`<td class="${cls}">([^<]*)</td>`);

function cell(row: string, cls: string): string {
  const m = CELL(cls).exec(row);
  if (!m) throw new Error(`NAV row without a ${cls} cell: ${row.slice(0, 120)}`);
  return m[1].trim();
}

/** "12,345.67" → 12345.67; "+0.39%" → 0.39. */
export function parseNumber(text: string): number {
  const n = Number(text.replace(/[,%+\s]/g, ''));
  if (!Number.isFinite(n)) throw new Error(`not a number: ${text}`);
  return n;
}

export function parseNavPage(html: string): ParsedNav[] {
  const rows: ParsedNav[] = [];
  for (const m of html.matchAll(ROW)) {
    rows.push({ code: cell(m[1], 'code'), name: cell(m[1], 'name'), nav: parseNumber(cell(m[1], 'nav')), changePct: parseNumber(cell(m[1], 'change')) });
  }
  if (!rows.length && !/id="nav-table"/.test(html)) throw new Error('the page has no NAV table (layout changed?)');
  return rows;
}
