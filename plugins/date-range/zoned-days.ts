/** Calendar days in an IANA timezone, through Intl (no library needed for offsets the platform already knows). */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a clear error for an unknown timezone name. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new Error(`unknown timezone '${timeZone}' (expected an IANA name such as Asia/Ho_Chi_Minh)`);
  }
}

/** Milliseconds the zone is ahead of UTC at `epochMs`. */
export function offsetMsAt(epochMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Parses `YYYY-MM-DD`, rejecting impossible dates (2024-02-30). */
export function parseIsoDate(date: string): { y: number; m: number; d: number } {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`'${date}' is not a date (YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) throw new Error(`'${date}' is not a calendar date`);
  return { y, m: mo, d };
}

/** The instant a calendar day starts in the zone (DST-safe: the offset is re-read at the found instant). */
export function startOfDay(date: string, timeZone: string): number {
  const { y, m, d } = parseIsoDate(date);
  const midnightUtc = Date.UTC(y, m - 1, d);
  let guess = midnightUtc - offsetMsAt(midnightUtc, timeZone);
  guess = midnightUtc - offsetMsAt(guess, timeZone);
  return guess;
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const { y, m, d } = parseIsoDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The calendar day of an instant in the zone. */
export function dayOf(epochMs: number, timeZone: string): string {
  return new Date(epochMs + offsetMsAt(epochMs, timeZone)).toISOString().slice(0, 10);
}
