import { BSONRegExp } from 'mongodb';
import { badValue } from '../errors';
import { compileCondition, compileFilter, isOperatorDoc } from '../query/matcher';
import { sortDocs } from '../query/sort';
import { bsonTypeName } from '../query/type-aliases';
import { cloneValue, compareValues, EqualitySet, isDoc, valuesEqual } from '../query/values';

function asArray(current: unknown, field: string): unknown[] {
  if (current === undefined || current === null) return [];
  if (!Array.isArray(current)) {
    throw badValue(`The field '${field}' must be an array but is of type ${bsonTypeName(current)} in document`);
  }
  return current;
}

function eachOf(arg: unknown): unknown[] {
  if (isDoc(arg) && '$each' in arg) {
    if (!Array.isArray(arg.$each)) throw badValue('The argument to $each must be an array');
    return arg.$each.map(cloneValue);
  }
  return [cloneValue(arg)];
}

function sortElements(arr: unknown[], spec: unknown): unknown[] {
  if (typeof spec === 'number') return [...arr].sort((a, b) => compareValues(a, b) * spec);
  return sortDocs(arr.map((el) => (isDoc(el) ? el : {})), spec);
}

/** $push with optional $each, $position, $sort and $slice modifiers. */
export function push(current: unknown, arg: unknown, field: string): unknown[] {
  const arr = [...asArray(current, field)];
  const items = eachOf(arg);
  const mods = isDoc(arg) && '$each' in arg ? arg : {};
  const pos = typeof mods.$position === 'number' ? mods.$position : arr.length;
  arr.splice(pos < 0 ? Math.max(arr.length + pos, 0) : pos, 0, ...items);
  let out = mods.$sort === undefined ? arr : sortElements(arr, mods.$sort);
  if (typeof mods.$slice === 'number') out = mods.$slice >= 0 ? out.slice(0, mods.$slice) : out.slice(mods.$slice);
  return out;
}

export function addToSet(current: unknown, arg: unknown, field: string): unknown[] {
  const arr = [...asArray(current, field)];
  const present = new EqualitySet(arr);
  for (const item of eachOf(arg)) {
    if (present.has(item)) continue;
    arr.push(item);
    present.add(item);
  }
  return arr;
}

/** $pull: documents are matched as filters, operator bodies test each value, scalars by equality. */
export function pull(current: unknown, cond: unknown, field: string): unknown[] {
  const arr = asArray(current, field);
  let test: (el: unknown) => boolean;
  if (isOperatorDoc(cond)) {
    const t = compileCondition(cond);
    test = (el) => t([el]);
  } else if (isDoc(cond)) {
    const pred = compileFilter(cond);
    test = (el) => isDoc(el) && pred(el);
  } else if (cond instanceof RegExp || cond instanceof BSONRegExp) {
    const t = compileCondition(cond);
    test = (el) => t([el]);
  } else test = (el) => valuesEqual(el, cond);
  return arr.filter((el) => !test(el));
}

export function pullAll(current: unknown, arg: unknown, field: string): unknown[] {
  if (!Array.isArray(arg)) throw badValue('$pullAll requires an array argument');
  const pulled = new EqualitySet(arg);
  return asArray(current, field).filter((el) => !pulled.has(el));
}

export function pop(current: unknown, arg: unknown, field: string): unknown[] {
  const arr = asArray(current, field);
  return arg === -1 ? arr.slice(1) : arr.slice(0, -1);
}
