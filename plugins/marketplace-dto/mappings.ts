/**
 * Platform record → common field names, per entity. A mapping returns the fields it produced and the raw keys it
 * consumed; every raw key it did not consume is stored as it came (no field silently dropped).
 */
import { at, dayTime, lazadaTime, moneyDeep, normalizeStatus, REGION_CURRENCY, type Raw } from './normalize';

export type Platform = 'tiktok' | 'shopee' | 'lazada';
export type Entity = 'orders' | 'order_tracking' | 'transactions' | 'returns' | 'products';

export interface Mapped {
  fields: Raw;
  consumed: string[];
  /** Problems found while mapping nested values. */
  errors: string[];
}

export interface MappingContext {
  region: string;
}

type Mapping = (raw: Raw, ctx: MappingContext, errors: string[]) => { fields: Raw; consumed: string[] };

function items(list: unknown, pick: (it: Raw) => Raw, errors: string[]): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((it, i) => moneyDeep(pick((it ?? {}) as Raw), `items[${i}]`, errors));
}

function events(list: unknown, pick: (e: Raw) => Raw): unknown {
  return Array.isArray(list) ? list.map((e) => pick((e ?? {}) as Raw)) : [];
}

const orders: Record<Platform, Mapping> = {
  tiktok: (r, _c, errors) => ({
    fields: {
      order_id: r.id, status: normalizeStatus(r.status), create_time: r.create_time, update_time: r.update_time, paid_time: r.paid_time,
      currency: at(r, 'payment.currency'), total_amount: at(r, 'payment.total_amount'), shipping_fee: at(r, 'payment.shipping_fee'),
      buyer_name: at(r, 'recipient_address.name'), buyer_phone: at(r, 'recipient_address.phone_number'), tracking_number: r.tracking_number,
      payment: moneyDeep(r.payment, 'payment', errors), recipient_address: r.recipient_address,
      items: items(r.line_items, (it) => ({ ...it, item_id: it.id, product_id: it.product_id, sku: it.seller_sku ?? it.sku_id, name: it.product_name, quantity: it.quantity ?? 1, unit_price: it.sale_price, original_price: it.original_price }), errors),
    },
    consumed: ['id', 'status', 'create_time', 'update_time', 'paid_time', 'payment', 'line_items', 'tracking_number', 'recipient_address'],
  }),
  shopee: (r, _c, errors) => ({
    fields: {
      order_id: r.order_sn, status: normalizeStatus(r.order_status), create_time: r.create_time, update_time: r.update_time, paid_time: r.pay_time,
      currency: r.currency, total_amount: r.total_amount, shipping_fee: r.actual_shipping_fee, buyer_name: at(r, 'recipient_address.name'), buyer_phone: at(r, 'recipient_address.phone'),
      recipient_address: r.recipient_address,
      items: items(r.item_list, (it) => ({ ...it, item_id: it.item_id, product_id: it.item_id, sku: it.model_sku, name: it.item_name, quantity: it.model_quantity_purchased, unit_price: it.model_discounted_price }), errors),
    },
    consumed: ['order_sn', 'order_status', 'create_time', 'update_time', 'pay_time', 'currency', 'total_amount', 'actual_shipping_fee', 'item_list', 'recipient_address'],
  }),
  lazada: (r, c, errors) => ({
    fields: {
      order_id: r.order_id, status: normalizeStatus(Array.isArray(r.statuses) ? r.statuses[0] : r.statuses), statuses: r.statuses,
      create_time: lazadaTime(r.created_at), update_time: lazadaTime(r.updated_at), currency: REGION_CURRENCY[c.region.toUpperCase()] ?? null,
      total_amount: r.price, shipping_fee: r.shipping_fee, buyer_name: r.customer_first_name, buyer_phone: at(r, 'address_shipping.phone'),
      items: items(r.order_items, (it) => ({ ...it, item_id: it.order_item_id, product_id: it.shop_sku, sku: it.sku, name: it.name, quantity: it.quantity ?? 1, unit_price: it.item_price, tracking_number: it.tracking_code }), errors),
    },
    consumed: ['order_id', 'statuses', 'created_at', 'updated_at', 'price', 'shipping_fee', 'order_items', 'customer_first_name'],
  }),
};

const tracking: Record<Platform, Mapping> = {
  tiktok: (r) => ({ fields: { order_id: r.order_id, events: events(r.tracking, (e) => ({ time: e.update_time_millis, description: e.description })) }, consumed: ['order_id', 'tracking'] }),
  shopee: (r) => ({
    fields: { order_id: r.order_sn, logistics_status: normalizeStatus(r.logistics_status), events: events(r.tracking_info, (e) => ({ time: e.update_time, description: e.description, status: normalizeStatus(e.logistics_status) })) },
    consumed: ['order_sn', 'logistics_status', 'tracking_info'],
  }),
  lazada: (r) => {
    const pkgs = Array.isArray(r.packages) ? (r.packages as Raw[]) : [];
    return {
      fields: { order_id: r.order_id, tracking_number: pkgs[0]?.tracking_number, events: pkgs.flatMap((p) => events(p.logistic_detail_info_list, (e) => ({ time: e.event_time, description: e.description, status: normalizeStatus(e.detail_type) })) as Raw[]), packages: r.packages },
      consumed: ['order_id', 'packages'],
    };
  },
};

const transactions: Record<Platform, Mapping> = {
  tiktok: (r) => ({
    fields: { transaction_id: r.id, order_id: r.order_id, type: normalizeStatus(r.type), amount: r.settlement_amount, fee_amount: r.fee_amount, revenue_amount: r.revenue_amount, currency: r.currency, transaction_time: r.statement_time, statement_id: r.statement_id },
    consumed: ['id', 'order_id', 'type', 'settlement_amount', 'fee_amount', 'revenue_amount', 'currency', 'statement_time', 'statement_id'],
  }),
  shopee: (r, _c, errors) => r.kind === 'escrow'
    ? { fields: { transaction_id: `escrow:${String(r.order_sn)}`, order_id: r.order_sn, type: 'ESCROW', amount: at(r, 'order_income.escrow_amount'), transaction_time: r.escrow_release_time, order_income: moneyDeep(r.order_income, 'order_income', errors) }, consumed: ['order_sn', 'kind', 'escrow_release_time', 'order_income'] }
    : { fields: { transaction_id: r.transaction_id === undefined ? undefined : String(r.transaction_id), order_id: r.order_sn, type: normalizeStatus(r.transaction_type), amount: r.amount, transaction_time: r.create_time, current_balance: r.current_balance }, consumed: ['transaction_id', 'order_sn', 'kind', 'transaction_type', 'amount', 'create_time', 'current_balance'] },
  lazada: (r) => ({
    fields: { transaction_id: r.transaction_number, order_id: r.order_no, type: normalizeStatus(r.transaction_type), fee_name: r.fee_name, amount: r.amount, transaction_time: dayTime(r.transaction_date) },
    consumed: ['transaction_number', 'order_no', 'transaction_type', 'fee_name', 'amount', 'transaction_date'],
  }),
};

const returns: Record<Platform, Mapping> = {
  tiktok: (r) => ({
    fields: { return_id: r.return_id, order_id: r.order_id, status: normalizeStatus(r.return_status), type: normalizeStatus(r.return_type), create_time: r.create_time, update_time: r.update_time, refund_amount: at(r, 'refund_amount.refund_total'), currency: at(r, 'refund_amount.currency') },
    consumed: ['return_id', 'order_id', 'return_status', 'return_type', 'create_time', 'update_time', 'refund_amount'],
  }),
  shopee: (r) => ({
    fields: { return_id: r.return_sn, order_id: r.order_sn, status: normalizeStatus(r.status), create_time: r.create_time, update_time: r.update_time, refund_amount: r.refund_amount, currency: r.currency, reason: r.reason },
    consumed: ['return_sn', 'order_sn', 'status', 'create_time', 'update_time', 'refund_amount', 'currency', 'reason'],
  }),
  lazada: (r, c) => {
    const vn = c.region.toUpperCase() === 'VN';
    const amount = typeof r.refund_amount === 'number' && !vn ? r.refund_amount / 100 : r.refund_amount; // cents except VN
    return {
      fields: { return_id: r.reverse_order_id === undefined ? undefined : String(r.reverse_order_id), order_id: r.trade_order_id === undefined ? undefined : String(r.trade_order_id), status: normalizeStatus(r.reverse_status), create_time: r.create_time, update_time: r.update_time, refund_amount: amount, currency: REGION_CURRENCY[c.region.toUpperCase()] ?? null },
      consumed: ['reverse_order_id', 'trade_order_id', 'reverse_status', 'create_time', 'update_time', 'refund_amount'],
    };
  },
};

const products: Record<Platform, Mapping> = {
  tiktok: (r, _c, errors) => ({ fields: { product_id: r.id, name: r.title, status: normalizeStatus(r.status), create_time: r.create_time, update_time: r.update_time, skus: moneyDeep(r.skus, 'skus', errors) }, consumed: ['id', 'title', 'status', 'create_time', 'update_time', 'skus'] }),
  shopee: (r, _c, errors) => ({ fields: { product_id: r.item_id === undefined ? undefined : String(r.item_id), name: r.item_name, status: normalizeStatus(r.item_status), create_time: r.create_time, update_time: r.update_time, price_info: moneyDeep(r.price_info, 'price_info', errors) }, consumed: ['item_id', 'item_name', 'item_status', 'create_time', 'update_time', 'price_info'] }),
  lazada: (r, _c, errors) => ({ fields: { product_id: r.item_id === undefined ? undefined : String(r.item_id), name: at(r, 'attributes.name'), status: normalizeStatus(r.status), create_time: r.created_time, update_time: r.updated_time, skus: moneyDeep(r.skus, 'skus', errors), attributes: r.attributes }, consumed: ['item_id', 'status', 'created_time', 'updated_time', 'skus', 'attributes'] }),
};

export const MAPPINGS: Record<Entity, Record<Platform, Mapping>> = { orders, order_tracking: tracking, transactions, returns, products };

export function mapRecord(entity: Entity, platform: Platform, raw: Raw, ctx: MappingContext): Mapped {
  const errors: string[] = [];
  const { fields, consumed } = MAPPINGS[entity][platform](raw, ctx, errors);
  return { fields, consumed, errors };
}
