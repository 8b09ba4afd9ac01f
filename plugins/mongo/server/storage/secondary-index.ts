import { badValue, CommandError } from '../errors';
import { compileFilter, type Predicate } from '../query/matcher';
import { collectPathValues, splitPath } from '../query/paths';
import { cloneValue, isDoc, keyOf, type Doc } from '../query/values';
import { duplicateKeyMessage } from './key-format';

/** One index key of a document plus the field values that produced it (for error messages). */
export interface IndexEntry {
  key: string;
  values: unknown[];
}

const SEPARATOR = '\u0001';

/** Values a document has at an index field: array elements are indexed one by one (multikey). */
function fieldValues(doc: Doc, parts: string[]): unknown[] {
  if (parts.length === 1) {
    const v = doc[parts[0]];
    if (!Array.isArray(v)) return [v];
  }
  const raw = parts.length === 1 ? [doc[parts[0]]] : collectPathValues(doc, parts);
  const out: unknown[] = [];
  for (const v of raw) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      else out.push(...v);
    } else out.push(v);
  }
  return out.length === 0 ? [undefined] : out;
}

/** A secondary index: hash lookups by canonical key, uniqueness enforced on every write. */
export class SecondaryIndex {
  readonly name: string;
  readonly fields: string[];
  readonly unique: boolean;
  /** Sparse and partial indexes miss documents, so equality lookups may not use them. */
  readonly usableForLookup: boolean;
  private readonly parts: string[][];
  private readonly sparse: boolean;
  private readonly partial: Predicate | null;
  private readonly entries = new Map<string, string | Set<string>>();

  constructor(readonly spec: Doc) {
    if (!isDoc(spec.key) || Object.keys(spec.key).length === 0) throw badValue('index key pattern must be a non-empty object');
    this.name = String(spec.name);
    this.fields = Object.keys(spec.key);
    this.parts = this.fields.map(splitPath);
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : null;
    this.usableForLookup = !this.sparse && !this.partial;
  }

  /** Index entries of a document; empty when a sparse or partial index skips it. */
  entriesFor(doc: Doc): IndexEntry[] {
    if (this.partial && !this.partial(doc)) return [];
    const perField = this.parts.map((p) => fieldValues(doc, p));
    if (this.sparse && perField.every((vals) => vals.every((v) => v === undefined))) return [];
    // One value per field (no arrays on the way): exactly one entry, no cross product needed.
    if (perField.every((vals) => vals.length === 1)) {
      const values = perField.map((vals) => vals[0]);
      return [{ key: this.keyFor(values), values }];
    }
    let combos: unknown[][] = [[]];
    for (const vals of perField) combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
    const seen = new Map<string, IndexEntry>();
    for (const values of combos) {
      const key = this.keyFor(values);
      if (!seen.has(key)) seen.set(key, { key, values });
    }
    return [...seen.values()];
  }

  keyFor(values: unknown[]): string {
    return values.length === 1 ? keyOf(values[0]) : values.map(keyOf).join(SEPARATOR);
  }

  lookup(key: string): string[] {
    const hit = this.entries.get(key);
    if (hit === undefined) return [];
    return typeof hit === 'string' ? [hit] : [...hit];
  }

  /** Throws E11000 when another document already holds one of these unique keys. */
  checkUnique(entries: IndexEntry[], idKey: string, ns: string): void {
    if (!this.unique) return;
    for (const e of entries) {
      const owner = this.entries.get(e.key);
      if (owner !== undefined && owner !== idKey) throw this.duplicateError(e, ns);
    }
  }

  duplicateError(entry: IndexEntry, ns: string): CommandError {
    const keyPattern = cloneValue(this.spec.key as Doc);
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      keyValue[f] = entry.values[i] ?? null;
    });
    return new CommandError(11000, duplicateKeyMessage(ns, this.name, keyValue), { keyPattern, keyValue });
  }

  add(entries: IndexEntry[], idKey: string): void {
    for (const { key } of entries) {
      if (this.unique) {
        this.entries.set(key, idKey);
        continue;
      }
      const hit = this.entries.get(key);
      if (hit instanceof Set) hit.add(idKey);
      else this.entries.set(key, new Set([idKey]));
    }
  }

  remove(entries: IndexEntry[], idKey: string): void {
    for (const { key } of entries) {
      const hit = this.entries.get(key);
      if (hit === idKey) this.entries.delete(key);
      else if (hit instanceof Set) {
        hit.delete(idKey);
        if (hit.size === 0) this.entries.delete(key);
      }
    }
  }
}
