import { MongoBulkWriteError, type AnyBulkWriteOperation, type BulkWriteResult, type Collection, type Document, type Filter } from 'mongodb';

export interface BulkUpsertOptions {
  /** Documents per unordered bulk write command. @default 1000 */
  batchSize?: number;
}

/** Why one document was not written. */
export interface BulkUpsertError {
  /** Position of the document in the `docs` argument. */
  index: number;
  /** The document's key fields (what identifies it). */
  key: Record<string, unknown>;
  /** Server error code (11000 for a duplicate on another unique index); 2 (BadValue) for a missing key field. */
  code: number;
  message: string;
}

export interface BulkUpsertResult {
  inserted: number;
  updated: number;
  /** Matched an existing document whose fields were already equal. */
  unchanged: number;
  errors: BulkUpsertError[];
}

const DEFAULT_BATCH_SIZE = 1000;
/** mongod's BadValue code, reused for documents rejected before they reach the server. */
const MISSING_KEY_CODE = 2;

interface PreparedBatch<T extends Document> {
  ops: AnyBulkWriteOperation<T>[];
  /** Original `docs` index of each op. */
  origins: number[];
  keys: Record<string, unknown>[];
}

/** The key of a document, or which key fields it lacks (null counts as missing). */
function pickKey(doc: Document, keyFields: readonly string[]): { key: Record<string, unknown>; missing: string[] } {
  const key: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const field of keyFields) {
    const value = doc[field];
    if (value === undefined || value === null) missing.push(field);
    else key[field] = value;
  }
  return { key, missing };
}

/** `$set` every non-key field; `_id` only on insert, since it cannot change afterwards. */
function upsertOp<T extends Document>(doc: T, key: Record<string, unknown>): AnyBulkWriteOperation<T> {
  const set: Document = {};
  const onInsert: Document = {};
  for (const [field, value] of Object.entries(doc)) {
    if (field in key) continue;
    if (field === '_id') onInsert._id = value;
    else set[field] = value;
  }
  const update: Document = {};
  if (Object.keys(set).length > 0) update.$set = set;
  if (Object.keys(onInsert).length > 0 || Object.keys(set).length === 0) update.$setOnInsert = { ...key, ...onInsert };
  return { updateOne: { filter: key as Filter<T>, update, upsert: true } };
}

function tally(result: BulkUpsertResult, res: BulkWriteResult): void {
  result.inserted += res.upsertedCount;
  result.updated += res.modifiedCount;
  result.unchanged += res.matchedCount - res.modifiedCount;
}

async function writeBatch<T extends Document>(collection: Collection<T>, batch: PreparedBatch<T>, result: BulkUpsertResult): Promise<void> {
  try {
    tally(result, await collection.bulkWrite(batch.ops, { ordered: false }));
  } catch (err) {
    const writeErrors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : [];
    // Only per-document failures are reported; anything else (network, command error) propagates.
    if (!(err instanceof MongoBulkWriteError) || writeErrors.length === 0) throw err;
    tally(result, err.result);
    for (const w of writeErrors) {
      result.errors.push({ index: batch.origins[w.index], key: batch.keys[w.index], code: w.code ?? 0, message: w.errmsg ?? err.message });
    }
  }
}

/**
 * Inserts or updates documents identified by `keyFields` (top-level fields) with unordered
 * bulk writes. Document-level failures are returned in `errors`; connection or command
 * failures throw, after earlier batches have already been written.
 */
export async function bulkUpsert<T extends Document>(
  collection: Collection<T>,
  docs: readonly T[],
  keyFields: string | readonly string[],
  opts: BulkUpsertOptions = {},
): Promise<BulkUpsertResult> {
  const fields = typeof keyFields === 'string' ? [keyFields] : keyFields;
  if (fields.length === 0) throw new Error('bulkUpsert needs at least one key field');
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const result: BulkUpsertResult = { inserted: 0, updated: 0, unchanged: 0, errors: [] };
  for (let from = 0; from < docs.length; from += batchSize) {
    const batch: PreparedBatch<T> = { ops: [], origins: [], keys: [] };
    docs.slice(from, from + batchSize).forEach((doc, i) => {
      const { key, missing } = pickKey(doc, fields);
      if (missing.length > 0) {
        result.errors.push({ index: from + i, key, code: MISSING_KEY_CODE, message: `missing key field(s): ${missing.join(', ')}` });
        return;
      }
      batch.ops.push(upsertOp(doc, key));
      batch.origins.push(from + i);
      batch.keys.push(key);
    });
    if (batch.ops.length > 0) await writeBatch(collection, batch, result);
  }
  result.errors.sort((a, b) => a.index - b.index);
  return result;
}
