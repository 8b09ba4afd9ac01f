import { describe, expect, it } from 'vitest';
import { Bucket } from '../../../plugins/batcher';

describe('Bucket (muster)', () => {
  it('flushes by size, hands each caller its own result, and flushes a partial batch after maxWaitMs', async () => {
    const batches: number[][] = [];
    const bucket = new Bucket<number, number>({ name: 't', size: 3, maxWaitMs: 30, flush: async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    } });
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map((i) => bucket.add(i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1, 2, 3], [4]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('rejects only the items of a failed flush, and limits flushes in flight', async () => {
    let running = 0;
    let peak = 0;
    const bucket = new Bucket<number>({ name: 't', size: 2, maxWaitMs: 5, concurrency: 2, flush: async (items) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      if (items.includes(3)) throw new Error('sink refused 3');
    } });
    const settled = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7, 8].map((i) => bucket.add(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(peak).toBe(2);
    expect(bucket.stats).toMatchObject({ flushes: 4, items: 8, failures: 1 });
    void bucket.add(9);
    await bucket.drain();
    expect(bucket.waiting).toBe(0);
  });
});
