import { badValue } from '../errors';
import { compileFilter, type Predicate } from '../query/matcher';
import { getPath, splitPath } from '../query/paths';
import { isDoc, type Doc } from '../query/values';

/** Query conditions (including those inside $and) on the array at `prefix` or below it. */
function conditionsOn(query: Doc, prefix: string, out: Array<[string, unknown]>): void {
  for (const [key, cond] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isDoc(sub)) conditionsOn(sub, prefix, out);
    } else if (key === prefix || key.startsWith(prefix + '.')) out.push([key, cond]);
  }
}

/** Turns `{ 'grades.score': C }` into a test of one element of `grades`. */
function elementTest(key: string, cond: unknown, prefix: string): (el: unknown) => boolean {
  const rest = key.slice(prefix.length);
  if (rest === '' && isDoc(cond) && '$elemMatch' in cond) {
    const pred: Predicate = compileFilter({ x: cond });
    return (el) => pred({ x: [el] });
  }
  const pred = compileFilter({ ['x' + rest]: cond });
  return (el) => pred({ x: el });
}

/** Resolves the `$` positional operator: the first array element the query matched. */
export function positionalResolver(query: Doc, doc: Doc): (prefix: string) => number {
  return (prefix) => {
    const arr = getPath(doc, splitPath(prefix));
    const conds: Array<[string, unknown]> = [];
    conditionsOn(query, prefix, conds);
    const tests = conds.map(([k, c]) => elementTest(k, c, prefix));
    if (Array.isArray(arr) && tests.length > 0) {
      const i = arr.findIndex((el) => tests.every((t) => t(el)));
      if (i >= 0) return i;
    }
    throw badValue('The positional operator did not find the match needed from the query.');
  };
}

/** Compiles `arrayFilters` into one element test per identifier. */
export function compileArrayFilters(filters: unknown): Map<string, (el: unknown) => boolean> {
  const out = new Map<string, (el: unknown) => boolean>();
  if (filters === undefined || filters === null) return out;
  if (!Array.isArray(filters)) throw badValue('arrayFilters must be an array');
  for (const f of filters) {
    if (!isDoc(f) || Object.keys(f).length === 0) throw badValue('Cannot use an expression without a top-level field name in arrayFilters');
    const id = splitPath(Object.keys(f)[0])[0];
    const pred = compileFilter(f);
    out.set(id, (el) => pred({ [id]: el }));
  }
  return out;
}
