import { Decimal128, Long } from 'mongodb';

/** Any BSON number the server stores: int32/double arrive as JS numbers, int64 stays Long. */
export type BsonNumber = number | Long | Decimal128;

/** Exact decimal view of a number, so double, Long and Decimal128 compare and add without float loss. */
export type ExactNumber =
  | { kind: 'finite'; coef: bigint; exp: number }
  | { kind: 'nan' }
  | { kind: 'inf'; negative: boolean };

const DECIMAL_DIGITS = 34;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function isNumeric(value: unknown): value is BsonNumber {
  return typeof value === 'number' || value instanceof Long || value instanceof Decimal128;
}

/** Parses decimal text ("1.50", "-1E+2", "Infinity") into an exact number; null when it is not numeric. */
export function parseExact(text: string): ExactNumber | null {
  if (text === 'NaN') return { kind: 'nan' };
  if (text === 'Infinity' || text === '+Infinity' || text === '-Infinity') {
    return { kind: 'inf', negative: text.startsWith('-') };
  }
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  const coef = BigInt((m[2] || '0') + frac);
  // Not normalised: Decimal128 keeps its scale through arithmetic (1.50 + 1 = 2.50), as in mongod.
  return { kind: 'finite', coef: m[1] === '-' ? -coef : coef, exp: Number(m[4] ?? 0) - frac.length };
}

export function toExact(value: BsonNumber): ExactNumber {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { kind: 'finite', coef: BigInt(value), exp: 0 };
    if (Number.isNaN(value)) return { kind: 'nan' };
    if (!Number.isFinite(value)) return { kind: 'inf', negative: value < 0 };
    return parseExact(String(value)) as ExactNumber;
  }
  if (value instanceof Long) return { kind: 'finite', coef: BigInt(value.toString()), exp: 0 };
  return parseExact(value.toString()) as ExactNumber;
}

/** Strips trailing zeros so 1.5 and 1.50 share one representation. */
function normalize(n: ExactNumber): ExactNumber {
  if (n.kind !== 'finite') return n;
  let { coef, exp } = n;
  if (coef === 0n) return { kind: 'finite', coef: 0n, exp: 0 };
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp += 1;
  }
  return { kind: 'finite', coef, exp };
}

function rank(n: ExactNumber): number {
  if (n.kind === 'nan') return 0;
  if (n.kind === 'inf') return n.negative ? 1 : 3;
  return 2;
}

function compareExact(a: ExactNumber, b: ExactNumber): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(ra - rb);
  const exp = Math.min(a.exp, b.exp);
  const left = a.coef * 10n ** BigInt(a.exp - exp);
  const right = b.coef * 10n ** BigInt(b.exp - exp);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Numeric comparison across number kinds; NaN sorts below every other number, as in mongod. */
export function compareNumbers(a: BsonNumber, b: BsonNumber): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
  }
  return compareExact(toExact(a), toExact(b));
}

/** Canonical text of a number for hash keys: equal numbers of any kind give the same text. */
export function numberKey(value: BsonNumber): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value === 0 ? '0' : String(value);
  const n = normalize(toExact(value));
  if (n.kind === 'nan') return 'NaN';
  if (n.kind === 'inf') return n.negative ? '-Inf' : 'Inf';
  const digits = (n.coef < 0n ? -n.coef : n.coef).toString().length;
  if (n.exp >= 0 && digits + n.exp <= 21) return (n.coef * 10n ** BigInt(n.exp)).toString();
  return `${n.coef}e${n.exp}`;
}

export function exactToDecimal128(n: ExactNumber): Decimal128 {
  if (n.kind === 'nan') return Decimal128.fromString('NaN');
  if (n.kind === 'inf') return Decimal128.fromString(n.negative ? '-Infinity' : 'Infinity');
  let { coef, exp } = n;
  const negative = coef < 0n;
  let abs = negative ? -coef : coef;
  const excess = abs.toString().length - DECIMAL_DIGITS;
  if (excess > 0) {
    abs = roundHalfEven(abs, 10n ** BigInt(excess));
    exp += excess;
  }
  coef = negative ? -abs : abs;
  return Decimal128.fromString(`${coef}E${exp}`);
}

function roundHalfEven(value: bigint, divisor: bigint): bigint {
  const q = value / divisor;
  const r = value % divisor;
  const twice = r * 2n;
  if (twice > divisor || (twice === divisor && q % 2n === 1n)) return q + 1n;
  return q;
}

function exactToDouble(n: ExactNumber): number {
  if (n.kind === 'nan') return NaN;
  if (n.kind === 'inf') return n.negative ? -Infinity : Infinity;
  return Number(`${n.coef}e${n.exp}`);
}

export function toDouble(value: BsonNumber): number {
  if (typeof value === 'number') return value;
  if (value instanceof Long) return value.toNumber();
  return exactToDouble(toExact(value));
}

function addExact(a: ExactNumber, b: ExactNumber): ExactNumber {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.negative !== b.negative) return { kind: 'nan' };
    return a.kind === 'inf' ? a : b;
  }
  const exp = Math.min(a.exp, b.exp);
  const coef = a.coef * 10n ** BigInt(a.exp - exp) + b.coef * 10n ** BigInt(b.exp - exp);
  return { kind: 'finite', coef, exp };
}

function multiplyExact(a: ExactNumber, b: ExactNumber): ExactNumber {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind === 'inf' || b.kind === 'inf') {
    const aNeg = a.kind === 'inf' ? a.negative : a.coef < 0n;
    const bNeg = b.kind === 'inf' ? b.negative : b.coef < 0n;
    return { kind: 'inf', negative: aNeg !== bNeg };
  }
  return { kind: 'finite', coef: a.coef * b.coef, exp: a.exp + b.exp };
}

const LONG_MAX = 9223372036854775807n;

/** Integer arithmetic result as Long, or double when it overflows int64 (what mongod does). */
function longOrDouble(result: bigint): BsonNumber {
  if (result > LONG_MAX || result < -LONG_MAX - 1n) return Number(result);
  return Long.fromBigInt(result);
}

type Combine = (a: ExactNumber, b: ExactNumber) => ExactNumber;

function combine(a: BsonNumber, b: BsonNumber, exact: Combine, double: (x: number, y: number) => number): BsonNumber {
  if (a instanceof Decimal128 || b instanceof Decimal128) return exactToDecimal128(exact(toExact(a), toExact(b)));
  const aLong = a instanceof Long;
  const bLong = b instanceof Long;
  if (aLong || bLong) {
    const integral = (aLong || Number.isInteger(a)) && (bLong || Number.isInteger(b));
    if (integral) {
      const r = exact(toExact(a), toExact(b));
      if (r.kind === 'finite' && r.exp >= 0) return longOrDouble(r.coef * 10n ** BigInt(r.exp));
    }
  }
  return double(toDouble(a), toDouble(b));
}

/** $inc / $sum / $add semantics: Decimal128 wins, Long stays Long, otherwise double arithmetic. */
export function addNumbers(a: BsonNumber, b: BsonNumber): BsonNumber {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  return combine(a, b, addExact, (x, y) => x + y);
}

export function multiplyNumbers(a: BsonNumber, b: BsonNumber): BsonNumber {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  return combine(a, b, multiplyExact, (x, y) => x * y);
}

export function negate(value: BsonNumber): BsonNumber {
  return multiplyNumbers(value, -1);
}

/** Division; Decimal128 operands keep 34 significant digits, everything else divides as double. */
export function divideNumbers(a: BsonNumber, b: BsonNumber): BsonNumber {
  if (!(a instanceof Decimal128) && !(b instanceof Decimal128)) return toDouble(a) / toDouble(b);
  const x = toExact(a);
  const y = toExact(b);
  if (x.kind !== 'finite' || y.kind !== 'finite' || y.coef === 0n) {
    return exactToDecimal128(parseExact(String(toDouble(a) / toDouble(b))) as ExactNumber);
  }
  const scale = 40;
  const coef = (x.coef * 10n ** BigInt(scale)) / y.coef;
  return exactToDecimal128(normalize({ kind: 'finite', coef, exp: x.exp - y.exp - scale }));
}
