/**
 * The pure half of LiveRuns: folds a batch of run starts, ends and lease renewals into the entries the live-state
 * script (live-runs.lua) applies, per worker, so the script's work does not grow with the number of runs.
 *
 * Every change carries the run's take (the `fence`: when this process took the job, as on execution rows). The
 * script keeps the take of each running-set entry and ignores a change whose take is older than the entry's, so a
 * process that lost a job's lock cannot remove (or renew) the entry of the process that took the job over.
 */
import { isoTime } from './clock';
import { eventJson } from './events';

export type Fields = Record<string, string | number>;
export type Events = Array<[string, Record<string, unknown>]>;

/** One change: a start ('s'), an end ('f') or a lease renewal ('r') of a run. */
export interface LiveOp {
  kind: 's' | 'f' | 'r';
  workerId: string;
  executionId: string;
  /** The take of the job the run belongs to (ms timestamp); older takes lose to newer ones. */
  fence: number;
  /** Start: may be refused (overlap check, sent alone). End: the run succeeded. Renewal: unused. */
  flag: boolean;
}

export interface PendingChange {
  op: LiveOp;
  fields: Fields;
  events: Events;
  /** When the change happened (events carry this time, not the time they were sent). */
  at: number;
}

/** [executionId, take] — the take travels as a string, so Lua compares it exactly (tonumber). */
export type TakePair = [executionId: string, fence: string];
/** ['g', worker, adds, removes, flags, renewals]: one '1'/'0' in flags per run end (succeeded or not), in order. */
export type GroupEntry = ['g', workerId: string, adds: TakePair[], removes: TakePair[], flags: string, renews: TakePair[]];
/** A start that may be refused (overlap); it closes its worker's open segment, so it sees the set as the changes before it left it. */
export type AloneEntry = ['a', workerId: string, executionId: string, fence: string, fields: Fields, firstEvent: number, eventCount: number];
export type LiveEntry = GroupEntry | AloneEntry;

export interface FoldedBatch {
  entries: LiveEntry[];
  /** The events' JSON texts joined by commas (no JSON-in-JSON escaping; a refused start's are dropped by position). */
  events: string;
  /** Fields per worker, merged in order (the last write of a key wins). */
  merged: Record<string, Fields>;
  /** Index in the batch of each alone start → index of its entry (its answer). */
  answerAt: Map<number, number>;
  /** Entry index of each worker's last segment (its running count and failure streak after the batch). */
  lastSegmentAt: Map<string, number>;
}

interface Segment {
  entry: GroupEntry;
  adds: Map<string, number>;
  removes: Map<string, number>;
  renews: Map<string, number>;
}

const pairs = (m: Map<string, number>): TakePair[] => [...m].map(([id, fence]) => [id, String(fence)]);

function closeSegment(seg: Segment): void {
  seg.entry[2] = pairs(seg.adds);
  seg.entry[3] = pairs(seg.removes);
  seg.entry[5] = pairs(seg.renews);
}

/**
 * Applies one change to its worker's open segment. A run that starts and ends within one segment (same take)
 * never touches the set; a renewal of a run that joins the set in this segment is already covered by its start.
 */
function addToSegment(seg: Segment, op: LiveOp): void {
  const { executionId: id, fence } = op;
  if (op.kind === 's') {
    if (seg.removes.get(id) === fence) seg.removes.delete(id);
    seg.adds.set(id, fence);
  } else if (op.kind === 'r') {
    if (seg.adds.get(id) !== fence) seg.renews.set(id, fence);
  } else {
    seg.renews.delete(id);
    if (seg.adds.get(id) === fence) seg.adds.delete(id);
    else seg.removes.set(id, fence);
    seg.entry[4] += op.flag ? '1' : '0';
  }
}

/** Folds the batch in order; `now` is the time of the write (events without a change time use it). */
export function foldBatch(batch: readonly PendingChange[], now: number): FoldedBatch {
  const entries: LiveEntry[] = [];
  const answerAt = new Map<number, number>();
  const lastSegmentAt = new Map<string, number>();
  const open = new Map<string, Segment>();
  const merged: Record<string, Fields> = {};
  let texts = '';
  let count = 0;
  let atMs = now;
  let at = isoTime(now);
  batch.forEach((p, index) => {
    const { op } = p;
    const first = count;
    if (p.events.length && p.at !== atMs) {
      atMs = p.at;
      at = isoTime(atMs);
    }
    for (const [type, data] of p.events) texts += (count++ ? ',' : '') + eventJson(type, at, data);
    if (op.kind === 's' && op.flag) {
      const before = open.get(op.workerId);
      if (before) closeSegment(before);
      open.delete(op.workerId);
      answerAt.set(index, entries.length);
      entries.push(['a', op.workerId, op.executionId, String(op.fence), p.fields, first, p.events.length]);
      return;
    }
    if (op.kind !== 'r') Object.assign((merged[op.workerId] ??= {}), p.fields);
    let seg = open.get(op.workerId);
    if (!seg) {
      seg = { entry: ['g', op.workerId, [], [], '', []], adds: new Map(), removes: new Map(), renews: new Map() };
      open.set(op.workerId, seg);
      lastSegmentAt.set(op.workerId, entries.length);
      entries.push(seg.entry);
    }
    addToSegment(seg, op);
  });
  for (const seg of open.values()) closeSegment(seg);
  return { entries, events: texts, merged, answerAt, lastSegmentAt };
}

/** Renewals of the batch by worker (for a failure report naming what could not be renewed). */
export function renewalsOf(batch: readonly PendingChange[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { op } of batch) {
    if (op.kind !== 'r') continue;
    const ids = out.get(op.workerId);
    if (ids) ids.push(op.executionId);
    else out.set(op.workerId, [op.executionId]);
  }
  return out;
}
