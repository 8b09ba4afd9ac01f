/**
 * Deterministic shop data for the marketplace fakes: N orders a day over a range of days, with their details,
 * tracking, money, returns and products. The same spec always gives the same records, so a test can compare what
 * Sluice stored with what the fake holds.
 */
import { seededRandom } from '../../../plugins/seeded-random';

export interface ShopSpec {
  /** The platform's shop id (Shopee shop_id, Lazada seller id, TikTok shop id). */
  shopId: string;
  ordersPerDay: number;
  /** First and last day with orders (YYYY-MM-DD, days start at 00:00 +07:00). */
  from: string;
  to: string;
  products?: number;
  /** Every n-th order has a return. @defaultValue 10 */
  returnEvery?: number;
  /** Every n-th order comes back with malformed fields (0 = none). @defaultValue 0 */
  malformedEvery?: number;
  /** Region / country code. @defaultValue 'VN' */
  region?: string;
}

export interface GenOrder {
  idx: number;
  id: string;
  createdSec: number;
  updatedSec: number;
  status: string;
  currency: string;
  items: Array<{ itemId: string; sku: string; productId: string; name: string; qty: number; price: string }>;
  total: string;
  shippingFee: string;
  buyer: { name: string; phone: string; city: string };
  trackingNumber: string;
  malformed: boolean;
}

export interface GenReturn { id: string; orderId: string; createdSec: number; updatedSec: number; status: string; amount: string }
export interface GenTxn { id: string; orderId: string; createdSec: number; amount: string; fee: string; statementId: string }
export interface GenProduct { id: string; name: string; createdSec: number; updatedSec: number; price: string; status: string }

export interface ShopData {
  spec: ShopSpec;
  orders: GenOrder[];
  returns: GenReturn[];
  txns: GenTxn[];
  products: GenProduct[];
}

const DAY_S = 86_400;
const OFFSET_S = 7 * 3600;
const STATUSES = ['UNPAID', 'AWAITING_SHIPMENT', 'IN_TRANSIT', 'DELIVERED', 'COMPLETED', 'CANCELLED'];
const CITIES = ['Hà Nội', 'TP. Hồ Chí Minh', 'Đà Nẵng', 'Cần Thơ', 'Hải Phòng'];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function dayStartSec(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000 - OFFSET_S;
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

function makeOrder(spec: ShopSpec, idx: number, day: number, i: number, products: GenProduct[]): GenOrder {
  const r = seededRandom(hash(`${spec.shopId}:${idx}`));
  const createdSec = day + Math.floor(((i + 0.5) * DAY_S) / spec.ordersPerDay);
  const lines = 1 + Math.floor(r() * 3);
  const items = Array.from({ length: lines }, (_, k) => {
    const p = products.length ? products[Math.floor(r() * products.length)] : undefined;
    return { itemId: `${spec.shopId}${String(idx).padStart(7, '0')}${k}`, sku: `SKU-${Math.floor(r() * 900) + 100}`, productId: p?.id ?? `P${k}`, name: p?.name ?? `Item ${k}`, qty: 1 + Math.floor(r() * 3), price: money(1_000 + Math.floor(r() * 500_000)) };
  });
  const shippingFee = money(Math.floor(r() * 3_000_000));
  const totalCents = items.reduce((n, it) => n + Math.round(Number(it.price) * 100) * it.qty, 0) + Math.round(Number(shippingFee) * 100);
  return {
    idx, id: `${hash(spec.shopId) % 900 + 100}${String(idx).padStart(12, '0')}`, createdSec, updatedSec: createdSec + 600 + Math.floor(r() * 3600),
    status: STATUSES[Math.floor(r() * STATUSES.length)], currency: 'VND', items, total: money(totalCents), shippingFee,
    buyer: { name: `Khách ${idx}`, phone: `09${String(hash(`p${idx}`) % 1e8).padStart(8, '0')}`, city: CITIES[idx % CITIES.length] },
    trackingNumber: `VN${String(hash(`${spec.shopId}t${idx}`) % 1e10).padStart(10, '0')}`,
    malformed: !!spec.malformedEvery && idx % spec.malformedEvery === spec.malformedEvery - 1,
  };
}

function makeProducts(spec: ShopSpec): GenProduct[] {
  const base = dayStartSec(spec.from) - 30 * DAY_S;
  return Array.from({ length: spec.products ?? 0 }, (_, i) => {
    const r = seededRandom(hash(`${spec.shopId}:p${i}`));
    return { id: `${hash(spec.shopId) % 90 + 10}${String(i).padStart(9, '0')}`, name: `Sản phẩm ${i}`, createdSec: base, updatedSec: base + i * 60, price: money(10_000 + Math.floor(r() * 1_000_000)), status: 'ACTIVATE' };
  });
}

/** Builds the shop's records once; queries read them through binary searches on create time. */
export function generateShop(spec: ShopSpec): ShopData {
  const products = makeProducts(spec);
  const orders: GenOrder[] = [];
  const returns: GenReturn[] = [];
  const txns: GenTxn[] = [];
  const every = spec.returnEvery ?? 10;
  for (let day = dayStartSec(spec.from), last = dayStartSec(spec.to); day <= last; day += DAY_S) {
    for (let i = 0; i < spec.ordersPerDay; i++) {
      const o = makeOrder(spec, orders.length, day, i, products);
      orders.push(o);
      txns.push({ id: `T${o.id}`, orderId: o.id, createdSec: o.createdSec + 1800, amount: o.total, fee: money(Math.round(Number(o.total) * 4)), statementId: `ST${spec.shopId}${day}` });
      if (every > 0 && o.idx % every === every - 1) returns.push({ id: `R${o.id}`, orderId: o.id, createdSec: o.createdSec + 3600, updatedSec: o.createdSec + 7200, status: 'RETURN_OR_REFUND_REQUEST_PENDING', amount: o.items[0].price });
    }
  }
  return { spec, orders, returns, txns, products };
}

const indexes = new WeakMap<ShopData, { orders: number; byId: Map<string, GenOrder>; txnByOrder: Map<string, GenTxn> }>();

/** Orders by id and money lines by order id (built once per shop; rebuilt when orders were added). */
export function shopIndex(data: ShopData): { byId: Map<string, GenOrder>; txnByOrder: Map<string, GenTxn> } {
  let i = indexes.get(data);
  if (!i || i.orders !== data.orders.length) {
    i = { orders: data.orders.length, byId: new Map(data.orders.map((o) => [o.id, o])), txnByOrder: new Map(data.txns.map((t) => [t.orderId, t])) };
    indexes.set(data, i);
  }
  return i;
}

/** Index of the first record with `createdSec >= t` (records sorted by createdSec). */
export function lowerBound(list: ReadonlyArray<{ createdSec: number }>, t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].createdSec < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records created in [fromSec, toSec). */
export function createdBetween<T extends { createdSec: number }>(list: readonly T[], fromSec: number, toSec: number): T[] {
  return list.slice(lowerBound(list, fromSec), lowerBound(list, toSec));
}

/** Moves `n` products' update_time forward (a seller edited them). */
export function touchProducts(data: ShopData, n: number, bySec = 3600): string[] {
  const touched = data.products.slice(0, n);
  for (const p of touched) p.updatedSec += bySec;
  return touched.map((p) => p.id);
}
