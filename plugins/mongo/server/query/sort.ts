import { badValue, notSupported } from '../errors';
import { collectPathValues, splitPath } from './paths';
import { compareValues, isDoc, type Doc } from './values';

export type Comparator = (a: Doc, b: Doc) => number;

interface SortKey {
  parts: string[];
  direction: 1 | -1;
}

/**
 * Sort key of one document: arrays sort by their smallest element ascending and by their
 * largest descending, missing fields sort as null — both as mongod does.
 */
function sortValue(doc: Doc, key: SortKey): unknown {
  const values = collectPathValues(doc, key.parts).flatMap((v) => (Array.isArray(v) && v.length > 0 ? v : [v]));
  let best: unknown = values[0];
  for (let i = 1; i < values.length; i++) {
    if (compareValues(values[i], best) * key.direction < 0) best = values[i];
  }
  return best === undefined ? null : best;
}

function parseSort(spec: unknown): SortKey[] {
  if (spec === undefined || spec === null) return [];
  if (!isDoc(spec)) throw badValue('sort must be an object');
  const keys: SortKey[] = Object.keys(spec).map((field) => {
    const dir = spec[field];
    if (isDoc(dir)) throw notSupported('$meta sort');
    if (dir !== 1 && dir !== -1) throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return { parts: splitPath(field), direction: dir };
  });
  return keys;
}

export function compileSort(spec: unknown): Comparator | null {
  const keys = parseSort(spec);
  if (keys.length === 0) return null;
  return (a, b) => {
    for (const key of keys) {
      const c = compareValues(sortValue(a, key), sortValue(b, key)) * key.direction;
      if (c !== 0) return c;
    }
    return 0;
  };
}

/** Stable sort of a copy; sort values are computed once per document, not per comparison. */
export function sortDocs(docs: Doc[], spec: unknown): Doc[] {
  const keys = parseSort(spec);
  if (keys.length === 0) return docs;
  const decorated = docs.map((doc) => ({ doc, values: keys.map((k) => sortValue(doc, k)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareValues(a.values[i], b.values[i]) * keys[i].direction;
      if (c !== 0) return c;
    }
    return 0;
  });
  return decorated.map((d) => d.doc);
}
