/** Small normalisers the platform mappings share. */
import { Decimal128 } from 'mongodb';
import { epochToMillis, toMoney } from '../mongo';

export type Raw = Record<string, unknown>;

/** `pending`, `Awaiting Shipment`, `AWAITING_SHIPMENT` → `PENDING`, `AWAITING_SHIPMENT`. */
export function normalizeStatus(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.trim().replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toUpperCase();
}

/** Lazada's `2024-01-01 10:00:00 +0700` → ISO-8601 that the datetime conversion reads; other values unchanged. */
export function lazadaTime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(value.trim());
  return m ? `${m[1]}T${m[2]}${m[3]}:${m[4]}` : value;
}

/** A day `2024-01-01` read as its start in +07:00. */
export function dayTime(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+07:00` : value;
}

/** Epoch seconds of a raw update time (seconds, milliseconds or numeric strings); undefined when unreadable. */
export function epochSeconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.floor(epochToMillis(n) / 1000) : undefined;
}

const MONEY_KEY = /(amount|price|fee|discount|total|income|balance|tax)$/i;

/**
 * Converts every money-looking value of a nested object to Decimal128 (keys ending in amount, price, fee…),
 * keeping other values. A value that does not convert is kept raw and reported.
 */
export function moneyDeep(value: unknown, path: string, errors: string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => moneyDeep(v, `${path}[${i}]`, errors));
  if (!value || typeof value !== 'object' || value instanceof Decimal128) return value;
  const out: Raw = {};
  for (const [k, v] of Object.entries(value as Raw)) {
    if (MONEY_KEY.test(k) && (typeof v === 'string' || typeof v === 'number')) {
      const m = toMoney(v);
      if (m.ok) out[k] = m.value;
      else {
        errors.push(`${path}.${k}: ${m.error}`);
        out[k] = v;
      }
    } else out[k] = moneyDeep(v, `${path}.${k}`, errors);
  }
  return out;
}

/** Reads `a.b.c` of a raw record. */
export function at(raw: Raw, path: string): unknown {
  let v: unknown = raw;
  for (const p of path.split('.')) v = v && typeof v === 'object' ? (v as Raw)[p] : undefined;
  return v;
}

/** Currency of a Lazada region (its orders carry none). */
export const REGION_CURRENCY: Record<string, string> = { VN: 'VND', SG: 'SGD', TH: 'THB', MY: 'MYR', PH: 'PHP', ID: 'IDR' };
