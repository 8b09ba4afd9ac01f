import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../plugins/http/backoff';

describe('backoffDelay', () => {
  it('stays within [c/2, c] for c = min(max, base·2^attempt), as its comment says', () => {
    for (const [attempt, c] of [[0, 100], [1, 200], [3, 800], [10, 5_000]] as const) {
      expect(backoffDelay(attempt, 100, 5_000, () => 0)).toBe(c / 2);
      expect(backoffDelay(attempt, 100, 5_000, () => 0.999999)).toBe(c);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, 100, 5_000);
        expect(d).toBeGreaterThanOrEqual(c / 2);
        expect(d).toBeLessThanOrEqual(c);
      }
    }
  });
});
