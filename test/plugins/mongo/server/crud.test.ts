import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal128, Long, MongoBulkWriteError, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { openHarness, type MongoHarness, type TestDoc } from './harness';

let h: MongoHarness;
let coll: Collection<TestDoc>;

beforeAll(async () => {
  h = await openHarness('crud');
});
afterAll(async () => {
  await h.close();
});
beforeEach(async (ctx) => {
  coll = h.db.collection(ctx.task.name.replace(/\W+/g, '_').slice(0, 50));
});

describe('insert', () => {
  it('stores documents with _id first and generates ObjectIds', async () => {
    const res = await coll.insertMany([{ a: 1 }, { b: 2, _id: 'given' }]);
    expect(res.insertedCount).toBe(2);
    expect(res.insertedIds[0]).toBeInstanceOf(ObjectId);
    const docs = await coll.find().toArray();
    expect(docs.map((d) => Object.keys(d)[0])).toEqual(['_id', '_id']);
    expect(docs[1]).toEqual({ _id: 'given', b: 2 });
  });

  it('rejects a duplicate _id with the mongod error shape', async () => {
    await coll.insertOne({ _id: 7, v: 1 });
    const err = await coll.insertOne({ _id: 7, v: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    const e = err as MongoServerError;
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ _id: 1 });
    expect(e.keyValue).toEqual({ _id: 7 });
    expect(e.errmsg).toBe(`E11000 duplicate key error collection: ${h.db.databaseName}.${coll.collectionName} index: _id_ dup key: { _id: 7 }`);
  });

  it('ordered inserts stop at the first error, unordered ones continue', async () => {
    const docs = () => [{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }];
    const ordered = await coll.insertMany(docs()).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect((ordered as MongoBulkWriteError).insertedCount).toBe(1);
    expect((ordered as MongoBulkWriteError).writeErrors).toHaveLength(1);
    await coll.deleteMany({});
    const unordered = (await coll.insertMany(docs(), { ordered: false }).catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(unordered.insertedCount).toBe(3);
    const errors = Array.isArray(unordered.writeErrors) ? unordered.writeErrors : [unordered.writeErrors];
    expect(errors.map((w) => [w.index, w.code])).toEqual([[1, 11000], [3, 11000]]);
    expect(await coll.countDocuments()).toBe(3);
  });
});

describe('update operators', () => {
  it('$set, $inc, $unset and $setOnInsert on upsert', async () => {
    const up = await coll.updateOne({ k: 'a' }, { $set: { v: 1 }, $setOnInsert: { created: true }, $inc: { n: 2 } }, { upsert: true });
    expect(up.upsertedCount).toBe(1);
    expect(await coll.findOne({ k: 'a' }, { projection: { _id: 0 } })).toEqual({ k: 'a', v: 1, created: true, n: 2 });
    const again = await coll.updateOne({ k: 'a' }, { $set: { v: 1 }, $setOnInsert: { created: false } }, { upsert: true });
    expect([again.matchedCount, again.modifiedCount, again.upsertedCount]).toEqual([1, 0, 0]);
    await coll.updateOne({ k: 'a' }, { $inc: { n: 3, 'nested.count': 1 }, $unset: { created: '' } });
    expect(await coll.findOne({ k: 'a' }, { projection: { _id: 0 } })).toEqual({ k: 'a', v: 1, n: 5, nested: { count: 1 } });
  });

  it('multi updates report matched and modified counts', async () => {
    await coll.insertMany([{ g: 1, v: 0 }, { g: 1, v: 1 }, { g: 2, v: 0 }]);
    const res = await coll.updateMany({ g: 1 }, { $set: { v: 1 } });
    expect([res.matchedCount, res.modifiedCount]).toEqual([2, 1]);
  });

  it('$push with $each, $addToSet and $pull', async () => {
    const arrays = h.db.collection<{ _id: number; tags: string[]; scores: number[] }>(coll.collectionName);
    await arrays.insertOne({ _id: 1, tags: ['a'], scores: [1, 5, 9] });
    await arrays.updateOne({ _id: 1 }, { $push: { tags: { $each: ['b', 'c'] } } });
    await arrays.updateOne({ _id: 1 }, { $addToSet: { tags: { $each: ['a', 'd'] } } });
    await arrays.updateOne({ _id: 1 }, { $pull: { scores: { $gte: 5 } } });
    expect(await arrays.findOne({ _id: 1 })).toEqual({ _id: 1, tags: ['a', 'b', 'c', 'd'], scores: [1] });
  });

  it('$addToSet and $pullAll compare with query equality across number kinds, documents and arrays', async () => {
    const oid = new ObjectId();
    const day = new Date('2024-03-01T00:00:00Z');
    await coll.insertOne({ _id: 1, vals: [1, 'x', oid, { a: 1 }, ['p'], day, null] });
    const many = Array.from({ length: 20 }, (_, i) => `n${i % 10}`);
    await coll.updateOne({ _id: 1 }, {
      $addToSet: { vals: { $each: [Long.fromNumber(1), 1.0, Decimal128.fromString('1.00'), '1', new ObjectId(oid.toHexString()), { a: 1 }, { a: 1.0, b: 2 }, ['p'], new Date(day.getTime()), null, false, ...many] } },
    });
    const stored = (await coll.findOne({ _id: 1 }))?.vals as unknown[];
    expect(stored.slice(0, 10)).toEqual([1, 'x', oid, { a: 1 }, ['p'], day, null, '1', { a: 1, b: 2 }, false]);
    expect(stored.slice(10)).toEqual(many.slice(0, 10));
    const pullAll: Document = { $pullAll: { vals: [Decimal128.fromString('1.0'), { a: 1 }, ['p'], null, new Date(day.getTime()), ...many.slice(0, 9)] } };
    await coll.updateOne({ _id: 1 }, pullAll);
    expect((await coll.findOne({ _id: 1 }))?.vals).toEqual(['x', oid, '1', { a: 1, b: 2 }, false, 'n9']);
  });

  it('positional $ and arrayFilters', async () => {
    await coll.insertOne({ _id: 1, items: [{ sku: 'x', qty: 1 }, { sku: 'y', qty: 2 }, { sku: 'z', qty: 7 }] });
    await coll.updateOne({ _id: 1, 'items.sku': 'y' }, { $set: { 'items.$.qty': 20 } });
    await coll.updateOne({ _id: 1 }, { $inc: { 'items.$[big].qty': 100 } }, { arrayFilters: [{ 'big.qty': { $gte: 5 } }] });
    const doc = await coll.findOne({ _id: 1 });
    expect(doc?.items).toEqual([{ sku: 'x', qty: 1 }, { sku: 'y', qty: 120 }, { sku: 'z', qty: 107 }]);
  });

  it('rejects unknown modifiers and $inc on strings', async () => {
    await coll.insertOne({ _id: 1, s: 'text' });
    const bad = await coll.updateOne({ _id: 1 }, { $inc: { s: 1 } }).catch((e: unknown) => e);
    expect((bad as MongoServerError).code).toBe(14);
    const unknown = await h.db.command({ update: coll.collectionName, updates: [{ q: {}, u: { $bogus: { a: 1 } } }] });
    expect(unknown.writeErrors[0].code).toBe(9);
  });

  it('validates updates even when nothing matches, and creates no collection without upsert', async () => {
    const name = `${coll.collectionName}_absent`;
    const unknown = await h.db.command({ update: name, updates: [{ q: { x: 1 }, u: { $bogus: { a: 1 } } }] });
    expect(unknown.writeErrors[0].code).toBe(9);
    const res = await h.db.collection(name).updateOne({ x: 1 }, { $set: { a: 1 } });
    expect([res.matchedCount, res.upsertedCount]).toEqual([0, 0]);
    expect(await h.db.listCollections({ name }).toArray()).toEqual([]);
  });

  it('replaceOne keeps _id and rejects changing it', async () => {
    await coll.insertOne({ _id: 1, a: 1, b: 2 });
    await coll.replaceOne({ _id: 1 }, { c: 3 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3 });
    const err = await coll.replaceOne({ _id: 1 }, { _id: 2, c: 3 }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(66);
  });
});

describe('delete', () => {
  it('deleteOne removes one match, deleteMany all', async () => {
    await coll.insertMany([{ g: 1 }, { g: 1 }, { g: 1 }, { g: 2 }]);
    expect((await coll.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({ g: 1 })).deletedCount).toBe(2);
    expect((await coll.deleteMany({ nothing: true })).deletedCount).toBe(0);
    expect(await coll.countDocuments()).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after, honours sort and projection', async () => {
    await coll.insertMany([{ q: 'job', p: 1 }, { q: 'job', p: 5 }, { q: 'job', p: 3 }]);
    const before = await coll.findOneAndUpdate({ q: 'job' }, { $set: { taken: true } }, { sort: { p: -1 }, projection: { _id: 0 } });
    expect(before).toEqual({ q: 'job', p: 5 });
    const after = await coll.findOneAndUpdate({ q: 'job', taken: { $exists: false } }, { $inc: { p: 10 } }, { sort: { p: 1 }, returnDocument: 'after', projection: { _id: 0, p: 1 } });
    expect(after).toEqual({ p: 11 });
  });

  it('upserts, replaces and deletes', async () => {
    const meta = await coll.findOneAndUpdate({ k: 1 }, { $set: { v: 'new' } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(meta.lastErrorObject?.updatedExisting).toBe(false);
    expect(meta.lastErrorObject?.upserted).toBeDefined();
    expect(meta.value).toMatchObject({ k: 1, v: 'new' });
    const replaced = await coll.findOneAndReplace({ k: 1 }, { k: 1, v: 'replaced' }, { returnDocument: 'after' });
    expect(replaced).toMatchObject({ k: 1, v: 'replaced' });
    const deleted = await coll.findOneAndDelete({ k: 1 });
    expect(deleted?.v).toBe('replaced');
    expect(await coll.findOneAndDelete({ k: 1 })).toBeNull();
  });
});
