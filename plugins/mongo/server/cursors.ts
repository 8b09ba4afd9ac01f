import { BSON, Long } from 'mongodb';
import { CommandError } from './errors';
import type { Doc } from './query/values';

/** mongod's default size of a find/aggregate first batch when the client gives no batchSize. */
const DEFAULT_FIRST_BATCH = 101;
/** A batch stops growing at the 16 MiB BSON limit so the reply always fits one message. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

interface OpenCursor {
  ns: string;
  docs: Doc[];
  position: number;
}

export interface CursorOptions {
  batchSize?: unknown;
  singleBatch?: unknown;
}

function batchLimit(batchSize: unknown, fallback: number): number {
  if (batchSize === undefined || batchSize === null) return fallback;
  const n = Number(batchSize);
  if (Number.isNaN(n) || n < 0) throw new CommandError(2, 'batchSize must be non-negative');
  return n;
}

/** Server-side cursors: results are materialised at open and handed out batch by batch. */
export class CursorStore {
  private readonly open = new Map<string, OpenCursor>();

  private takeBatch(cursor: OpenCursor, limit: number): Doc[] {
    const batch: Doc[] = [];
    let bytes = 0;
    while (cursor.position < cursor.docs.length && batch.length < limit) {
      const doc = cursor.docs[cursor.position];
      bytes += BSON.calculateObjectSize(doc);
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
      batch.push(doc);
      cursor.position += 1;
    }
    return batch;
  }

  private newId(): Long {
    let id: Long;
    do {
      id = Long.fromBits((Math.random() * 0x100000000) | 0, (Math.random() * 0x7fffffff) | 0);
    } while (id.isZero() || this.open.has(id.toString()));
    return id;
  }

  /** Opens a cursor and returns the `{ cursor: { firstBatch, id, ns } }` reply. */
  start(ns: string, docs: Doc[], opts: CursorOptions): Doc {
    const cursor: OpenCursor = { ns, docs, position: 0 };
    const firstBatch = this.takeBatch(cursor, batchLimit(opts.batchSize, DEFAULT_FIRST_BATCH));
    let id = Long.ZERO;
    if (cursor.position < docs.length && opts.singleBatch !== true) {
      id = this.newId();
      this.open.set(id.toString(), cursor);
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  getMore(id: unknown, ns: string, batchSize: unknown): Doc {
    const key = id instanceof Long ? id.toString() : String(id);
    const cursor = this.open.get(key);
    if (!cursor) throw new CommandError(43, `cursor id ${key} not found`);
    if (cursor.ns !== ns) throw new CommandError(13, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    const nextBatch = this.takeBatch(cursor, batchLimit(batchSize, Infinity));
    const done = cursor.position >= cursor.docs.length;
    if (done) this.open.delete(key);
    return { cursor: { nextBatch, id: done ? Long.ZERO : id, ns }, ok: 1 };
  }

  kill(ids: unknown[]): { killed: unknown[]; notFound: unknown[] } {
    const killed: unknown[] = [];
    const notFound: unknown[] = [];
    for (const id of ids) {
      if (this.open.delete(String(id))) killed.push(id);
      else notFound.push(id);
    }
    return { killed, notFound };
  }

  get size(): number {
    return this.open.size;
  }

  clear(): void {
    this.open.clear();
  }
}
