import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal128, MongoClient, MongoServerError, type Collection } from 'mongodb';
import { bulkUpsert } from '../../../plugins/mongo';
import { MongoTestServer } from '../../../plugins/mongo/server';

interface Product {
  shop: string;
  sku: string;
  price?: Decimal128 | number;
  ean?: string;
  name?: string;
}

let server: MongoTestServer;
let client: MongoClient;
let products: Collection<Product>;

beforeAll(async () => {
  server = await MongoTestServer.start();
  client = new MongoClient(server.uri);
});
afterAll(async () => {
  await client.close();
  await server.stop();
});
beforeEach(async (ctx) => {
  server.faults.clear();
  products = client.db('plugin_bulk').collection<Product>(ctx.task.name.replace(/\W+/g, '_').slice(0, 40));
  await products.createIndex({ shop: 1, sku: 1 }, { unique: true });
});

const batch = (n: number, price = 10): Product[] =>
  Array.from({ length: n }, (_, i) => ({ shop: 's1', sku: `sku-${i}`, price: Decimal128.fromString(`${price + i}.50`), name: `P${i}` }));

describe('bulkUpsert', () => {
  it('is idempotent: the same batch twice leaves everything unchanged', async () => {
    const first = await bulkUpsert(products, batch(2_500), ['shop', 'sku']);
    expect(first).toEqual({ inserted: 2_500, updated: 0, unchanged: 0, errors: [] });
    const second = await bulkUpsert(products, batch(2_500), ['shop', 'sku']);
    expect(second).toEqual({ inserted: 0, updated: 0, unchanged: 2_500, errors: [] });
    expect(await products.countDocuments()).toBe(2_500);
  });

  it('counts inserts, updates and unchanged documents in one run', async () => {
    await bulkUpsert(products, batch(10), ['shop', 'sku']);
    const changed = batch(12).map((p, i) => (i < 3 ? { ...p, name: `renamed ${i}` } : p));
    const res = await bulkUpsert(products, changed, ['shop', 'sku'], { batchSize: 5 });
    expect(res).toEqual({ inserted: 2, updated: 3, unchanged: 7, errors: [] });
    expect(await products.findOne({ sku: 'sku-1' }, { projection: { _id: 0, name: 1 } })).toEqual({ name: 'renamed 1' });
  });

  it('reports unique-key violations per document and writes the rest', async () => {
    await products.createIndex({ ean: 1 }, { unique: true, sparse: true });
    const docs: Product[] = [
      { shop: 's1', sku: 'a', ean: '111' },
      { shop: 's1', sku: 'b', ean: '111' },
      { shop: 's1', sku: 'c', ean: '222' },
      { shop: 's1', sku: 'd', ean: '222' },
      { shop: 's1', sku: 'e' },
    ];
    const res = await bulkUpsert(products, docs, ['shop', 'sku']);
    expect(res.inserted).toBe(3);
    expect(res.errors.map((e) => [e.index, e.code, e.key])).toEqual([
      [1, 11000, { shop: 's1', sku: 'b' }],
      [3, 11000, { shop: 's1', sku: 'd' }],
    ]);
    expect(res.errors[0].message).toContain('dup key: { ean: "111" }');
  });

  it('rejects documents without their key before writing, without throwing', async () => {
    const docs = [{ shop: 's1', sku: 'x' }, { shop: 's1' } as Product, { shop: 's1', sku: null } as unknown as Product];
    const res = await bulkUpsert(products, docs, ['shop', 'sku']);
    expect(res.inserted).toBe(1);
    expect(res.errors).toEqual([
      { index: 1, key: { shop: 's1' }, code: 2, message: 'missing key field(s): sku' },
      { index: 2, key: { shop: 's1' }, code: 2, message: 'missing key field(s): sku' },
    ]);
  });

  it('keeps _id for inserts only and accepts a single key field', async () => {
    const byEan = client.db('plugin_bulk').collection<{ _id?: string; ean: string; v: number }>('by_ean');
    await bulkUpsert(byEan, [{ _id: 'fixed', ean: 'e1', v: 1 }], 'ean');
    const res = await bulkUpsert(byEan, [{ _id: 'other', ean: 'e1', v: 2 }], 'ean');
    expect(res).toMatchObject({ updated: 1, errors: [] });
    expect(await byEan.findOne({ ean: 'e1' })).toEqual({ _id: 'fixed', ean: 'e1', v: 2 });
  });

  it('throws for command-level failures instead of reporting them per document', async () => {
    server.faults.failNextWrites(1, { code: 112, errmsg: 'injected' });
    await expect(bulkUpsert(products, batch(3), ['shop', 'sku'])).rejects.toBeInstanceOf(MongoServerError);
  });
});
