/**
 * Throughput of the in-memory MongoDB test server through the real driver.
 * Prints exactly one JSON line on stdout; progress goes to stderr.
 *
 *   npx tsx bench/mongo-server.ts
 */
import { performance } from 'node:perf_hooks';
import { MongoClient, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import { MongoTestServer } from '../plugins/mongo/server';

/** Documents upserted per run. */
const DOCS = 100_000;
/** Documents per unordered bulk write, as workers send them. */
const BATCH = 1_000;
/** Point reads by key. */
const FINDS = 10_000;
/** Concurrent readers sharing the driver's pool. */
const READERS = 4;
/** `$in` lists: finds by an indexed key with this many values, and counts over an unindexed field. */
const IN_VALUES = 1_000;
const IN_FINDS = 20;
const IN_SCANS = 3;
/** Round-trips of the `ping` reference. */
const PINGS = 5_000;

interface Product {
  sku: string;
  name: string;
  price: number;
  stock: number;
  updated_at: string;
}

function product(i: number, round: number): Product {
  return { sku: `SKU-${i}`, name: `Product ${i}`, price: 10 + (i % 500) + round, stock: i % 97, updated_at: `2024-03-01T09:30:0${round}+07:00` };
}

function upsertOp(doc: Product): AnyBulkWriteOperation<Product> {
  const { sku, ...fields } = doc;
  return { updateOne: { filter: { sku }, update: { $set: fields }, upsert: true } };
}

function log(msg: string): void {
  process.stderr.write(`[bench:mongo-server] ${msg}\n`);
}

async function timeUpserts(coll: Collection<Product>, round: number): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < DOCS; from += BATCH) {
    const ops: AnyBulkWriteOperation<Product>[] = [];
    for (let i = from; i < Math.min(from + BATCH, DOCS); i++) ops.push(upsertOp(product(i, round)));
    await coll.bulkWrite(ops, { ordered: false });
  }
  return performance.now() - started;
}

async function timeFinds(coll: Collection<Product>): Promise<number> {
  const started = performance.now();
  const perReader = FINDS / READERS;
  await Promise.all(
    Array.from({ length: READERS }, async (_, r) => {
      for (let k = 0; k < perReader; k++) {
        const i = (r * perReader + k) * 7 % DOCS;
        const doc = await coll.findOne({ sku: `SKU-${i}` });
        if (!doc) throw new Error(`missing SKU-${i}`);
      }
    }),
  );
  return performance.now() - started;
}

/** Finds by `{ sku: { $in: [IN_VALUES skus] } }` through the unique index: documents returned per second. */
async function timeInFinds(coll: Collection<Product>): Promise<number> {
  const started = performance.now();
  for (let q = 0; q < IN_FINDS; q++) {
    const skus = Array.from({ length: IN_VALUES }, (_, k) => `SKU-${(q * IN_VALUES + k * 37) % DOCS}`);
    const docs = await coll.find({ sku: { $in: skus } }).toArray();
    if (docs.length !== new Set(skus).size) throw new Error(`$in find returned ${docs.length} documents`);
  }
  return performance.now() - started;
}

const inNames = (q: number): string[] => Array.from({ length: IN_VALUES }, (_, k) => `Product ${(q * 7919 + k * 101) % DOCS}`);

/** `countDocuments({ name: { $in: [IN_VALUES names] } })`: no index, every document is matched against the list. */
async function timeInScans(coll: Collection<Product>): Promise<number> {
  const started = performance.now();
  for (let q = 0; q < IN_SCANS; q++) {
    const names = inNames(q);
    const n = await coll.countDocuments({ name: { $in: names } });
    if (n !== new Set(names).size) throw new Error(`$in count gave ${n}`);
  }
  return performance.now() - started;
}

/** The same scans over a plain array with a JS Set: the floor for `$in` matching. */
function timeSetScans(): number {
  const docs = Array.from({ length: DOCS }, (_, i) => product(i, 1));
  const started = performance.now();
  for (let q = 0; q < IN_SCANS; q++) {
    const names = new Set(inNames(q));
    const n = docs.filter((d) => names.has(d.name)).length;
    if (n !== names.size) throw new Error(`set scan gave ${n}`);
  }
  return performance.now() - started;
}

/** The same upsert work applied to a plain Map: the floor the server's own bookkeeping adds to. */
function timeMapUpserts(): number {
  const store = new Map<string, Product>();
  const started = performance.now();
  for (const round of [0, 1]) {
    for (let i = 0; i < DOCS; i++) {
      const doc = product(i, round);
      const existing = store.get(doc.sku);
      store.set(doc.sku, existing ? { ...existing, ...doc } : doc);
    }
  }
  return performance.now() - started;
}

async function timePings(client: MongoClient): Promise<number> {
  const admin = client.db('admin');
  const started = performance.now();
  for (let i = 0; i < PINGS; i++) await admin.command({ ping: 1 });
  return performance.now() - started;
}

const perSecond = (count: number, ms: number): number => Math.round((count * 1000) / ms);

async function main(): Promise<void> {
  const server = await MongoTestServer.start();
  const client = new MongoClient(server.uri);
  try {
    await client.connect();
    const coll = client.db('bench').collection<Product>('products');
    await coll.createIndex({ sku: 1 }, { unique: true });
    log(`upserting ${DOCS} new documents in batches of ${BATCH}`);
    const insertMs = await timeUpserts(coll, 0);
    log(`upserting ${DOCS} existing documents with changes`);
    const updateMs = await timeUpserts(coll, 1);
    log(`${FINDS} finds by key with ${READERS} readers`);
    const findMs = await timeFinds(coll);
    log(`${IN_FINDS} indexed finds and ${IN_SCANS} unindexed counts with $in lists of ${IN_VALUES}`);
    const inFindMs = await timeInFinds(coll);
    const inScanMs = await timeInScans(coll);
    const pingMs = await timePings(client);
    const mapMs = timeMapUpserts();
    const upsertsPerS = perSecond(2 * DOCS, insertMs + updateMs);
    const mapPerS = perSecond(2 * DOCS, mapMs);
    const result = {
      bench: 'mongo-server',
      docs: DOCS,
      batch: BATCH,
      upserts_per_s: upsertsPerS,
      upserts_insert_per_s: perSecond(DOCS, insertMs),
      upserts_update_per_s: perSecond(DOCS, updateMs),
      finds_per_s: perSecond(FINDS, findMs),
      in_values: IN_VALUES,
      /** Documents returned per second by indexed `$in` finds. */
      in_find_docs_per_s: perSecond(IN_FINDS * IN_VALUES, inFindMs),
      /** Documents matched against an `$in` list per second (unindexed count). */
      in_scan_docs_per_s: perSecond(IN_SCANS * DOCS, inScanMs),
      reference: { map_upserts_per_s: mapPerS, set_scan_docs_per_s: perSecond(IN_SCANS * DOCS, timeSetScans()), ping_roundtrips_per_s: perSecond(PINGS, pingMs) },
      /** Server upserts as a fraction of the same work on a bare Map. */
      ratio: Number((upsertsPerS / mapPerS).toFixed(4)),
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await client.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
