/** Pure helpers of the stream consumer: which entries of a batch are done, and which failed with what. */
import { errorText } from '../../services/failure';
import { StreamEntriesError, type StreamEntry, type StreamResult } from './stream-worker';

/** Longest error text kept with a pending or dead entry. */
export const MAX_ERROR_CHARS = 2_000;

export interface BatchOutcome {
  done: string[];
  /** Entry id → error text. */
  failed: Map<string, string>;
  /** Entry id → error text: dead-lettered now, whatever its deliveries (`{ dead }` of the handler's result). */
  dead: Map<string, string>;
}

const text = (err: unknown): string => {
  const s = err instanceof Error || typeof err !== 'object' ? errorText(err) : JSON.stringify(err);
  return s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}…` : s;
};

/**
 * Splits a handled batch: a thrown `StreamEntriesError` or a returned `{ failed }` fails the entries it names
 * (ids outside the batch are ignored); a returned `{ dead }` dead-letters the entries it names (over `failed` when
 * an id is in both); any other thrown error fails every entry; otherwise all are done.
 */
export function batchOutcome(entries: readonly StreamEntry[], result: StreamResult | void | undefined, error: unknown, threw: boolean): BatchOutcome {
  const failed = new Map<string, string>();
  const dead = new Map<string, string>();
  if (!threw && !result?.failed && !result?.dead) return { done: entries.map((e) => e.id), failed, dead };
  const named = threw ? (error instanceof StreamEntriesError ? error.failures : null) : result!.failed ?? {};
  if (named === null) {
    const message = text(error);
    for (const e of entries) failed.set(e.id, message);
    return { done: [], failed, dead };
  }
  const gone = (!threw && result?.dead) || {};
  for (const e of entries) {
    if (Object.hasOwn(gone, e.id)) dead.set(e.id, text(gone[e.id] ?? 'dead'));
    else if (Object.hasOwn(named, e.id)) failed.set(e.id, text(named[e.id] ?? 'failed'));
  }
  return { done: entries.filter((e) => !failed.has(e.id) && !dead.has(e.id)).map((e) => e.id), failed, dead };
}

/** XREADGROUP / XAUTOCLAIM entry lists (`[id, [k1, v1, …]]`) as entries; deleted entries (null fields) are dropped. */
export function toEntries(raw: ReadonlyArray<[string, string[] | null]>, deliveries: (id: string) => number): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const [id, flat] of raw) {
    if (!flat) continue;
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    out.push({ id, fields, deliveries: deliveries(id) });
  }
  return out;
}
