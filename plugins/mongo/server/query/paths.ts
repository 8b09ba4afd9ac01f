import { isDoc, type Doc } from './values';

const splitCache = new Map<string, string[]>();

/** Dotted path split, memoised because the same few paths are used for every document. */
export function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (!parts) {
    parts = path.split('.');
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

export function isIndexPart(part: string): boolean {
  return /^\d+$/.test(part);
}

/**
 * Query-side path resolution: walks through arrays of documents the way mongod does,
 * so `a.b` over `{a: [{b: 1}, {b: 2}]}` yields 1 and 2. A missing leaf yields undefined.
 */
export function collectPathValues(doc: unknown, parts: string[]): unknown[] {
  const out: unknown[] = [];
  collect(doc, parts, 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[i];
    if (isIndexPart(part)) {
      collect(value[Number(part)], parts, i + 1, out);
    }
    for (const el of value) {
      if (isDoc(el) || Array.isArray(el)) collectFromElement(el, parts, i, out);
    }
    return;
  }
  if (isDoc(value)) {
    collect(value[parts[i]], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

function collectFromElement(el: unknown, parts: string[], i: number, out: unknown[]): void {
  if (isDoc(el)) collect(el[parts[i]], parts, i + 1, out);
}

/** Plain path read without array fan-out (numeric parts index arrays). */
export function getPath(doc: unknown, parts: string[]): unknown {
  let current: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(current) && isIndexPart(part)) current = current[Number(part)];
    else if (isDoc(current)) current = current[part];
    else return undefined;
  }
  return current;
}

/** Aggregation-expression path read: arrays map to the values found in their documents. */
export function getExpressionPath(value: unknown, parts: string[], i = 0): unknown {
  if (i === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const el of value) {
      if (!isDoc(el) && !Array.isArray(el)) continue;
      const v = getExpressionPath(el, parts, i);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (isDoc(value)) return getExpressionPath(value[parts[i]], parts, i + 1);
  return undefined;
}

/** Writes a value at a dotted path, creating intermediate documents (used for upsert seeds). */
export function setPath(doc: Doc, parts: string[], value: unknown): void {
  let current: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = current[parts[i]];
    if (isDoc(next)) current = next;
    else {
      const created: Doc = {};
      current[parts[i]] = created;
      current = created;
    }
  }
  current[parts[parts.length - 1]] = value;
}
