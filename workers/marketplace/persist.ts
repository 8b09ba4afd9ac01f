/**
 * Writes one batch of platform records: DTO conversion, then one unordered bulk upsert keyed by
 * (entity id, shop_id, channel_id). When MongoDB fails, the raw records and what rebuilds their documents go to
 * the sync buffer and the chunk goes on.
 */
import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { bulkUpsert } from '../../plugins/mongo';
import { COLLECTIONS, ENTITY_KEY, keyFields, toMarketDocument, type Entity } from '../../plugins/marketplace-dto';
import type { SyncBuffer, BufferedBatch } from '../../plugins/sync-buffer';
import type { EntityCounts } from './sync-log';
import type { PlatformName, RawRecord } from './platforms/types';

/** Where a batch belongs: the shop and the chunk of a sync. */
export interface BatchTarget {
  platform: PlatformName;
  shop_id: string;
  channel_id: string;
  region: string;
  sync_id: string;
  chunk_id: string;
  days: string[];
}

/** What a buffered batch carries to rebuild its writes. */
export interface BatchMeta extends BatchTarget, Record<string, unknown> {
  entity: Entity;
  synced_at: string;
  details_fetched_at?: string;
}

export interface PersistResult {
  buffered: boolean;
  errors: string[];
}

/** A fingerprint of the platform record, for entities that carry no update time (tracking, money lines). */
function fingerprint(record: unknown): string {
  return createHash('sha1').update(JSON.stringify(record) ?? '').digest('base64url');
}

function documents(records: readonly RawRecord[] | unknown[], meta: BatchMeta): Record<string, unknown>[] {
  return records.map((r) => ({
    ...toMarketDocument(meta.entity, r, { platform: meta.platform, channel_id: meta.channel_id, shop_id: meta.shop_id, region: meta.region, synced_at: meta.synced_at, details_fetched_at: meta.details_fetched_at }),
    source_hash: fingerprint(r),
  }));
}

/** What says a stored copy is the same: its update time where the record has one, else the source fingerprint. */
function version(d: Record<string, unknown>): string {
  return d.update_epoch !== undefined ? `t${String(d.update_epoch)}` : `h${String(d.source_hash)}`;
}

/** Drops valid documents whose stored copy is the same version (and valid): nothing changed upstream. */
async function changedOnly(db: Db, entity: Entity, docs: Record<string, unknown>[], meta: BatchMeta): Promise<Record<string, unknown>[]> {
  const key = ENTITY_KEY[entity];
  const ids = docs.filter((d) => d.is_valid).map((d) => d[key]);
  if (!ids.length) return docs;
  const stored = await db.collection(COLLECTIONS[entity]).find({ shop_id: meta.shop_id, channel_id: meta.channel_id, [key]: { $in: ids } }, { projection: { _id: 0, [key]: 1, update_epoch: 1, source_hash: 1, is_valid: 1 } }).toArray();
  const same = new Set(stored.filter((s) => s.is_valid).map((s) => `${String(s[key])}@${version(s)}`));
  return docs.filter((d) => !(d.is_valid && same.has(`${String(d[key])}@${version(d)}`)));
}

/** Upserts documents; resolves to the per-document failures (duplicates on another index, missing keys). */
export async function writeDocuments(db: Db, entity: Entity, docs: Record<string, unknown>[], counts: EntityCounts): Promise<string[]> {
  const res = await bulkUpsert(db.collection(COLLECTIONS[entity]), docs, keyFields(entity), { batchSize: Math.max(1, docs.length) });
  counts.inserted += res.inserted;
  counts.updated += res.updated;
  counts.unchanged += res.unchanged;
  counts.failed += res.errors.length;
  return res.errors.map((e) => `${entity} ${JSON.stringify(e.key)}: ${e.message}`);
}

export async function persistBatch(
  db: Db, buffer: SyncBuffer<BatchMeta>, entity: Entity, records: RawRecord[], target: BatchTarget, counts: EntityCounts,
  opts: { skipUnchanged?: boolean; detailsFetchedAt?: string } = {},
): Promise<PersistResult> {
  if (!records.length) return { buffered: false, errors: [] };
  const meta: BatchMeta = { ...target, entity, synced_at: new Date().toISOString(), ...(opts.detailsFetchedAt ? { details_fetched_at: opts.detailsFetchedAt } : {}) };
  const docs = documents(records, meta);
  counts.fetched += docs.length;
  counts.invalid += docs.filter((d) => !d.is_valid).length;
  try {
    const fresh = opts.skipUnchanged ? await changedOnly(db, entity, docs, meta) : docs;
    counts.unchanged += docs.length - fresh.length;
    return { buffered: false, errors: fresh.length ? await writeDocuments(db, entity, fresh, counts) : [] };
  } catch (err) {
    await buffer.save(COLLECTIONS[entity], records, meta, err);
    counts.buffered += records.length;
    return { buffered: true, errors: [] };
  }
}

/** Rebuilds and writes a buffered batch (replay); throws when MongoDB still fails or a document is rejected. */
export async function replayBatch(db: Db, batch: BufferedBatch<BatchMeta>, counts: EntityCounts): Promise<void> {
  const errors = await writeDocuments(db, batch.meta.entity, documents(batch.records, batch.meta), counts);
  if (errors.length) throw new Error(`${errors.length} document(s) rejected: ${errors.slice(0, 3).join('; ')}`);
}
