import { BSONRegExp } from 'mongodb';
import { badValue, CommandError, notSupported } from '../errors';
import { evaluate } from './expressions';
import { compareValues, EqualitySet, isDoc, isTruthy, typeRank, valuesEqual, type Doc } from './values';
import { collectPathValues, splitPath } from './paths';
import { matchesType } from './type-aliases';
import { toDouble, isNumeric } from './numeric';

/** A compiled query filter. */
export type Predicate = (doc: Doc) => boolean;
/** A test over every value a path resolves to in one document. */
type FieldTest = (values: unknown[]) => boolean;
type ValueTest = (value: unknown) => boolean;

const MATCH_ALL: Predicate = () => true;

/** Compiles a find/update/delete filter; throws BadValue for unknown operators like mongod. */
export function compileFilter(filter: unknown): Predicate {
  if (filter === undefined || filter === null) return MATCH_ALL;
  if (!isDoc(filter)) throw badValue('filter must be an object');
  const preds: Predicate[] = [];
  for (const key of Object.keys(filter)) {
    if (key.startsWith('$')) {
      const p = compileTopLevel(key, filter[key]);
      if (p) preds.push(p);
    } else preds.push(compileField(key, filter[key]));
  }
  if (preds.length === 0) return MATCH_ALL;
  if (preds.length === 1) return preds[0];
  return (doc) => preds.every((p) => p(doc));
}

function compileTopLevel(op: string, arg: unknown): Predicate | null {
  switch (op) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(arg) || arg.length === 0) throw badValue(`${op} must be a nonempty array`);
      const subs = arg.map(compileFilter);
      if (op === '$and') return (doc) => subs.every((p) => p(doc));
      if (op === '$or') return (doc) => subs.some((p) => p(doc));
      return (doc) => !subs.some((p) => p(doc));
    }
    case '$expr':
      return (doc) => isTruthy(evaluate(arg, doc));
    case '$comment':
      return null;
    case '$text':
    case '$where':
    case '$jsonSchema':
      throw notSupported(`query operator ${op}`);
    default:
      throw badValue(`unknown top level operator: ${op}`);
  }
}

export function isOperatorDoc(value: unknown): value is Doc {
  if (!isDoc(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys[0].startsWith('$');
}

function compileField(path: string, cond: unknown): Predicate {
  const parts = splitPath(path);
  const test = compileCondition(cond);
  if (parts.length === 1) {
    const field = parts[0];
    return (doc) => test([doc[field]]);
  }
  return (doc) => test(collectPathValues(doc, parts));
}

/** Compiles the right-hand side of `{ field: cond }`. */
export function compileCondition(cond: unknown): FieldTest {
  if (cond instanceof RegExp || cond instanceof BSONRegExp) return anyValue(regexTest(toRegExp(cond)));
  if (!isOperatorDoc(cond)) return anyValue((v) => valuesEqual(v, cond));
  const tests: FieldTest[] = [];
  for (const op of Object.keys(cond)) {
    if (op === '$options') {
      if (!('$regex' in cond)) throw badValue('$options needs a $regex');
      continue;
    }
    tests.push(compileOperator(op, cond[op], cond));
  }
  return tests.length === 1 ? tests[0] : (values) => tests.every((t) => t(values));
}

/** Passes when any resolved value, or any element of an array value, passes. */
function anyValue(test: ValueTest): FieldTest {
  return (values) => {
    for (const v of values) {
      if (test(v)) return true;
      if (Array.isArray(v) && v.some(test)) return true;
    }
    return false;
  };
}

function comparison(arg: unknown, accept: (c: number) => boolean): FieldTest {
  const rank = typeRank(arg);
  return anyValue((v) => typeRank(v) === rank && accept(compareValues(v, arg)));
}

function compileOperator(op: string, arg: unknown, cond: Doc): FieldTest {
  switch (op) {
    case '$eq':
      return anyValue((v) => valuesEqual(v, arg));
    case '$ne': {
      const eq = anyValue((v) => valuesEqual(v, arg));
      return (values) => !eq(values);
    }
    case '$gt':
      return comparison(arg, (c) => c > 0);
    case '$gte':
      return comparison(arg, (c) => c >= 0);
    case '$lt':
      return comparison(arg, (c) => c < 0);
    case '$lte':
      return comparison(arg, (c) => c <= 0);
    case '$in':
      return anyValue(inTest(arg));
    case '$nin': {
      const inside = anyValue(inTest(arg));
      return (values) => !inside(values);
    }
    case '$exists':
      return (values) => values.some((v) => v !== undefined) === isTruthy(arg);
    case '$regex':
      return anyValue(regexTest(toRegExp(arg, cond.$options)));
    case '$not': {
      if (!isOperatorDoc(arg) && !(arg instanceof RegExp)) throw badValue('$not needs a regex or a document');
      const inner = compileCondition(arg);
      return (values) => !inner(values);
    }
    default:
      return compileArrayOperator(op, arg);
  }
}

function compileArrayOperator(op: string, arg: unknown): FieldTest {
  switch (op) {
    case '$size':
      if (typeof arg !== 'number') throw badValue('$size needs a number');
      return (values) => values.some((v) => Array.isArray(v) && v.length === arg);
    case '$elemMatch': {
      const el = elementTest(arg);
      return (values) => values.some((v) => Array.isArray(v) && v.some(el));
    }
    case '$all': {
      if (!Array.isArray(arg)) throw badValue('$all needs an array');
      const tests = arg.map((item) => (isDoc(item) && '$elemMatch' in item ? compileCondition(item) : compileCondition({ $eq: item })));
      return (values) => tests.length > 0 && tests.every((t) => t(values));
    }
    case '$type': {
      const aliases = Array.isArray(arg) ? arg : [arg];
      const wantsArray = aliases.some((a) => a === 'array' || a === 4);
      const scalar = anyValue((v) => aliases.some((a) => matchesType(v, a)));
      return (values) => (wantsArray && values.some(Array.isArray)) || scalar(values);
    }
    case '$mod': {
      if (!Array.isArray(arg) || arg.length !== 2) throw badValue('malformed mod, needs to be an array of two numbers');
      const [divisor, remainder] = arg.map((x) => toDouble(x as number));
      return anyValue((v) => isNumeric(v) && Math.trunc(toDouble(v)) % divisor === remainder);
    }
    case '$near':
    case '$geoWithin':
    case '$geoIntersects':
    case '$text':
      throw notSupported(`query operator ${op}`);
    default:
      throw badValue(`unknown operator: ${op}`);
  }
}

/** $elemMatch: operator-only bodies test each element as a value, others as a sub-document. */
function elementTest(arg: unknown): ValueTest {
  if (!isDoc(arg)) throw badValue('$elemMatch needs an Object');
  const keys = Object.keys(arg);
  const valueMode = keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr'].includes(k));
  if (valueMode) {
    const test = compileCondition(arg);
    return (el) => test([el]);
  }
  const pred = compileFilter(arg);
  return (el) => isDoc(el) && pred(el);
}

/** Lists up to this long are tested element by element; longer ones through a hash set. */
const IN_SET_THRESHOLD = 8;

/**
 * `$in`: a value passes when it equals an element or matches a regex element. Long lists go in an EqualitySet
 * (built once per query: O(1) per value for strings, numbers, ObjectIds, dates...).
 */
function inTest(arg: unknown): ValueTest {
  if (!Array.isArray(arg)) throw badValue('$in needs an array');
  if (arg.length <= IN_SET_THRESHOLD) {
    const tests = arg.map((x): ValueTest => {
      if (x instanceof RegExp || x instanceof BSONRegExp) return regexTest(toRegExp(x));
      if (isOperatorDoc(x)) throw badValue('cannot nest $ under $in');
      return (v) => valuesEqual(v, x);
    });
    return (v) => tests.some((t) => t(v));
  }
  const regexes: ValueTest[] = [];
  const values = new EqualitySet();
  for (const x of arg) {
    if (x instanceof RegExp || x instanceof BSONRegExp) regexes.push(regexTest(toRegExp(x)));
    else if (isOperatorDoc(x)) throw badValue('cannot nest $ under $in');
    else values.add(x);
  }
  return (v) => values.has(v) || (regexes.length > 0 && regexes.some((t) => t(v)));
}

function toRegExp(pattern: unknown, options?: unknown): RegExp {
  const flags = typeof options === 'string' ? options.replace(/[^imsu]/g, '') : undefined;
  if (pattern instanceof RegExp) return flags === undefined ? pattern : new RegExp(pattern.source, flags);
  if (pattern instanceof BSONRegExp) return new RegExp(pattern.pattern, (flags ?? pattern.options).replace(/[^imsu]/g, ''));
  if (typeof pattern === 'string') return new RegExp(pattern, flags);
  throw new CommandError(2, '$regex has to be a string');
}

function regexTest(re: RegExp): ValueTest {
  return (v) => {
    if (typeof v === 'string') {
      re.lastIndex = 0;
      return re.test(v);
    }
    return v instanceof RegExp && v.source === re.source && v.flags === re.flags;
  };
}
