import { describe, expect, it } from 'vitest';
import { capWindows, daysIn, dayOf, halveWindow, splitDateRange, startOfDay } from '../../../plugins/date-range';

const DAY = 86_400_000;

describe('splitDateRange', () => {
  it('cuts 90 days into 7-day chunks with day boundaries at local midnight (Asia/Ho_Chi_Minh by default)', () => {
    const chunks = splitDateRange('2024-01-01', '2024-03-30', { chunkDays: 7 });
    expect(chunks).toHaveLength(13);
    expect(chunks[0]).toEqual({ from: '2024-01-01', to: '2024-01-07', startMs: Date.parse('2024-01-01T00:00:00+07:00'), endMs: Date.parse('2024-01-08T00:00:00+07:00') });
    expect(chunks.at(-1)).toMatchObject({ from: '2024-03-25', to: '2024-03-30', endMs: Date.parse('2024-03-31T00:00:00+07:00') });
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].startMs).toBe(chunks[i - 1].endMs);
    expect(chunks.flatMap((c) => daysIn(c.from, c.to))).toEqual(daysIn('2024-01-01', '2024-03-30'));
  });

  it('follows the shop timezone, DST days included', () => {
    const [spring] = splitDateRange('2024-03-31', '2024-03-31', { timeZone: 'Europe/Berlin' });
    expect(spring.startMs).toBe(Date.parse('2024-03-31T00:00:00+01:00'));
    expect(spring.endMs - spring.startMs).toBe(23 * 3_600_000);
    expect(startOfDay('2024-10-27', 'Europe/Berlin')).toBe(Date.parse('2024-10-27T00:00:00+02:00'));
    expect(dayOf(Date.parse('2024-01-01T17:30:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2024-01-02');
  });

  it('rejects bad input with a clear message', () => {
    expect(() => splitDateRange('2024-02-30', '2024-03-01')).toThrow(/calendar date/);
    expect(() => splitDateRange('2024-03-02', '2024-03-01')).toThrow(/after it ends/);
    expect(() => splitDateRange('2024-03-01', '2024-03-02', { chunkDays: 0 })).toThrow(/chunkDays/);
    expect(() => splitDateRange('2024-03-01', '2024-03-02', { timeZone: 'Mars/Olympus' })).toThrow(/unknown timezone/);
  });
});

describe('capWindows', () => {
  it('keeps every window within the platform maximum (Shopee: 15 days) without gaps', () => {
    const w = { startMs: Date.parse('2024-01-01T00:00:00+07:00'), endMs: Date.parse('2024-03-01T00:00:00+07:00') };
    const windows = capWindows(w, 15 * DAY);
    expect(windows).toHaveLength(4);
    for (const x of windows) expect(x.endMs - x.startMs).toBeLessThanOrEqual(15 * DAY);
    expect(windows[0].startMs).toBe(w.startMs);
    expect(windows.at(-1)!.endMs).toBe(w.endMs);
    for (let i = 1; i < windows.length; i++) expect(windows[i].startMs).toBe(windows[i - 1].endMs);
  });

  it('halves a window into two that cover it exactly', () => {
    const [a, b] = halveWindow({ startMs: 0, endMs: DAY });
    expect([a.startMs, a.endMs, b.startMs, b.endMs]).toEqual([0, DAY / 2, DAY / 2, DAY]);
  });
});
