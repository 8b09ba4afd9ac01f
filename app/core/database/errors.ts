/** MySQL errors that retrying cannot fix (bad data, schema mismatch), as opposed to connection trouble. */
const PASSING_ERRNOS = new Set([1040, 1205, 1213, 1053, 1927, 2002, 2003, 2006, 2013, 1158, 1159, 1160, 1161, 1129, 1203]);

export function isPermanentMysqlError(err: unknown): boolean {
  const e = err as { errno?: number; fatal?: boolean; code?: string; sqlState?: string };
  if (!e || typeof e !== 'object') return false;
  if (e.fatal || !e.errno || !e.sqlState) return false; // network errors carry no SQL state
  return !PASSING_ERRNOS.has(e.errno);
}
