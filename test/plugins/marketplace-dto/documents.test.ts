import { describe, expect, it } from 'vitest';
import { Decimal128 } from 'mongodb';
import { toMarketDocument, type DocumentMeta } from '../../../plugins/marketplace-dto';

const meta = (platform: DocumentMeta['platform'], region = 'VN'): DocumentMeta => ({ platform, channel_id: `${platform}-1`, shop_id: '1', region, synced_at: '2024-03-01T10:00:00+07:00', details_fetched_at: '2024-03-01T10:00:01+07:00' });

describe('marketplace documents', () => {
  it('TikTok order: Decimal128 money (nested too), +07:00 times, normalised status, metadata, unknown fields kept', () => {
    const doc = toMarketDocument('orders', {
      id: '5771', status: 'Awaiting shipment', create_time: 1709262000, update_time: 1709262600000,
      payment: { currency: 'VND', total_amount: '150000.50', shipping_fee: '15000' },
      line_items: [{ id: 'li1', product_id: 'p1', seller_sku: 'SKU1', product_name: 'Áo', sale_price: '50000.50' }],
      some_future_field: { a: 1 },
    }, meta('tiktok'));
    expect(doc).toMatchObject({
      order_id: '5771', status: 'AWAITING_SHIPMENT', create_time: '2024-03-01T10:00:00+07:00', update_time: '2024-03-01T10:10:00+07:00',
      currency: 'VND', platform: 'tiktok', shop_id: '1', channel_id: 'tiktok-1', synced_at: meta('tiktok').synced_at, details_fetched_at: meta('tiktok').details_fetched_at,
      some_future_field: { a: 1 }, is_valid: true, validation_errors: [], update_epoch: 1709262600,
    });
    expect(doc.total_amount).toEqual(Decimal128.fromString('150000.50'));
    expect((doc.payment as Record<string, unknown>).shipping_fee).toEqual(Decimal128.fromString('15000'));
    expect((doc.items as Array<Record<string, unknown>>)[0]).toMatchObject({ item_id: 'li1', sku: 'SKU1', name: 'Áo', unit_price: Decimal128.fromString('50000.50'), seller_sku: 'SKU1' });
  });

  it('keeps an invalid record with its errors and the raw values that failed', () => {
    const doc = toMarketDocument('orders', { order_sn: 'SN1', order_status: 'READY_TO_SHIP', create_time: 'not-a-time', total_amount: 'abc' }, meta('shopee'));
    expect(doc).toMatchObject({ order_id: 'SN1', is_valid: false, raw_fields: { create_time: 'not-a-time', total_amount: 'abc' } });
    expect(doc.validation_errors).toEqual(expect.arrayContaining([expect.stringMatching(/^create_time: /), expect.stringMatching(/^total_amount: /)]));
    const missing = toMarketDocument('orders', { order_sn: 'SN2' }, meta('shopee'));
    expect(missing.validation_errors).toEqual(expect.arrayContaining(['status: is required', 'create_time: is required']));
  });

  it('keeps a record that cannot be read at all, raw, with its parse error', () => {
    const doc = toMarketDocument('returns', ['not', 'an', 'object'], meta('tiktok'));
    expect(doc).toMatchObject({ is_valid: false, raw: ['not', 'an', 'object'], parse_error: expect.stringMatching(/array/) });
    expect(doc.return_id).toMatch(/^UNPARSEABLE:[0-9a-f]{40}$/);
    expect(toMarketDocument('returns', ['not', 'an', 'object'], meta('tiktok')).return_id).toBe(doc.return_id);
  });

  it("Lazada: its own time format, currency from the region, refunds in cents outside VN", () => {
    const order = toMarketDocument('orders', { order_id: 42, statuses: ['pending'], created_at: '2024-03-01 10:00:00 +0700', price: '99.90' }, meta('lazada', 'SG'));
    expect(order).toMatchObject({ order_id: '42', status: 'PENDING', create_time: '2024-03-01T10:00:00+07:00', currency: 'SGD', statuses: ['pending'] });
    const sg = toMarketDocument('returns', { reverse_order_id: 7, trade_order_id: 42, reverse_status: 'REQUEST_INITIATE', refund_amount: 1250 }, meta('lazada', 'SG'));
    expect(sg.refund_amount).toEqual(Decimal128.fromString('12.5'));
    const vn = toMarketDocument('returns', { reverse_order_id: 8, trade_order_id: 43, reverse_status: 'REQUEST_INITIATE', refund_amount: 125000 }, meta('lazada', 'VN'));
    expect(vn.refund_amount).toEqual(Decimal128.fromString('125000'));
  });
});
