import { Timestamp } from 'mongodb';
import { CommandError } from '../errors';
import { addNumbers, isNumeric, multiplyNumbers } from '../query/numeric';
import { getPath, splitPath } from '../query/paths';
import { bsonTypeName } from '../query/type-aliases';
import { cloneValue, compareValues, isDoc, type Doc } from '../query/values';
import { addToSet, pop, pull, pullAll, push } from './array-operators';
import { readTarget, resolveTargets, writeTarget, type Target, type UpdateContext } from './targets';

type FieldOperator = (current: unknown, arg: unknown, field: string) => unknown;

function arithmetic(name: string, fn: typeof addNumbers, missing: (arg: unknown) => unknown): FieldOperator {
  return (current, arg, field) => {
    if (!isNumeric(arg)) throw new CommandError(14, `Cannot ${name} with non-numeric argument: {${field}: ${String(arg)}}`);
    if (current === undefined) return missing(arg);
    if (!isNumeric(current)) {
      throw new CommandError(14, `Cannot apply ${name} to a value of non-numeric type. {_id: ...} has the field '${field}' of non-numeric type ${bsonTypeName(current)}`);
    }
    return fn(current, arg);
  };
}

/** Operators that compute a new value from the current one at each target. */
const VALUE_OPERATORS: Record<string, FieldOperator> = {
  $inc: arithmetic('$inc', addNumbers, (arg) => arg),
  $mul: arithmetic('$mul', multiplyNumbers, (arg) => multiplyNumbers(arg as number, 0)),
  $min: (current, arg) => (current === undefined || compareValues(arg, current) < 0 ? cloneValue(arg) : current),
  $max: (current, arg) => (current === undefined || compareValues(arg, current) > 0 ? cloneValue(arg) : current),
  $push: push,
  $addToSet: addToSet,
  $pull: pull,
  $pullAll: pullAll,
  $pop: pop,
  $currentDate: (_current, arg) => (isDoc(arg) && arg.$type === 'timestamp' ? Timestamp.fromNumber(Math.floor(Date.now() / 1000) * 2 ** 32) : new Date()),
};

/** Operators that only change existing arrays: missing fields stay missing. */
const NO_CREATE = new Set(['$pull', '$pullAll', '$pop']);

function unset(target: Target): void {
  if (Array.isArray(target.parent)) target.parent[target.key as number] = null;
  else delete target.parent[target.key as string];
}

function applyField(doc: Doc, op: string, path: string, arg: unknown, ctx: UpdateContext): void {
  const parts = splitPath(path);
  if (op === '$set' || (op === '$setOnInsert' && ctx.isInsert)) {
    for (const t of resolveTargets(doc, parts, ctx, true)) writeTarget(t, cloneValue(arg));
  } else if (op === '$unset') {
    for (const t of resolveTargets(doc, parts, ctx, false)) unset(t);
  } else if (op === '$rename') {
    renameField(doc, path, arg, ctx);
  } else if (op !== '$setOnInsert') {
    const fn = VALUE_OPERATORS[op];
    const create = !NO_CREATE.has(op);
    for (const t of resolveTargets(doc, parts, ctx, create)) {
      const current = readTarget(t);
      if (!create && current === undefined) continue;
      writeTarget(t, fn(current, arg, path));
    }
  }
}

function renameField(doc: Doc, from: string, to: unknown, ctx: UpdateContext): void {
  if (typeof to !== 'string') throw new CommandError(2, `The 'to' field for $rename must be a string: ${from}: ${String(to)}`);
  const value = getPath(doc, splitPath(from));
  if (value === undefined) return;
  for (const t of resolveTargets(doc, splitPath(from), ctx, false)) unset(t);
  for (const t of resolveTargets(doc, splitPath(to), ctx, true)) writeTarget(t, value);
}

/** Rejects two operators touching the same path or a path and its parent, like mongod. */
function checkConflicts(update: Doc): void {
  const seen: string[] = [];
  for (const op of Object.keys(update)) {
    const fields = update[op] as Doc;
    const paths = op === '$rename' ? [...Object.keys(fields), ...Object.values(fields).map(String)] : Object.keys(fields);
    for (const p of paths) {
      const clash = seen.find((s) => s === p || s.startsWith(p + '.') || p.startsWith(s + '.'));
      if (clash !== undefined) throw new CommandError(40, `Updating the path '${p}' would create a conflict at '${clash}'`);
      seen.push(p);
    }
  }
}

const KNOWN_OPERATORS = new Set(['$set', '$unset', '$setOnInsert', '$rename', ...Object.keys(VALUE_OPERATORS)]);

/** Parses an operator update up front, so bad updates fail even when nothing matches (as in mongod). */
export function validateOperators(update: Doc): void {
  for (const op of Object.keys(update)) {
    if (!KNOWN_OPERATORS.has(op)) {
      throw new CommandError(9, `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[op];
    if (!isDoc(fields)) throw new CommandError(9, `Modifiers operate on fields but we found type ${bsonTypeName(fields)} instead.`);
  }
  checkConflicts(update);
}

/** Applies a validated operator update (`{ $set: ..., $inc: ... }`) to `doc` in place. */
export function applyOperators(doc: Doc, update: Doc, ctx: UpdateContext): void {
  for (const op of Object.keys(update)) {
    const fields = update[op] as Doc;
    for (const path of Object.keys(fields)) applyField(doc, op, path, fields[path], ctx);
  }
}
