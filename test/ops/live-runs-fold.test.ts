import { describe, expect, it } from 'vitest';
import { foldBatch, renewalsOf, type LiveOp, type PendingChange } from '../../app/core/services/live-runs.fold';

const change = (kind: LiveOp['kind'], executionId: string, fence: number, flag = false, workerId = 'w'): PendingChange => ({
  op: { kind, workerId, executionId, fence, flag }, fields: kind === 'r' ? {} : { last: `${kind}:${executionId}` }, events: [], at: 1_000,
});

describe('foldBatch (pure): what one script call applies', () => {
  it('a run that starts and ends within one batch under the same take never touches the set', () => {
    const { entries } = foldBatch([change('s', 'x', 5), change('f', 'x', 5, true)], 1_000);
    expect(entries).toEqual([['g', 'w', [], [], '1', []]]);
  });

  it('an end under an older take (the process lost the lock) is sent as a fenced remove, not folded into the new start', () => {
    const { entries } = foldBatch([change('s', 'x', 9), change('f', 'x', 5, false)], 1_000);
    expect(entries).toEqual([['g', 'w', [['x', '9']], [['x', '5']], '0', []]]);
  });

  it('a renewal of a run that joins the set in the same batch is covered by the start; others travel with their take', () => {
    const { entries } = foldBatch([change('s', 'x', 5), change('r', 'x', 5), change('r', 'y', 3)], 1_000);
    expect(entries).toEqual([['g', 'w', [['x', '5']], [], '', [['y', '3']]]]);
  });

  it('an end after a renewal in the same batch drops the renewal (an ended run is not renewed back into the set)', () => {
    const { entries } = foldBatch([change('r', 'y', 3), change('f', 'y', 3, true)], 1_000);
    expect(entries).toEqual([['g', 'w', [], [['y', '3']], '1', []]]);
  });

  it('an alone start closes its worker\'s open segment and gets its own entry (answer index), events keep their order', () => {
    const batch = [change('s', 'a', 1), change('s', 'b', 2, true), change('f', 'a', 1, true)];
    batch[1].events = [['execution.started', { executionId: 'b' }]];
    const folded = foldBatch(batch, 1_000);
    expect(folded.entries).toEqual([
      ['g', 'w', [['a', '1']], [], '', []],
      ['a', 'w', 'b', '2', { last: 's:b' }, 0, 1],
      ['g', 'w', [], [['a', '1']], '1', []],
    ]);
    expect(folded.answerAt.get(1)).toBe(1);
    expect(folded.lastSegmentAt.get('w')).toBe(2);
    expect(JSON.parse(`[${folded.events}]`)).toEqual([{ type: 'execution.started', ts: new Date(1_000).toISOString(), data: { executionId: 'b' } }]);
    expect(folded.merged).toEqual({ w: { last: 'f:a' } });
  });

  it('keeps workers apart and names renewals by worker for a failure report', () => {
    const batch = [change('r', 'a', 1, false, 'w1'), change('r', 'b', 1, false, 'w2'), change('r', 'c', 1, false, 'w1'), change('s', 'd', 1, false, 'w2')];
    expect(foldBatch(batch, 0).entries).toHaveLength(2);
    expect(renewalsOf(batch)).toEqual(new Map([['w1', ['a', 'c']], ['w2', ['b']]]));
  });
});
