/**
 * Applies a batch of pushes to MongoDB, per (platform, shop, entity): the latest push per id, as newer-only status
 * updates (a late push never moves a status back). The common case — every id stored and older than its push — is
 * one bulk write and nothing else. When some update matched nothing, the stored ids are looked up: ids never stored
 * are fetched from the platform in calls of at most 50 (detail-batcher.ts) and inserted by their key first, then
 * the ids that still need it get their status. A group that fails fails only its own entries (they stay pending
 * and are retried).
 */
import type { AnyBulkWriteOperation, Collection, Db, Document, UpdateFilter } from 'mongodb';
import { toDateTime } from '../../plugins/mongo';
import { normalizeStatus } from '../../plugins/marketplace-dto';
import { ENTITY_COLLECTION, ENTITY_ID_FIELD, recordKey, toRecord, type MarketPlatform, type ShopKey } from '../../plugins/market-records';
import type { DetailBatcher } from './detail-batcher';
import type { StoredEvent } from './push-event';

export interface Group {
  shop: ShopKey;
  entity: StoredEvent['entity'];
  /** The newest push per id. */
  latest: Map<string, StoredEvent>;
  /** Entry ids per record id (every push of the id in this batch). */
  entries: Map<string, string[]>;
}

export interface ApplyDeps {
  db: Db;
  details: DetailBatcher;
  /** Entries kept in a record's status_history (WEBHOOK_STATUS_HISTORY). */
  historyLen: number;
}

export interface GroupResult {
  /** Entry ids whose push is applied (or was older than what is stored). */
  done: string[];
  /** Entry id → why it failed. */
  failed: Map<string, unknown>;
  fetched: number;
  updated: number;
}

export function groupEvents(events: ReadonlyArray<{ entryId: string; event: StoredEvent }>, shopOf: (platform: MarketPlatform, shopId: string) => ShopKey): Group[] {
  const groups = new Map<string, Group>();
  for (const { entryId, event: e } of events) {
    const gk = `${e.platform}\u0000${e.shopId}\u0000${e.entity}`;
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { shop: shopOf(e.platform, e.shopId), entity: e.entity, latest: new Map(), entries: new Map() }));
    const prev = g.latest.get(e.id);
    if (!prev || e.updateTime > prev.updateTime) g.latest.set(e.id, e);
    const list = g.entries.get(e.id);
    if (list) list.push(entryId);
    else g.entries.set(e.id, [entryId]);
  }
  return [...groups.values()];
}

/** The stored ids among the group's, with their update_epoch (undefined where a record has none). */
async function storedIds(coll: Collection<Document>, g: Group): Promise<Map<string, number | undefined>> {
  const field = ENTITY_ID_FIELD[g.entity];
  const rows = await coll.find({ shop_id: g.shop.shopId, channel_id: g.shop.channelId, [field]: { $in: [...g.latest.keys()] } }, { projection: { _id: 0, [field]: 1, update_epoch: 1 } }).toArray();
  return new Map(rows.map((r) => [String(r[field]), typeof r.update_epoch === 'number' ? r.update_epoch : undefined]));
}

const DUPLICATE_KEY = 11000;

/**
 * Fetches the ids never stored and inserts them by their key — insert-only (`$setOnInsert`): a record another
 * batch stored meanwhile, perhaps with a newer status already applied, is left as it is. Returns the ids the
 * platform did not return.
 */
async function fetchMissing(coll: Collection<Document>, g: Group, missing: string[], deps: ApplyDeps): Promise<{ unknown: Set<string>; fetched: number }> {
  const unknown = new Set(missing);
  if (!missing.length) return { unknown, fetched: 0 };
  const records = await deps.details.get(g.shop, g.entity, missing);
  const ops = [];
  for (const [id, raw] of records) {
    if (!raw) continue;
    unknown.delete(id);
    ops.push({ updateOne: { filter: recordKey(g.entity, g.shop, id), update: { $setOnInsert: toRecord(g.shop, g.entity, raw) }, upsert: true } });
  }
  if (ops.length) {
    try {
      await coll.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Two batches inserting the same new record at once: the unique key keeps one, which is what we want.
      const writeErrors = (err as { writeErrors?: Array<{ code: number }> | { code: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : null;
      if (!list || list.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    }
  }
  return { unknown, fetched: ops.length };
}

/** Newer-only status updates, one unordered bulk write: how many records matched (stored and older) and changed. */
async function applyStatuses(coll: Collection<Document>, g: Group, ids: string[], historyLen: number): Promise<{ matched: number; modified: number }> {
  if (!ids.length) return { matched: 0, modified: 0 };
  const now = new Date();
  const ops: AnyBulkWriteOperation<Document>[] = ids.map((id) => {
    const e = g.latest.get(id)!;
    const status = normalizeStatus(e.status);
    const updateTime = toDateTime(e.updateTime, '+07:00');
    return {
      updateOne: {
        // update_epoch is the sync's comparable update time; a record without one takes the push.
        filter: { ...recordKey(g.entity, g.shop, id), $or: [{ update_epoch: { $lt: e.updateTime } }, { update_epoch: { $exists: false } }] },
        update: {
          $set: { status, update_time: updateTime.ok ? updateTime.value : null, update_epoch: e.updateTime, synced_at: now.toISOString() },
          // The changes pushes made, newest last (audit; each push appears once at most).
          $push: { status_history: { $each: [{ status, update_epoch: e.updateTime, key: e.key, applied_at: now.toISOString() }], $slice: -historyLen } },
        } as unknown as UpdateFilter<Document>, // the driver's types reject $push on an untyped Document
      },
    };
  });
  const res = await coll.bulkWrite(ops, { ordered: false });
  return { matched: res.matchedCount, modified: res.modifiedCount };
}

export async function applyGroup(g: Group, deps: ApplyDeps): Promise<GroupResult> {
  const coll = deps.db.collection(ENTITY_COLLECTION[g.entity]);
  const ids = [...g.latest.keys()];
  const first = await applyStatuses(coll, g, ids, deps.historyLen);
  if (first.matched === ids.length) return { done: [...g.entries.values()].flat(), failed: new Map(), fetched: 0, updated: first.modified };
  // Some update matched nothing: the record is missing, or already as new as the push (a late or repeated push).
  const stored = await storedIds(coll, g);
  const missing = ids.filter((id) => !stored.has(id));
  const { unknown, fetched } = await fetchMissing(coll, g, missing, deps);
  // Again, newer-only (a push the first pass applied is not applied twice): the records just inserted (their detail
  // may be older than the push), and those stored since the first pass by another batch, still older than the push.
  const again = ids.filter((id) => !unknown.has(id) && (!stored.has(id) || (stored.get(id) ?? -Infinity) < g.latest.get(id)!.updateTime));
  const second = await applyStatuses(coll, g, again, deps.historyLen);
  const updated = first.modified + second.modified;
  const done: string[] = [];
  const failed = new Map<string, unknown>();
  for (const [id, entryIds] of g.entries) {
    if (unknown.has(id)) for (const e of entryIds) failed.set(e, `${g.shop.platform} does not know ${g.entity} ${id} of shop ${g.shop.shopId}`);
    else done.push(...entryIds);
  }
  return { done, failed, fetched, updated };
}
