import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { deterministicExecutionId, newExecutionId } from '../../app/core/services/ids';

describe('execution ids', () => {
  it('are UUIDv7, strictly increasing within a process, and carry the given instant', () => {
    const ids = Array.from({ length: 2_000 }, () => newExecutionId());
    for (const id of ids) expect(validate(id) && version(id)).toBe(7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const at = new Date('2026-03-01T12:00:00.123Z');
    expect(parseInt(newExecutionId(at).replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
  });

  it('are the same for the same job id and instant, and differ otherwise', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const a = deterministicExecutionId('tick:2026-03-01T12:00:00.000Z', at);
    expect(version(a)).toBe(7);
    expect(deterministicExecutionId('tick:2026-03-01T12:00:00.000Z', at)).toBe(a);
    expect(deterministicExecutionId('tock:2026-03-01T12:00:00.000Z', at)).not.toBe(a);
    expect(deterministicExecutionId('tick:2026-03-01T12:00:00.000Z', new Date(at.getTime() + 1))).not.toBe(a);
  });
});
