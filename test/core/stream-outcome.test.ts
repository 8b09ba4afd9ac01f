/** The consumer's pure bookkeeping: which entries of a handled batch are acked and which stay pending, with what error. */
import { describe, expect, it } from 'vitest';
import { batchOutcome, MAX_ERROR_CHARS, toEntries } from '../../app/core/kinds/stream/stream-outcome';
import { StreamEntriesError } from '../../app';

const entries = toEntries([['1-0', ['a', '1']], ['2-0', null], ['3-0', ['b', '2', 'c', '3']]], (id) => (id === '3-0' ? 4 : 1));

describe('stream batch outcome', () => {
  it('reads raw entries, dropping deleted ones, with their delivery counts', () => {
    expect(entries).toEqual([{ id: '1-0', fields: { a: '1' }, deliveries: 1 }, { id: '3-0', fields: { b: '2', c: '3' }, deliveries: 4 }]);
  });

  it('acks everything when the handler resolves', () => {
    expect(batchOutcome(entries, undefined, undefined, false)).toEqual({ done: ['1-0', '3-0'], failed: new Map(), dead: new Map() });
  });

  it('fails only the entries named by a returned { failed } or a thrown StreamEntriesError, ignoring unknown ids', () => {
    expect(batchOutcome(entries, { failed: { '3-0': new TypeError('bad'), '9-9': 'x' } }, undefined, false))
      .toEqual({ done: ['1-0'], failed: new Map([['3-0', 'TypeError: bad']]), dead: new Map() });
    expect(batchOutcome(entries, undefined, new StreamEntriesError(['1-0'], 'upstream 503'), true))
      .toEqual({ done: ['3-0'], failed: new Map([['1-0', 'upstream 503']]), dead: new Map() });
  });

  it('dead-letters the entries named by a returned { dead }, over { failed } for the same id', () => {
    expect(batchOutcome(entries, { dead: { '3-0': 'no such tenant', '9-9': 'x' }, failed: { '3-0': 'x', '1-0': 'later' } }, undefined, false))
      .toEqual({ done: [], failed: new Map([['1-0', 'later']]), dead: new Map([['3-0', 'no such tenant']]) });
    expect(batchOutcome(entries, { dead: { '1-0': new RangeError('bad record') } }, undefined, false))
      .toEqual({ done: ['3-0'], failed: new Map(), dead: new Map([['1-0', 'RangeError: bad record']]) });
  });

  it('fails the whole batch on any other error, with a capped message', () => {
    const out = batchOutcome(entries, undefined, new Error('x'.repeat(MAX_ERROR_CHARS + 10)), true);
    expect(out.done).toEqual([]);
    expect([...out.failed.keys()]).toEqual(['1-0', '3-0']);
    expect(out.failed.get('1-0')!.length).toBe(MAX_ERROR_CHARS + 1);
  });
});
