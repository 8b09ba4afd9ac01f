import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../app/core/services/deadlines';

const after = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('run deadlines', () => {
  it('expires each deadline once, never early, in order, and not the cancelled ones', async () => {
    const deadlines = new Deadlines();
    const expired: Array<{ n: number; late: number }> = [];
    const added = new Map<number, number>();
    const all: Array<Promise<void>> = [];
    const handles = [];
    for (let n = 0; n < 20; n++) {
      const ms = n % 2 ? 30 : 60;
      added.set(n, performance.now());
      let done!: () => void;
      all.push(new Promise<void>((r) => { done = r; }));
      handles.push({ n, h: deadlines.add(ms, () => { expired.push({ n, late: performance.now() - added.get(n)! - ms }); done(); }), done: () => done() });
      if (n % 5 === 4) await after(2);
    }
    // Cancel every third: those never expire (their promises are settled here instead).
    for (const { n, h, done } of handles) if (n % 3 === 0) { h.cancel(); h.cancel(); done(); }
    await Promise.all(all);
    const want = handles.map((x) => x.n).filter((n) => n % 3 !== 0);
    expect(expired.map((e) => e.n).sort((a, b) => a - b)).toEqual(want);
    for (const e of expired) expect(e.late, `deadline ${e.n}`).toBeGreaterThanOrEqual(0);
    // Within one duration, in the order they were added.
    for (const ms of [30, 60]) {
      const order = expired.filter((e) => (e.n % 2 ? 30 : 60) === ms).map((e) => e.n);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('a cancelled head does not hold back the deadline behind it, and an expiry that throws is reported', async () => {
    const errors: unknown[] = [];
    const deadlines = new Deadlines((err) => errors.push(err));
    const first = deadlines.add(40, () => { throw new Error('should not run'); });
    await after(15);
    const start = performance.now();
    const second = new Promise<number>((r) => deadlines.add(40, () => r(performance.now() - start)));
    first.cancel();
    deadlines.add(10, () => { throw new Error('boom'); });
    expect(await second).toBeGreaterThanOrEqual(40);
    expect(errors).toEqual([new Error('boom')]);
  });
});

describe('run deadlines longer than a timer can hold', () => {
  it('a 30-day timeout neither expires early nor overflows the timer (no TimeoutOverflowWarning, no 1 ms re-arm loop)', async () => {
    const deadlines = new Deadlines();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      let expired = false;
      const long = deadlines.add(30 * 86_400_000, () => { expired = true; });
      // A short deadline beside it expires in its turn, and by then the long one has not.
      await new Promise<void>((r) => deadlines.add(20, r));
      await new Promise<void>((r) => setImmediate(r)); // process warnings are emitted on the next tick
      expect(expired).toBe(false);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
      long.cancel();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
