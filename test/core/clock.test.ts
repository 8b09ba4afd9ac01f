import { describe, expect, it } from 'vitest';
import { isoTime, timeOfIso } from '../../app/core/services/clock';
import { eventJson } from '../../app/core/services/events';

describe('the per-run time and event texts', () => {
  it('isoTime writes what toISOString writes, across seconds, and for any other input too', () => {
    const base = Date.parse('2026-12-01T16:59:59.990Z');
    const inputs = [...Array.from({ length: 40 }, (_, i) => base + i), base + 1000, base, 0, 999, -1, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, 1.5];
    for (const ms of inputs) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('timeOfIso reads what Date.parse reads, including texts that only look alike', () => {
    const base = Date.parse('2026-12-01T16:59:59.990Z');
    const texts = [
      ...Array.from({ length: 30 }, (_, i) => new Date(base + i).toISOString()),
      '2026-12-01T16:59:59.99xZ', '2026-12-01T16:59:59.990+01:00', '2026-12-01T16:59:59Z', '2026-12-01', 'yesterday',
      '2026-13-01T16:59:59.990Z', '2026-12-01T16:59:59,990Z', '+012026-12-01T16:59:59.990Z', '',
    ];
    for (const t of texts) expect(timeOfIso(t), t).toEqual(Date.parse(t));
    expect(timeOfIso(undefined as unknown as string)).toBeNaN();
  });

  it('eventJson writes what JSON.stringify writes, for flat data and for anything else', () => {
    const ts = new Date().toISOString();
    const cases: Array<[string, object]> = [
      ['execution.finished', { workerId: 'w', executionId: 'e', status: 'failed', durationMs: 12, error: 'quote " backslash \\ tab \t line\n é 😀' }],
      ['execution.started', { workerId: 'w', attempt: 1, trigger: 'cron', gone: undefined, ok: true, none: null, neg: -0, big: 1e21, frac: 0.1 }],
      ['x.y', { 2: 'integer key first', a: 'then insertion order', 1: 'b' }],
      ['x.y', { lone: '\ud800', nan: Number.NaN }],
      ['x.y', { nested: { a: [1, 2] }, when: new Date(0) }],
      ['x.y', Object.assign(Object.create({ inherited: 'left out' }) as object, { own: 'kept' })],
      ['x.y', {}],
    ];
    for (const [type, data] of cases) expect(eventJson(type, ts, data)).toBe(JSON.stringify({ type, ts, data }));
  });
});
