import { Decimal128, Long } from 'mongodb';

/** Outcome of converting one raw value: `value: null` means "empty", not "failed". */
export type Conversion<T> = { ok: true; value: T | null } | { ok: false; error: string };

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const OFFSET_TEXT = /^([+-])(\d{2}):(\d{2})$/;
/** Below this an epoch is read as seconds (until year 5138), at or above as milliseconds (after 1973-03-03). */
export const EPOCH_MS_THRESHOLD = 1e11;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Money as Decimal128, keeping the scale given ("1.50" stays 1.50). Accepts numbers, plain
 * numeric strings ("-12.5", "1e3"; no thousands separators or currency signs), bigint, Long
 * and Decimal128. null, undefined and blank strings are empty; anything else is an error.
 */
export function toMoney(value: unknown): Conversion<Decimal128> {
  if (isEmpty(value)) return { ok: true, value: null };
  if (value instanceof Decimal128) return { ok: true, value };
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, error: `not a finite amount: ${describe(value)}` };
    text = String(value);
  } else if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) {
    text = value.trim().replace(/^\+/, '');
  } else if (typeof value === 'bigint' || value instanceof Long) {
    text = value.toString();
  } else return { ok: false, error: `not an amount: ${describe(value)}` };
  try {
    return { ok: true, value: Decimal128.fromString(text) };
  } catch {
    return { ok: false, error: `amount out of Decimal128 range: ${describe(value)}` };
  }
}

/** Minutes east of UTC for "+07:00" / "-03:30"; throws for anything else (a configuration error). */
export function parseOffset(offset: string): number {
  const m = OFFSET_TEXT.exec(offset);
  if (!m || Number(m[2]) > 14 || Number(m[3]) > 59) throw new Error(`invalid timezone offset '${offset}', expected ±HH:MM`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** ISO-8601 local time with the offset, to the second: `2024-03-01T09:30:00+07:00`. */
export function formatWithOffset(epochMs: number, offset: string): string {
  const shifted = new Date(epochMs + parseOffset(offset) * 60_000);
  return shifted.toISOString().slice(0, 19) + offset;
}

/** Epoch seconds or milliseconds, told apart by magnitude (see EPOCH_MS_THRESHOLD). */
export function epochToMillis(epoch: number): number {
  return Math.abs(epoch) < EPOCH_MS_THRESHOLD ? epoch * 1000 : epoch;
}

/**
 * A point in time as an ISO-8601 string with the given offset. Accepts epoch seconds or
 * milliseconds (numbers or numeric strings), Date objects and ISO-8601 strings with a zone.
 * Sub-second precision is dropped. null, undefined and blank strings are empty.
 */
export function toDateTime(value: unknown, offset: string): Conversion<string> {
  if (isEmpty(value)) return { ok: true, value: null };
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && NUMERIC_TEXT.test(value.trim()))) {
    ms = epochToMillis(Number(value));
  } else if (value instanceof Date) {
    ms = value.getTime();
  } else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value.trim())) {
    ms = Date.parse(value.trim());
  } else return { ok: false, error: `not a timestamp: ${describe(value)}` };
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return { ok: false, error: `not a valid timestamp: ${describe(value)}` };
  return { ok: true, value: formatWithOffset(Math.floor(ms / 1000) * 1000, offset) };
}

export function toText(value: unknown): Conversion<string> {
  if (isEmpty(value)) return { ok: true, value: null };
  if (typeof value === 'string') return { ok: true, value: value.trim() };
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return { ok: true, value: String(value) };
  return { ok: false, error: `not text: ${describe(value)}` };
}

export function toNumber(value: unknown, integer: boolean): Conversion<number> {
  if (isEmpty(value)) return { ok: true, value: null };
  const n = typeof value === 'number' ? value : typeof value === 'string' && NUMERIC_TEXT.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return { ok: false, error: `not a number: ${describe(value)}` };
  if (integer && !Number.isInteger(n)) return { ok: false, error: `not an integer: ${describe(value)}` };
  return { ok: true, value: n };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n']);

export function toBoolean(value: unknown): Conversion<boolean> {
  if (isEmpty(value)) return { ok: true, value: null };
  if (typeof value === 'boolean') return { ok: true, value };
  const word = String(value).trim().toLowerCase();
  if ((typeof value === 'number' || typeof value === 'string') && TRUE_WORDS.has(word)) return { ok: true, value: true };
  if ((typeof value === 'number' || typeof value === 'string') && FALSE_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, error: `not a boolean: ${describe(value)}` };
}
