import { badValue, CommandError } from '../errors';
import { evaluate } from '../query/expressions';
import { avgValues, extremeValue, sumValues } from '../query/expression-operators';
import { keyOf, isDoc, type Doc } from '../query/values';

interface Accumulator {
  field: string;
  op: string;
  expr: unknown;
}

interface GroupState {
  id: unknown;
  values: unknown[][];
}

const ACCUMULATORS = new Set(['$sum', '$avg', '$min', '$max', '$push', '$addToSet', '$first', '$last', '$count']);

function parseAccumulators(spec: Doc): Accumulator[] {
  return Object.keys(spec)
    .filter((k) => k !== '_id')
    .map((field) => {
      const body = spec[field];
      if (!isDoc(body) || Object.keys(body).length !== 1) throw badValue(`The field '${field}' must be an accumulator object`);
      const op = Object.keys(body)[0];
      if (!ACCUMULATORS.has(op)) throw new CommandError(15952, `unknown group operator '${op}'`);
      return { field, op, expr: body[op] };
    });
}

function finish(op: string, values: unknown[]): unknown {
  switch (op) {
    case '$sum':
      return sumValues(values);
    case '$count':
      return values.length;
    case '$avg':
      return avgValues(values);
    case '$min':
      return extremeValue(values, -1);
    case '$max':
      return extremeValue(values, 1);
    case '$push':
      return values.filter((v) => v !== undefined);
    case '$addToSet': {
      const seen = new Map<string, unknown>();
      for (const v of values) if (v !== undefined) seen.set(keyOf(v), v);
      return [...seen.values()];
    }
    case '$first':
      return values.length > 0 ? (values[0] ?? null) : null;
    default:
      return values.length > 0 ? (values[values.length - 1] ?? null) : null;
  }
}

/** $group: buckets by the canonical key of `_id`, then folds each accumulator's values. */
export function groupStage(docs: Doc[], spec: unknown): Doc[] {
  if (!isDoc(spec) || !('_id' in spec)) throw new CommandError(15955, "a group specification must include an _id");
  const accs = parseAccumulators(spec);
  const groups = new Map<string, GroupState>();
  for (const doc of docs) {
    const id = evaluate(spec._id, doc) ?? null;
    const key = keyOf(id);
    let g = groups.get(key);
    if (!g) {
      g = { id, values: accs.map(() => []) };
      groups.set(key, g);
    }
    accs.forEach((a, i) => g.values[i].push(a.op === '$count' ? 1 : evaluate(a.expr, doc)));
  }
  return [...groups.values()].map((g) => {
    const out: Doc = { _id: g.id };
    accs.forEach((a, i) => {
      out[a.field] = finish(a.op, g.values[i]);
    });
    return out;
  });
}
