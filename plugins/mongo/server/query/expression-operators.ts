import { Decimal128, Long } from 'mongodb';
import { badValue } from '../errors';
import { addNumbers, divideNumbers, exactToDecimal128, isNumeric, multiplyNumbers, negate, toDouble, toExact, type BsonNumber } from './numeric';
import { bsonTypeName } from './type-aliases';
import { compareValues, isTruthy, keyOf, valuesEqual } from './values';

type Evaluate = (expr: unknown) => unknown;
/** One aggregation expression operator; `ev` evaluates sub-expressions lazily (for $cond). */
export type ExpressionOperator = (arg: unknown, ev: Evaluate) => unknown;

function args(arg: unknown, ev: Evaluate): unknown[] {
  return Array.isArray(arg) ? arg.map(ev) : [ev(arg)];
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

function numericArgs(op: string, values: unknown[]): BsonNumber[] | null {
  if (values.some(isNullish)) return null;
  for (const v of values) if (!isNumeric(v)) throw badValue(`${op} only supports numeric types, not ${bsonTypeName(v)}`);
  return values as BsonNumber[];
}

function add(arg: unknown, ev: Evaluate): unknown {
  const values = args(arg, ev);
  if (values.some(isNullish)) return null;
  const date = values.find((v): v is Date => v instanceof Date);
  const nums = numericArgs('$add', values.filter((v) => !(v instanceof Date)));
  if (!nums) return null;
  const sum = nums.reduce<BsonNumber>((a, b) => addNumbers(a, b), 0);
  return date ? new Date(date.getTime() + toDouble(sum)) : sum;
}

function subtract(arg: unknown, ev: Evaluate): unknown {
  const [a, b] = args(arg, ev);
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Date && isNumeric(b)) return new Date(a.getTime() - toDouble(b));
  const nums = numericArgs('$subtract', [a, b]);
  return nums ? addNumbers(nums[0], negate(nums[1])) : null;
}

function arithmetic(op: string, fn: (a: BsonNumber, b: BsonNumber) => BsonNumber): ExpressionOperator {
  return (arg, ev) => {
    const nums = numericArgs(op, args(arg, ev));
    if (!nums || nums.length === 0) return null;
    return nums.slice(1).reduce(fn, nums[0]);
  };
}

function compare(accept: (c: number) => boolean): ExpressionOperator {
  return (arg, ev) => {
    const [a, b] = args(arg, ev);
    return accept(compareValues(a, b));
  };
}

/** $sum/$avg/$min/$max in expression form: one array argument or a list of values. */
function arrayAccumulator(reduce: (values: unknown[]) => unknown): ExpressionOperator {
  return (arg, ev) => {
    const values = args(arg, ev);
    const flat = values.length === 1 && Array.isArray(values[0]) ? (values[0] as unknown[]) : values;
    return reduce(flat);
  };
}

export function sumValues(values: unknown[]): BsonNumber {
  let total: BsonNumber = 0;
  for (const v of values) if (isNumeric(v)) total = addNumbers(total, v);
  return total;
}

export function avgValues(values: unknown[]): BsonNumber | null {
  const nums = values.filter(isNumeric);
  if (nums.length === 0) return null;
  const total = sumValues(nums);
  return total instanceof Decimal128 ? divideNumbers(total, nums.length) : toDouble(total) / nums.length;
}

export function extremeValue(values: unknown[], sign: 1 | -1): unknown {
  let best: unknown = null;
  for (const v of values) {
    if (isNullish(v)) continue;
    if (best === null || compareValues(v, best) * sign > 0) best = v;
  }
  return best;
}

function convertTo(kind: 'decimal' | 'double' | 'long' | 'string'): ExpressionOperator {
  return (arg, ev) => {
    const v = ev(arg);
    if (isNullish(v)) return null;
    if (kind === 'string') return v instanceof Date ? v.toISOString() : String(v);
    const n = isNumeric(v) ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (typeof n === 'number' && Number.isNaN(n)) throw badValue(`Failed to parse number '${String(v)}' in $convert`);
    if (kind === 'decimal') return typeof v === 'string' ? Decimal128.fromString(v.trim()) : exactToDecimal128(toExact(n));
    if (kind === 'long') return Long.fromNumber(Math.trunc(toDouble(n)));
    return toDouble(n);
  };
}

export const EXPRESSION_OPERATORS: Record<string, ExpressionOperator> = {
  $add: add,
  $subtract: subtract,
  $multiply: arithmetic('$multiply', multiplyNumbers),
  $divide: arithmetic('$divide', divideNumbers),
  $mod: arithmetic('$mod', (a, b) => toDouble(a) % toDouble(b)),
  $abs: (arg, ev) => {
    const v = ev(Array.isArray(arg) ? arg[0] : arg);
    return isNumeric(v) ? (compareValues(v, 0) < 0 ? negate(v) : v) : null;
  },
  $eq: compare((c) => c === 0),
  $ne: compare((c) => c !== 0),
  $gt: compare((c) => c > 0),
  $gte: compare((c) => c >= 0),
  $lt: compare((c) => c < 0),
  $lte: compare((c) => c <= 0),
  $cmp: (arg, ev) => {
    const [a, b] = args(arg, ev);
    return compareValues(a, b);
  },
  $and: (arg, ev) => (Array.isArray(arg) ? arg : [arg]).every((e) => isTruthy(ev(e))),
  $or: (arg, ev) => (Array.isArray(arg) ? arg : [arg]).some((e) => isTruthy(ev(e))),
  $not: (arg, ev) => !isTruthy(args(arg, ev)[0]),
  $cond: (arg, ev) => {
    const [cond, then, otherwise] = Array.isArray(arg) ? arg : [(arg as Record<string, unknown>).if, (arg as Record<string, unknown>).then, (arg as Record<string, unknown>).else];
    return isTruthy(ev(cond)) ? ev(then) : ev(otherwise);
  },
  $ifNull: (arg, ev) => {
    const list = Array.isArray(arg) ? arg : [arg];
    for (const e of list.slice(0, -1)) {
      const v = ev(e);
      if (!isNullish(v)) return v;
    }
    return ev(list[list.length - 1]);
  },
  $concat: (arg, ev) => {
    const values = args(arg, ev);
    return values.some(isNullish) ? null : values.map(String).join('');
  },
  $toUpper: (arg, ev) => String(args(arg, ev)[0] ?? '').toUpperCase(),
  $toLower: (arg, ev) => String(args(arg, ev)[0] ?? '').toLowerCase(),
  $toString: convertTo('string'),
  $toDecimal: convertTo('decimal'),
  $toDouble: convertTo('double'),
  $toLong: convertTo('long'),
  $type: (arg, ev) => bsonTypeName(args(arg, ev)[0]),
  $size: (arg, ev) => {
    const v = args(arg, ev)[0];
    if (!Array.isArray(v)) throw badValue(`The argument to $size must be an array. Type of argument: ${bsonTypeName(v)}`);
    return v.length;
  },
  $isArray: (arg, ev) => Array.isArray(args(arg, ev)[0]),
  $arrayElemAt: (arg, ev) => {
    const [arr, idx] = args(arg, ev);
    if (!Array.isArray(arr)) return null;
    const i = toDouble(idx as number);
    return arr[i < 0 ? arr.length + i : i];
  },
  $first: (arg, ev) => {
    const v = args(arg, ev)[0];
    return Array.isArray(v) ? v[0] : null;
  },
  $last: (arg, ev) => {
    const v = args(arg, ev)[0];
    return Array.isArray(v) ? v[v.length - 1] : null;
  },
  $in: (arg, ev) => {
    const [needle, hay] = args(arg, ev);
    if (!Array.isArray(hay)) throw badValue('$in requires an array as a second argument');
    return hay.some((h) => valuesEqual(h, needle));
  },
  $concatArrays: (arg, ev) => {
    const values = args(arg, ev);
    return values.some(isNullish) ? null : values.flatMap((v) => v as unknown[]);
  },
  $setUnion: (arg, ev) => {
    const seen = new Map<string, unknown>();
    for (const arr of args(arg, ev)) for (const v of (arr as unknown[]) ?? []) seen.set(keyOf(v), v);
    return [...seen.values()];
  },
  $sum: arrayAccumulator(sumValues),
  $avg: arrayAccumulator(avgValues),
  $min: arrayAccumulator((v) => extremeValue(v, -1)),
  $max: arrayAccumulator((v) => extremeValue(v, 1)),
};
