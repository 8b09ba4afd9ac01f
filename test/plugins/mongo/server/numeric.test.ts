import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal128, Long, type Collection, type Document } from 'mongodb';
import { openHarness, type MongoHarness, type TestDoc } from './harness';

let h: MongoHarness;
let coll: Collection<TestDoc>;

const dec = (s: string): Decimal128 => Decimal128.fromString(s);

const VALUES: Array<[string, unknown]> = [
  ['d-10', dec('-10')],
  ['d-1.5', dec('-1.5')],
  ['d0.001', dec('0.001')],
  ['d1.5', dec('1.5')],
  ['d1.50', dec('1.50')],
  ['d1E+2', dec('1E+2')],
  ['d2', dec('2')],
  ['n2.5', 2.5],
  ['i3', 3],
  ['l7', Long.fromNumber(7)],
  ['n-3', -3],
];

beforeAll(async () => {
  h = await openHarness('numeric');
  coll = h.db.collection('nums');
  await coll.insertMany(VALUES.map(([_id, v]) => ({ _id, v })));
});
afterAll(async () => {
  await h.close();
});

const ids = async (filter: Document): Promise<string[]> =>
  (await coll.find(filter).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id as unknown as string);

describe('Decimal128 and Long', () => {
  it('sort numerically across decimal, double, int and long, negatives and exponents included', async () => {
    expect(await ids({})).toEqual(['d-10', 'n-3', 'd-1.5', 'd0.001', 'd1.5', 'd1.50', 'd2', 'n2.5', 'i3', 'l7', 'd1E+2']);
    const desc = await coll.find({}).sort({ v: -1, _id: 1 }).limit(3).toArray();
    expect(desc.map((d) => d._id)).toEqual(['d1E+2', 'l7', 'i3']);
  });

  it('compare by value: 1.5 == 1.50, 1E+2 == 100', async () => {
    expect(await ids({ v: dec('1.5') })).toEqual(['d1.5', 'd1.50']);
    expect(await ids({ v: 1.5 })).toEqual(['d1.5', 'd1.50']);
    expect(await ids({ v: 100 })).toEqual(['d1E+2']);
    expect(await ids({ v: { $gt: dec('2'), $lt: Long.fromNumber(50) } })).toEqual(['n2.5', 'i3', 'l7']);
    expect(await ids({ v: { $in: [dec('-10.0'), -3] } })).toEqual(['d-10', 'n-3']);
  });

  it('$inc keeps Decimal128 and Long types', async () => {
    const c = h.db.collection<TestDoc>('inc');
    await c.insertOne({ _id: 'x', price: dec('1.50'), n: Long.fromNumber(2 ** 40), i: 5 });
    await c.updateOne({ _id: 'x' }, { $inc: { price: dec('0.25'), n: 1, i: Long.fromNumber(1) } });
    await c.updateOne({ _id: 'x' }, { $inc: { price: -3 } });
    const doc = await c.findOne({ _id: 'x' }, { promoteLongs: false });
    expect(doc?.price).toBeInstanceOf(Decimal128);
    expect(doc?.price.toString()).toBe('-1.25');
    expect(doc?.n).toBeInstanceOf(Long);
    expect(doc?.n.toString()).toBe(String(2 ** 40 + 1));
    expect(doc?.i).toBeInstanceOf(Long);
    expect(doc?.i.toString()).toBe('6');
  });

  it('$sum of Decimal128 stays Decimal128; $min/$max compare numerically', async () => {
    const [row] = await h.db
      .collection('nums')
      .aggregate([
        { $match: { _id: { $in: ['d-1.5', 'd1.50', 'd0.001', 'd1E+2'] } } },
        { $group: { _id: null, sum: { $sum: '$v' }, min: { $min: '$v' }, max: { $max: '$v' } } },
      ])
      .toArray();
    expect(row.sum).toBeInstanceOf(Decimal128);
    expect(Number(row.sum.toString())).toBeCloseTo(100.001, 9);
    expect(row.min.toString()).toBe('-1.5');
    expect(row.max.toString()).toBe('1E+2');
  });

  it('$sum of Longs stays Long', async () => {
    const c = h.db.collection('longs');
    await c.insertMany([{ v: Long.fromString('9007199254740993') }, { v: Long.fromNumber(1) }]);
    const [row] = await c.aggregate([{ $group: { _id: null, s: { $sum: '$v' } } }], { promoteLongs: false }).toArray();
    expect(row.s).toBeInstanceOf(Long);
    expect(row.s.toString()).toBe('9007199254740994');
  });
});
