import { BSONRegExp } from 'mongodb';
import { isOperatorDoc } from '../query/matcher';
import { isDoc, keyOf, type Doc } from '../query/values';
import type { SecondaryIndex } from './secondary-index';

/** How to fetch candidate documents: by _id keys, by index keys, or by scanning everything. */
export type Plan =
  | { kind: 'id'; keys: string[] }
  | { kind: 'index'; index: SecondaryIndex; keys: string[] }
  | { kind: 'scan' };

function isLookupValue(v: unknown): boolean {
  return !Array.isArray(v) && !(v instanceof RegExp) && !(v instanceof BSONRegExp) && !isOperatorDoc(v);
}

/** Equality (and $in) values per path at the top level of a filter or inside $and. */
function equalities(filter: Doc, out: Map<string, unknown[]>): void {
  for (const key of Object.keys(filter)) {
    const cond = filter[key];
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isDoc(sub)) equalities(sub, out);
    } else if (key.startsWith('$') || out.has(key)) {
      continue;
    } else if (isOperatorDoc(cond)) {
      if ('$eq' in cond && isLookupValue(cond.$eq)) out.set(key, [cond.$eq]);
      else if (Array.isArray(cond.$in) && cond.$in.every(isLookupValue)) out.set(key, cond.$in);
    } else if (isLookupValue(cond)) out.set(key, [cond]);
  }
}

function product(lists: unknown[][]): unknown[][] {
  // The common case (one value per field: a key pinned by equality) needs no cross product.
  if (lists.every((vals) => vals.length === 1)) return [lists.map((vals) => vals[0])];
  let combos: unknown[][] = [[]];
  for (const vals of lists) combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
  return combos;
}

const MAX_LOOKUP_KEYS = 10_000;

/** Picks _id, then a unique index, then any index whose fields all have equality conditions. Keys are distinct. */
export function planQuery(filter: unknown, indexes: Iterable<SecondaryIndex>): Plan {
  if (!isDoc(filter)) return { kind: 'scan' };
  const eq = new Map<string, unknown[]>();
  equalities(filter, eq);
  if (eq.size === 0) return { kind: 'scan' };
  const ids = eq.get('_id');
  if (ids) return { kind: 'id', keys: ids.length === 1 ? [keyOf(ids[0])] : [...new Set(ids.map(keyOf))] };
  let best: Plan = { kind: 'scan' };
  for (const index of indexes) {
    if (!index.usableForLookup || !index.fields.every((f) => eq.has(f))) continue;
    const combos = product(index.fields.map((f) => eq.get(f) as unknown[]));
    if (combos.length > MAX_LOOKUP_KEYS) continue;
    best = { kind: 'index', index, keys: combos.length === 1 ? [index.keyFor(combos[0])] : [...new Set(combos.map((c) => index.keyFor(c)))] };
    if (index.unique) break;
  }
  return best;
}
