import { Binary, BSONRegExp, BSONSymbol, Code, Decimal128, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';
import { compareNumbers, isNumeric, numberKey } from './numeric';

/** A stored or transmitted BSON document as the driver's deserializer hands it over. */
export type Doc = Record<string, unknown>;

export function isDoc(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** mongod's canonical type order, used for sort and for comparison-operator type brackets. */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  if (isNumeric(value)) return 3;
  if (typeof value === 'string' || value instanceof BSONSymbol) return 4;
  if (Array.isArray(value)) return 6;
  if (isDoc(value)) return 5;
  if (value instanceof Binary) return 7;
  if (value instanceof ObjectId) return 8;
  if (typeof value === 'boolean') return 9;
  if (value instanceof Date) return 10;
  if (value instanceof Timestamp) return 11;
  if (value instanceof RegExp || value instanceof BSONRegExp) return 12;
  if (value instanceof Code) return 13;
  if (value instanceof MinKey) return 1;
  if (value instanceof MaxKey) return 100;
  return 50;
}

function compareScalars(a: unknown, b: unknown, rank: number): number {
  switch (rank) {
    case 3:
      return compareNumbers(a as number, b as number);
    case 4: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 7:
      return compareBinary(a as Binary, b as Binary);
    case 8:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case 9:
      return Number(a) - Number(b);
    case 10:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 11:
      return (a as Timestamp).compare(b as Timestamp);
    default:
      return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  }
}

function compareBinary(a: Binary, b: Binary): number {
  if (a.position !== b.position) return Math.sign(a.position - b.position);
  if (a.sub_type !== b.sub_type) return Math.sign(a.sub_type - b.sub_type);
  return Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer));
}

/** Total order over BSON values following mongod's comparison rules. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return Math.sign(ra - rb);
  if (ra === 2 || ra === 1 || ra === 100) return 0;
  if (ra === 6) return compareArrays(a as unknown[], b as unknown[]);
  if (ra === 5) return compareDocs(a as Doc, b as Doc);
  return compareScalars(a, b, ra);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

function compareDocs(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const rankDiff = typeRank(a[ka[i]]) - typeRank(b[kb[i]]);
    if (rankDiff !== 0) return Math.sign(rankDiff);
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    const c = compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return Math.sign(ka.length - kb.length);
}

/** Query equality: numbers equal across kinds (1 == 1.0 == Long(1) == Decimal128("1.00")). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return compareValues(a, b) === 0;
}

/** Hash key with the same equality as valuesEqual; used by indexes, $group, distinct and $addToSet. */
export function keyOf(value: unknown): string {
  if (typeof value === 'string') return 's' + JSON.stringify(value);
  if (value === undefined || value === null) return 'n';
  if (isNumeric(value)) return 'N' + numberKey(value);
  if (typeof value === 'boolean') return value ? 'b1' : 'b0';
  if (value instanceof ObjectId) return 'o' + value.toHexString();
  if (value instanceof Date) return 'd' + value.getTime();
  if (Array.isArray(value)) return '[' + value.map(keyOf).join(',') + ']';
  if (isDoc(value)) {
    return '{' + Object.keys(value).map((k) => JSON.stringify(k) + ':' + keyOf(value[k])).join(',') + '}';
  }
  if (value instanceof Binary) return 'x' + value.sub_type + ':' + Buffer.from(value.value()).toString('base64');
  if (value instanceof RegExp) return 'r' + value.source + '/' + value.flags;
  if (value instanceof Timestamp) return 't' + value.toString();
  if (value instanceof MinKey) return 'min';
  if (value instanceof MaxKey) return 'max';
  return 'u' + JSON.stringify(String(value));
}

/**
 * Values whose query equality is exactly `keyOf` equality and which can only equal values of the same kind:
 * strings, BSON numbers (1 == 1.0 == Long(1) == Decimal128("1.00")), booleans, null/missing, ObjectId, dates.
 */
export function isHashable(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  if (isNumeric(v) || v instanceof ObjectId) return true;
  return v instanceof Date && !Number.isNaN(v.getTime());
}

/**
 * A set under query equality (`valuesEqual`): hashable values by `keyOf` in O(1), anything else (arrays,
 * documents, other BSON values) by comparison, and only against members of the same type rank.
 */
export class EqualitySet {
  private readonly keys = new Set<string>();
  private readonly others: unknown[] = [];
  private readonly otherRanks = new Set<number>();

  constructor(values: Iterable<unknown> = []) {
    for (const v of values) this.add(v);
  }

  add(v: unknown): void {
    if (isHashable(v)) this.keys.add(keyOf(v));
    else {
      this.others.push(v);
      this.otherRanks.add(typeRank(v));
    }
  }

  has(v: unknown): boolean {
    if (isHashable(v) && this.keys.has(keyOf(v))) return true;
    return this.otherRanks.size > 0 && this.otherRanks.has(typeRank(v)) && this.others.some((x) => valuesEqual(v, x));
  }
}

/** Byte-level sameness, used to tell "modified" from "matched but unchanged" like mongod does. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => sameValue(v, other[i]));
  }
  if (isDoc(a)) return sameDoc(a, b as Doc);
  if (a instanceof Decimal128) return Buffer.compare(a.bytes, (b as Decimal128).bytes) === 0;
  if (a instanceof Long) return a.equals(b as Long);
  return keyOf(a) === keyOf(b);
}

function sameDoc(a: Doc, b: Doc): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue(a[ka[i]], b[kb[i]])) return false;
  }
  return true;
}

/** Copies documents and arrays; BSON value objects are immutable and can be shared. */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (isDoc(value)) {
    const out: Doc = {};
    for (const k of Object.keys(value)) out[k] = cloneValue(value[k]);
    return out as T;
  }
  return value;
}

/** Truthiness in mongod expressions: false, null, missing and numeric zero are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (isNumeric(value)) return compareNumbers(value, 0) !== 0;
  return true;
}
