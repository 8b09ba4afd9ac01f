import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoServerError, type Document } from 'mongodb';
import { openHarness, type MongoHarness, type TestDoc } from './harness';

let h: MongoHarness;

const ORDERS = [
  { _id: 1, customer: 'c1', status: 'paid', total: 30, items: ['pen', 'ink'] },
  { _id: 2, customer: 'c2', status: 'paid', total: 10, items: ['pad'] },
  { _id: 3, customer: 'c1', status: 'open', total: 5, items: [] },
  { _id: 4, customer: 'c3', status: 'paid', total: 25, items: ['pen'] },
  { _id: 5, customer: 'c1', status: 'paid', total: 15 },
];
const CUSTOMERS = [
  { _id: 'c1', name: 'Ann' },
  { _id: 'c2', name: 'Bob' },
];

beforeAll(async () => {
  h = await openHarness('aggregate');
  await h.db.collection<TestDoc>('orders').insertMany(ORDERS);
  await h.db.collection<TestDoc>('customers').insertMany(CUSTOMERS);
});
afterAll(async () => {
  await h.close();
});

const run = (pipeline: Document[], coll = 'orders'): Promise<Document[]> => h.db.collection(coll).aggregate(pipeline).toArray();

describe('aggregate', () => {
  it('$match + $group with $sum/$avg/$min/$max/$push/$first + $sort', async () => {
    const out = await run([
      { $match: { status: 'paid' } },
      { $sort: { _id: 1 } },
      {
        $group: {
          _id: '$customer',
          total: { $sum: '$total' },
          orders: { $sum: 1 },
          avg: { $avg: '$total' },
          min: { $min: '$total' },
          max: { $max: '$total' },
          ids: { $push: '$_id' },
          first: { $first: '$_id' },
        },
      },
      { $sort: { total: -1, _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: 'c1', total: 45, orders: 2, avg: 22.5, min: 15, max: 30, ids: [1, 5], first: 1 },
      { _id: 'c3', total: 25, orders: 1, avg: 25, min: 25, max: 25, ids: [4], first: 4 },
      { _id: 'c2', total: 10, orders: 1, avg: 10, min: 10, max: 10, ids: [2], first: 2 },
    ]);
  });

  it('$project with expressions, $skip, $limit and $count', async () => {
    const projected = await run([
      { $sort: { _id: 1 } },
      { $skip: 1 },
      { $limit: 2 },
      { $project: { _id: 0, id: '$_id', doubled: { $multiply: ['$total', 2] }, label: { $concat: ['$customer', '-', '$status'] } } },
    ]);
    expect(projected).toEqual([
      { id: 2, doubled: 20, label: 'c2-paid' },
      { id: 3, doubled: 10, label: 'c1-open' },
    ]);
    expect(await run([{ $match: { total: { $gte: 15 } } }, { $count: 'n' }])).toEqual([{ n: 3 }]);
    expect(await run([{ $match: { total: 999 } }, { $count: 'n' }])).toEqual([]);
  });

  it('$unwind with and without preserveNullAndEmptyArrays', async () => {
    const plain = await run([{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]);
    expect(plain).toEqual([{ _id: 'ink', n: 1 }, { _id: 'pad', n: 1 }, { _id: 'pen', n: 2 }]);
    const kept = await run([{ $unwind: { path: '$items', preserveNullAndEmptyArrays: true } }, { $count: 'n' }]);
    expect(kept).toEqual([{ n: 6 }]);
  });

  it('$lookup joins by localField/foreignField', async () => {
    const out = await run([
      { $match: { _id: { $in: [1, 4] } } },
      { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
      { $project: { _id: 1, who: 1 } },
      { $sort: { _id: 1 } },
    ]);
    expect(out).toEqual([
      { _id: 1, who: [{ _id: 'c1', name: 'Ann' }] },
      { _id: 4, who: [] },
    ]);
  });

  it('countDocuments runs as an aggregate and an empty collection aggregates to nothing', async () => {
    expect(await h.db.collection('orders').countDocuments({ customer: 'c1' })).toBe(3);
    expect(await run([{ $group: { _id: null, n: { $sum: 1 } } }], 'nothing_here')).toEqual([]);
  });

  it('unknown stages fail', async () => {
    const err = await run([{ $bogus: {} }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(40324);
  });
});
