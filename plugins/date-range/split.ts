/**
 * Splits a date range into chunks of whole days, with day boundaries in the shop's timezone, and caps query
 * windows at a platform's maximum span (Shopee: 15 days).
 */
import { addDays, assertTimeZone, parseIsoDate, startOfDay } from './zoned-days';

export interface DateChunk {
  /** First day (YYYY-MM-DD, inclusive). */
  from: string;
  /** Last day (YYYY-MM-DD, inclusive). */
  to: string;
  /** Instant the first day starts in the timezone. */
  startMs: number;
  /** Instant the day after `to` starts (exclusive end). */
  endMs: number;
}

export interface SplitOptions {
  /** Days per chunk. @defaultValue 1 (SYNC_CHUNK_DAYS) */
  chunkDays?: number;
  /** IANA timezone of day boundaries. @defaultValue 'Asia/Ho_Chi_Minh' */
  timeZone?: string;
}

export interface TimeWindow {
  startMs: number;
  /** Exclusive. */
  endMs: number;
}

export const DEFAULT_TIMEZONE = 'Asia/Ho_Chi_Minh';
const DAY_MS = 86_400_000;

/** Chunks covering `from`..`to` (both inclusive), in order, without gaps or overlaps. */
export function splitDateRange(from: string, to: string, opts: SplitOptions = {}): DateChunk[] {
  const chunkDays = opts.chunkDays ?? 1;
  const timeZone = opts.timeZone ?? DEFAULT_TIMEZONE;
  if (!Number.isInteger(chunkDays) || chunkDays < 1) throw new Error(`chunkDays must be a positive integer, got ${chunkDays}`);
  assertTimeZone(timeZone);
  parseIsoDate(from);
  parseIsoDate(to);
  if (from > to) throw new Error(`range starts (${from}) after it ends (${to})`);
  const chunks: DateChunk[] = [];
  for (let day = from; day <= to; ) {
    const last = addDays(day, chunkDays - 1) < to ? addDays(day, chunkDays - 1) : to;
    const next = addDays(last, 1);
    chunks.push({ from: day, to: last, startMs: startOfDay(day, timeZone), endMs: startOfDay(next, timeZone) });
    day = next;
  }
  return chunks;
}

/** Days in `from`..`to`, inclusive. */
export function daysIn(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Cuts [startMs, endMs) into consecutive windows no longer than `maxMs` (a platform's longest query span). */
export function capWindows(window: TimeWindow, maxMs: number): TimeWindow[] {
  if (!(maxMs > 0)) throw new Error(`window cap must be positive, got ${maxMs}`);
  const out: TimeWindow[] = [];
  for (let s = window.startMs; s < window.endMs; s += maxMs) out.push({ startMs: s, endMs: Math.min(window.endMs, s + maxMs) });
  return out;
}

/** Halves a window (for an offset-capped API whose window holds more records than it can page through). */
export function halveWindow(window: TimeWindow): [TimeWindow, TimeWindow] {
  if (window.endMs - window.startMs < 2) throw new Error('window too small to split');
  const mid = window.startMs + Math.floor((window.endMs - window.startMs) / 2);
  return [{ startMs: window.startMs, endMs: mid }, { startMs: mid, endMs: window.endMs }];
}

export const PLATFORM_MAX_WINDOW_MS = { shopee: 15 * DAY_MS } as const;
