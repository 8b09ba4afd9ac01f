import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoBulkWriteError, MongoServerError, type Collection, type Document } from 'mongodb';
import { openHarness, type MongoHarness, type TestDoc } from './harness';

let h: MongoHarness;
let coll: Collection<TestDoc>;

beforeAll(async () => {
  h = await openHarness('indexes');
});
afterAll(async () => {
  await h.close();
});
beforeEach(async (ctx) => {
  coll = h.db.collection(ctx.task.name.replace(/\W+/g, '_').slice(0, 50));
});

const writeErrors = (e: MongoBulkWriteError) => (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]);

describe('createIndexes / listIndexes / dropIndexes', () => {
  it('creates, lists and drops single and compound indexes', async () => {
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    expect(await coll.createIndex({ shop: 1, sku: -1 }, { name: 'shop_sku' })).toBe('shop_sku');
    const listed = await coll.listIndexes().toArray();
    expect(listed.map((i) => [i.name, i.key, i.unique ?? false])).toEqual([
      ['_id_', { _id: 1 }, false],
      ['email_1', { email: 1 }, true],
      ['shop_sku', { shop: 1, sku: -1 }, false],
    ]);
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    await coll.dropIndex('shop_sku');
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
    await coll.dropIndexes();
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('errors: missing index, missing collection, name clash', async () => {
    await coll.createIndex({ a: 1 });
    expect(((await coll.dropIndex('nope').catch((e: unknown) => e)) as MongoServerError).code).toBe(27);
    const missing = await h.db.collection('never_created').listIndexes().toArray().catch((e: unknown) => e);
    expect((missing as MongoServerError).code).toBe(26);
    const clash = await coll.createIndex({ b: 1 }, { name: 'a_1' }).catch((e: unknown) => e);
    expect([85, 86]).toContain((clash as MongoServerError).code);
  });
});

describe('unique indexes', () => {
  it('enforce compound uniqueness with the mongod error shape', async () => {
    await coll.createIndex({ shop: 1, sku: 1 }, { unique: true });
    await coll.insertMany([{ shop: 's1', sku: 'a' }, { shop: 's2', sku: 'a' }]);
    const err = (await coll.insertOne({ shop: 's1', sku: 'a' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect(err.keyPattern).toEqual({ shop: 1, sku: 1 });
    expect(err.keyValue).toEqual({ shop: 's1', sku: 'a' });
    expect(err.errmsg).toBe(
      `E11000 duplicate key error collection: ${h.db.databaseName}.${coll.collectionName} index: shop_1_sku_1 dup key: { shop: "s1", sku: "a" }`,
    );
  });

  it('apply to updates and upserts, and bulkWrite surfaces them as MongoBulkWriteError', async () => {
    await coll.createIndex({ name: 1 }, { unique: true });
    await coll.insertMany([{ name: 'x' }, { name: 'y' }]);
    const update = (await coll.updateOne({ name: 'y' }, { $set: { name: 'x' } }).catch((e: unknown) => e)) as MongoServerError;
    expect(update.code).toBe(11000);
    const bulk = (await coll
      .bulkWrite(
        [
          { updateOne: { filter: { name: 'z' }, update: { $set: { v: 1 } }, upsert: true } },
          { updateOne: { filter: { name: 'y' }, update: { $set: { name: 'x' } } } },
          { insertOne: { document: { name: 'y' } } },
          { updateOne: { filter: { name: 'w' }, update: { $set: { v: 2 } }, upsert: true } },
        ],
        { ordered: false },
      )
      .catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    // The driver sends unordered inserts and updates as separate commands, so sort by index.
    const errors = writeErrors(bulk).sort((a, b) => a.index - b.index);
    expect(errors.map((w) => [w.index, w.code])).toEqual([[1, 11000], [2, 11000]]);
    expect(errors[0].errmsg).toContain('index: name_1 dup key: { name: "x" }');
    expect(errors[1].errmsg).toContain('index: name_1 dup key: { name: "y" }');
    expect(bulk.result.upsertedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(4);
  });

  it('building a unique index over duplicates fails', async () => {
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    const err = (await coll.createIndex({ k: 1 }, { unique: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('sparse unique indexes ignore documents without the field', async () => {
    await coll.createIndex({ code: 1 }, { unique: true, sparse: true });
    await coll.insertMany([{ a: 1 }, { a: 2 }, { code: 'c' }]);
    expect(await coll.countDocuments()).toBe(3);
    const err = (await coll.insertOne({ code: 'c' }).catch((e: unknown) => e)) as MongoServerError;
    expect(err.code).toBe(11000);
  });

  it('serve equality lookups on many documents', async () => {
    await coll.createIndex({ key: 1 }, { unique: true });
    await coll.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ key: `k${i}`, v: i })));
    const ops = Array.from({ length: 5_000 }, (_, i) => ({
      updateOne: { filter: { key: `k${i * 4}` }, update: { $inc: { v: 1 } }, upsert: true },
    }));
    const res = await coll.bulkWrite(ops, { ordered: false });
    expect([res.matchedCount, res.modifiedCount]).toEqual([5_000, 5_000]);
    expect(await coll.findOne({ key: 'k400' }, { projection: { _id: 0 } })).toEqual({ key: 'k400', v: 401 });
  });

  it('bulk writes by a compound unique key, by _id and by $in give what a scan would', async () => {
    await coll.createIndex({ order_id: 1, shop: 1 }, { unique: true });
    await coll.createIndex({ tags: 1 });
    await coll.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: i, order_id: `o${i}`, shop: i % 2 ? 'a' : 'b', tags: [`t${i % 5}`, 'all'], v: 0 })));
    const res = await coll.bulkWrite(
      [
        // Pinned by the unique key, with a condition the index does not cover: matched only where it holds.
        ...Array.from({ length: 100 }, (_, i) => ({ updateOne: { filter: { order_id: `o${i}`, shop: i % 2 ? 'a' : 'b', $or: [{ v: { $lt: 1 } }, { v: { $exists: false } }] }, update: { $inc: { v: 1 } } } })),
        { updateOne: { filter: { order_id: 'o0', shop: 'a' }, update: { $inc: { v: 100 } } } },
        { updateMany: { filter: { _id: { $in: Array.from({ length: 50 }, (_, i) => i * 10) } }, update: { $inc: { v: 10 } } } },
        { updateMany: { filter: { order_id: { $in: ['o1', 'o3', 'o3', 'o5', 'o1999', 'nope'] }, shop: { $in: ['a', 'b'] } }, update: { $set: { seen: true } } } },
      ],
      { ordered: false },
    );
    expect([res.matchedCount, res.modifiedCount]).toEqual([100 + 0 + 50 + 4, 154]);
    expect(await coll.countDocuments({ v: 11 })).toBe(10);
    expect(await coll.countDocuments({ v: 10 })).toBe(40);
    expect(await coll.countDocuments({ seen: true })).toBe(4);
    // A multikey index looked up under several keys names each document once.
    expect(await coll.countDocuments({ tags: { $in: ['t1', 'all', 't2'] } })).toBe(2_000);
    expect(await coll.countDocuments({ tags: { $in: ['t1', 't2'] }, v: 1 })).toBe(40);
  });
});
