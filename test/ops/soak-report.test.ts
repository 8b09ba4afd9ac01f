import { describe, expect, it } from 'vitest';
import { lostJobs, percentile } from '../../scripts/soak/report';

describe('soak figures', () => {
  it('percentile is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBe(0);
  });

  it('lost = enqueued jobs that never reached a final state', () => {
    expect(lostJobs({ enqueued: 10, final: 8, duplicated: 0 })).toBe(2);
    expect(lostJobs({ enqueued: 10, final: 10, duplicated: 3 })).toBe(0);
  });
});
