import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSONRegExp, Decimal128, Double, Int32, Long, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { openHarness, type MongoHarness, type TestDoc } from './harness';

let h: MongoHarness;
let people: Collection<TestDoc>;

const PEOPLE = [
  { _id: 1, name: 'ann', age: 31, city: 'Hanoi', tags: ['a', 'b'], pets: [{ kind: 'cat', age: 3 }] },
  { _id: 2, name: 'bob', age: 25, city: 'Hue', tags: ['b'], pets: [] },
  { _id: 3, name: 'cid', age: 31, city: 'Hue', tags: [], pets: [{ kind: 'dog', age: 9 }, { kind: 'cat', age: 1 }] },
  { _id: 4, name: 'dan', age: 40, city: null, tags: ['c', 'a', 'd'] },
  { _id: 5, name: 'eve', age: 25 },
];

beforeAll(async () => {
  h = await openHarness('query');
  people = h.db.collection('people');
  await people.insertMany(PEOPLE.map((p) => ({ ...p })));
});
afterAll(async () => {
  await h.close();
});

const ids = async (filter: Document, sort: Document = { _id: 1 }): Promise<unknown[]> =>
  (await people.find(filter).sort(sort).toArray()).map((d) => d._id);

describe('filters', () => {
  it('comparison, $in, $nin, $ne and $exists', async () => {
    expect(await ids({ age: { $gt: 25, $lte: 31 } })).toEqual([1, 3]);
    expect(await ids({ name: { $in: ['bob', 'eve', 'zed'] } })).toEqual([2, 5]);
    expect(await ids({ age: { $nin: [25, 31] } })).toEqual([4]);
    expect(await ids({ city: { $ne: 'Hue' } })).toEqual([1, 4, 5]);
    expect(await ids({ city: { $exists: false } })).toEqual([5]);
    expect(await ids({ city: null })).toEqual([4, 5]);
  });

  it('arrays, dotted paths, $elemMatch, $size, $all', async () => {
    expect(await ids({ tags: 'a' })).toEqual([1, 4]);
    expect(await ids({ tags: ['b'] })).toEqual([2]);
    expect(await ids({ 'pets.kind': 'cat' })).toEqual([1, 3]);
    expect(await ids({ pets: { $elemMatch: { kind: 'cat', age: { $gt: 2 } } } })).toEqual([1]);
    expect(await ids({ 'pets.kind': 'cat', 'pets.age': { $gt: 5 } })).toEqual([3]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ tags: { $all: ['a', 'c'] } })).toEqual([4]);
  });

  it('logical operators, $regex, $not and $expr', async () => {
    expect(await ids({ $or: [{ age: 40 }, { name: 'bob' }] })).toEqual([2, 4]);
    expect(await ids({ $and: [{ age: 25 }, { tags: { $exists: true } }] })).toEqual([2]);
    expect(await ids({ $nor: [{ age: 25 }, { age: 31 }] })).toEqual([4]);
    expect(await ids({ name: { $regex: '^[ab]' } })).toEqual([1, 2]);
    expect(await ids({ name: /^E/i })).toEqual([5]);
    expect(await ids({ age: { $not: { $gte: 30 } } })).toEqual([2, 5]);
    expect(await ids({ $expr: { $gt: ['$age', 35] } })).toEqual([4]);
  });

  it('rejects unknown operators with BadValue', async () => {
    const err = await people.find({ age: { $bogus: 1 } }).toArray().catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(2);
  });
});

describe('$in and $nin over mixed BSON values', () => {
  const OID = new ObjectId();
  const DAY = new Date('2024-03-01T00:00:00Z');
  const MIXED = [
    { _id: 'int', v: 1 },
    { _id: 'double', v: 2.5 },
    { _id: 'long', v: Long.fromNumber(3) },
    { _id: 'decimal', v: Decimal128.fromString('4.0') },
    { _id: 'str', v: '1' },
    { _id: 'bool', v: true },
    { _id: 'null', v: null },
    { _id: 'missing' },
    { _id: 'oid', v: OID },
    { _id: 'date', v: DAY },
    { _id: 'arr', v: ['x', 7] },
    { _id: 'nested', v: [['p', 'q']] },
    { _id: 'doc', v: { a: 1, b: 'c' } },
    { _id: 'text', v: 'abcdef' },
  ];
  let mixed: Collection<TestDoc>;
  /** Values no document holds: they push a list past the short-list path to the hashed one. */
  const FILLER = [...Array.from({ length: 12 }, (_, i) => `zz${i}`), 1000, 1000.5, new ObjectId(), new Date(0), false, ['no'], { a: 2 }];
  const matched = async (filter: Document): Promise<unknown[]> => (await mixed.find(filter).toArray()).map((d) => d._id).sort();
  /** The same condition with the list as given and padded with filler: both must give `expected`. */
  const both = async (op: '$in' | '$nin', values: unknown[], expected: string[]): Promise<void> => {
    expect(await matched({ v: { [op]: values } })).toEqual([...expected].sort());
    expect(await matched({ v: { [op]: [...FILLER.slice(0, 6), ...values, ...FILLER.slice(6)] } })).toEqual([...expected].sort());
  };

  beforeAll(async () => {
    mixed = h.db.collection('mixed');
    await mixed.insertMany(MIXED.map((d) => ({ ...d })));
  });

  it('numbers are equal across int, long, double and decimal, and never equal strings', async () => {
    await both('$in', [Decimal128.fromString('1.00'), new Double(2.5), new Int32(3), Long.fromNumber(4)], ['int', 'double', 'long', 'decimal']);
    await both('$in', [1.0], ['int']);
    await both('$in', ['1', 'abcdef'], ['str', 'text']);
  });

  it('null matches null and missing; booleans, ObjectIds and dates match by value', async () => {
    await both('$in', [null], ['null', 'missing']);
    await both('$in', [true, new ObjectId(OID.toHexString()), new Date(DAY.getTime())], ['bool', 'oid', 'date']);
  });

  it('array fields match on any element or as a whole; documents match whole', async () => {
    await both('$in', [7], ['arr']);
    await both('$in', [['x', 7]], ['arr']);
    await both('$in', [['p', 'q']], ['nested']);
    await both('$in', [{ a: 1, b: 'c' }], ['doc']);
    await both('$in', [{ b: 'c', a: 1 }], []);
  });

  it('regex elements match strings and array elements', async () => {
    await both('$in', [/^abc/, new BSONRegExp('^X$', 'i')], ['text', 'arr']);
  });

  it('$nin is the complement, missing and null included', async () => {
    const all = MIXED.map((d) => d._id);
    await both('$nin', [1, null, 'x', /^abc/], all.filter((id) => !['int', 'null', 'missing', 'arr', 'text'].includes(id)));
    await both('$nin', [], all);
  });

  it('an _id $in that names one document in several number kinds returns it once', async () => {
    const nums = h.db.collection<TestDoc>('nums');
    await nums.insertMany([{ _id: 1, k: 'a' }, { _id: 2, k: 'b' }]);
    await nums.createIndex({ k: 1 });
    const oneInFourKinds: Document = { _id: { $in: [1, 1.0, Long.fromNumber(1), Decimal128.fromString('1.0')] } };
    expect(await nums.find(oneInFourKinds).toArray()).toEqual([{ _id: 1, k: 'a' }]);
    expect(await nums.countDocuments({ k: { $in: ['a', 'a', 'b'] } })).toBe(2);
  });
});

describe('projection, sort, skip and limit', () => {
  it('inclusion and exclusion projections', async () => {
    expect(await people.findOne({ _id: 1 }, { projection: { name: 1 } })).toEqual({ _id: 1, name: 'ann' });
    expect(await people.findOne({ _id: 1 }, { projection: { name: 1, 'pets.kind': 1, _id: 0 } })).toEqual({ name: 'ann', pets: [{ kind: 'cat' }] });
    expect(await people.findOne({ _id: 2 }, { projection: { tags: 0, pets: 0, city: 0 } })).toEqual({ _id: 2, name: 'bob', age: 25 });
    expect(await people.findOne({ _id: 4 }, { projection: { tags: { $slice: 2 }, _id: 0, name: 1 } })).toEqual({ name: 'dan', tags: ['c', 'a'] });
  });

  it('sorts on several keys with mixed directions', async () => {
    expect(await ids({}, { age: -1, name: 1 })).toEqual([4, 1, 3, 2, 5]);
    expect(await ids({}, { city: 1, _id: -1 })).toEqual([5, 4, 1, 3, 2]);
  });

  it('skip and limit', async () => {
    const page = await people.find({}).sort({ _id: 1 }).skip(1).limit(2).toArray();
    expect(page.map((d) => d._id)).toEqual([2, 3]);
  });
});

describe('count and distinct', () => {
  it('countDocuments, estimatedDocumentCount and the count command', async () => {
    expect(await people.countDocuments({ age: 31 })).toBe(2);
    expect(await people.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await people.estimatedDocumentCount()).toBe(5);
    expect((await h.db.command({ count: 'people', query: { age: 25 } })).n).toBe(2);
  });

  it('distinct unwinds arrays and honours the filter', async () => {
    expect((await people.distinct('tags')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((await people.distinct('city', { age: 31 })).sort()).toEqual(['Hanoi', 'Hue']);
    expect(await h.db.collection('missing').distinct('x')).toEqual([]);
  });
});

describe('cursors', () => {
  const TOTAL = 10_500;

  beforeAll(async () => {
    const big = h.db.collection<TestDoc>('big');
    const docs = Array.from({ length: TOTAL }, (_, i) => ({ _id: i, n: i % 100, pad: 'x'.repeat(20) }));
    await big.insertMany(docs);
  });

  it('batchSize + getMore walk 10,000+ documents in order', async () => {
    h.commands.length = 0;
    const docs = await h.db.collection<TestDoc>('big').find({}).sort({ _id: 1 }).batchSize(1000).toArray();
    expect(docs).toHaveLength(TOTAL);
    expect(docs.every((d, i) => d._id === i)).toBe(true);
    expect(h.commands.filter((c) => c.commandName === 'getMore')).toHaveLength(10);
  });

  it('default batches and limit over a large result', async () => {
    expect(await h.db.collection('big').find({ n: { $lt: 50 } }).toArray()).toHaveLength(TOTAL / 2);
    expect(await h.db.collection('big').find({}).limit(250).batchSize(100).toArray()).toHaveLength(250);
  });

  it('killCursors closes a cursor; getMore on it then fails with CursorNotFound', async () => {
    const cursor = h.db.collection('big').find({}).batchSize(5);
    await cursor.next();
    const id = cursor.id;
    expect(id?.isZero()).toBe(false);
    await cursor.close();
    const err = await h.db.command({ getMore: id, collection: 'big' }).catch((e: unknown) => e);
    expect((err as MongoServerError).code).toBe(43);
  });

  it('aggregate cursors page too', async () => {
    const docs = await h.db.collection('big').aggregate([{ $match: { n: 7 } }], { batchSize: 10 }).toArray();
    expect(docs).toHaveLength(TOTAL / 100);
  });
});
