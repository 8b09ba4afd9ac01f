import { describe, expect, it } from 'vitest';
import { Decimal128 } from 'mongodb';
import { MongoDto, toDateTime, toMoney, type DtoOptions, type DtoSchema } from '../../../plugins/mongo';

class PriceDto extends MongoDto {
  protected readonly schema: DtoSchema = {
    sku: { kind: 'string', required: true },
    price: 'money',
    list_price: 'money',
    stock: 'integer',
    active: 'boolean',
    seen_at: 'datetime',
  };

  protected override rules(doc: Readonly<Record<string, unknown>>): string[] {
    const price = doc.price instanceof Decimal128 ? Number(doc.price.toString()) : 0;
    return price < 0 ? ['price: must not be negative'] : [];
  }
}

const dto = (input: Record<string, unknown>, options?: DtoOptions) => new PriceDto(input, options).toDocument();
const money = (v: unknown) => {
  const r = toMoney(v);
  return r.ok ? (r.value === null ? null : r.value.toString()) : `error: ${r.error}`;
};
const when = (v: unknown, offset = '+07:00') => {
  const r = toDateTime(v, offset);
  return r.ok ? r.value : `error: ${r.error}`;
};

describe('money → Decimal128', () => {
  it('converts numbers and numeric strings, keeping the given scale', () => {
    expect(money(12.5)).toBe('12.5');
    expect(money('12.50')).toBe('12.50');
    expect(money(' -3.25 ')).toBe('-3.25');
    expect(money('+7')).toBe('7');
    expect(money('1e3')).toBe('1E+3');
    expect(money(0)).toBe('0');
    expect(money(10n)).toBe('10');
  });

  it('treats null, undefined and blank strings as empty', () => {
    expect(money(null)).toBeNull();
    expect(money(undefined)).toBeNull();
    expect(money('')).toBeNull();
    expect(money('   ')).toBeNull();
  });

  it('rejects values that are not plain amounts', () => {
    for (const bad of ['12,50', '$12', 'abc', '1.2.3', NaN, Infinity, true, {}, '1'.repeat(40)]) {
      expect(money(bad)).toMatch(/^error: /);
    }
  });
});

describe('epoch → ISO-8601 with offset', () => {
  it('reads seconds and milliseconds by magnitude', () => {
    expect(when(1709260200)).toBe('2024-03-01T09:30:00+07:00');
    expect(when(1709260200123)).toBe('2024-03-01T09:30:00+07:00');
    expect(when('1709260200')).toBe('2024-03-01T09:30:00+07:00');
    expect(when(0)).toBe('1970-01-01T07:00:00+07:00');
  });

  it('honours the configured offset and accepts Dates and zoned ISO strings', () => {
    expect(when(1709260200, '+00:00')).toBe('2024-03-01T02:30:00+00:00');
    expect(when(1709260200, '-03:30')).toBe('2024-02-29T23:00:00-03:30');
    expect(when(new Date('2024-03-01T02:30:00Z'))).toBe('2024-03-01T09:30:00+07:00');
    expect(when('2024-03-01T02:30:00Z')).toBe('2024-03-01T09:30:00+07:00');
  });

  it('treats blanks as empty and rejects garbage', () => {
    expect(when('')).toBeNull();
    expect(when(null)).toBeNull();
    expect(when('yesterday')).toMatch(/^error: /);
    expect(when('2024-03-01')).toMatch(/^error: /);
    expect(when(1e20)).toMatch(/^error: /);
  });
});

describe('MongoDto', () => {
  it('converts fields, drops empty ones and validates', () => {
    const doc = dto({ sku: ' A1 ', price: '19.90', list_price: '', stock: '12', active: 'yes', seen_at: 1709260200, note: null, extra: 'kept' });
    expect(doc).toEqual({
      sku: 'A1',
      price: Decimal128.fromString('19.90'),
      stock: 12,
      active: true,
      seen_at: '2024-03-01T09:30:00+07:00',
      extra: 'kept',
      is_valid: true,
      validation_errors: [],
    });
  });

  it('keeps configured keys as null even when empty', () => {
    const doc = dto({ sku: 'A1', list_price: '', note: undefined }, { keepKeys: ['list_price', 'note'] });
    expect(doc).toMatchObject({ sku: 'A1', list_price: null, note: null, is_valid: true });
  });

  it('records conversion errors and keeps the raw inputs', () => {
    const doc = dto({ sku: 'A1', price: '12,5', stock: '3.5', seen_at: 'soon' });
    expect(doc.is_valid).toBe(false);
    expect(doc.validation_errors).toEqual(['price: not an amount: "12,5"', 'stock: not an integer: "3.5"', 'seen_at: not a timestamp: "soon"']);
    expect(doc.raw_fields).toEqual({ price: '12,5', stock: '3.5', seen_at: 'soon' });
    expect(doc).not.toHaveProperty('price');
  });

  it('reports missing required fields and subclass rules', () => {
    const v = new PriceDto({ sku: '', price: -5 }).validate();
    expect(v).toEqual({ is_valid: false, validation_errors: ['sku: is required', 'price: must not be negative'] });
    const doc = dto({ sku: 'A2', price: '-0.01' });
    expect(doc.price).toEqual(Decimal128.fromString('-0.01'));
    expect(doc.validation_errors).toEqual(['price: must not be negative']);
  });

  it('rejects a malformed timezone offset at construction', () => {
    expect(() => new PriceDto({}, { timezoneOffset: '7' })).toThrow(/invalid timezone offset/);
  });
});
