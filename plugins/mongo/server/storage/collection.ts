import { UUID } from 'mongodb';
import { badValue, CommandError } from '../errors';
import { compileFilter } from '../query/matcher';
import { cloneValue, keyOf, valuesEqual, type Doc } from '../query/values';
import { duplicateKeyMessage } from './key-format';
import { planQuery } from './planner';
import { SecondaryIndex, type IndexEntry } from './secondary-index';

export const ID_INDEX_SPEC: Doc = { v: 2, key: { _id: 1 }, name: '_id_' };

export type IndexCreation = 'created' | 'exists';

/** One collection: documents by canonical _id key (insertion order = natural order) plus indexes. */
export class Collection {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, SecondaryIndex>();
  readonly uuid = new UUID();

  constructor(
    readonly db: string,
    readonly name: string,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  private idKey(doc: Doc): string {
    if (Array.isArray(doc._id)) throw new CommandError(53, "The '_id' value cannot be of type array");
    return keyOf(doc._id);
  }

  private entriesOf(doc: Doc): Map<SecondaryIndex, IndexEntry[]> {
    const out = new Map<SecondaryIndex, IndexEntry[]>();
    for (const index of this.indexes.values()) out.set(index, index.entriesFor(doc));
    return out;
  }

  /** Inserts a document that already carries an _id; throws E11000 without side effects. */
  insert(doc: Doc): void {
    const id = this.idKey(doc);
    if (this.docs.has(id)) {
      const keyValue = { _id: doc._id };
      throw new CommandError(11000, duplicateKeyMessage(this.ns, '_id_', keyValue), { keyPattern: { _id: 1 }, keyValue });
    }
    const entries = this.entriesOf(doc);
    for (const [index, e] of entries) index.checkUnique(e, id, this.ns);
    for (const [index, e] of entries) index.add(e, id);
    this.docs.set(id, doc);
  }

  /** Swaps a stored document for its updated version, keeping indexes consistent. */
  replace(oldDoc: Doc, newDoc: Doc): void {
    if (!valuesEqual(oldDoc._id, newDoc._id)) {
      throw new CommandError(66, "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    const id = this.idKey(oldDoc);
    const before = this.entriesOf(oldDoc);
    const after = this.entriesOf(newDoc);
    for (const [index, e] of after) index.checkUnique(e, id, this.ns);
    for (const [index, e] of before) {
      const next = after.get(index) as IndexEntry[];
      if (e.length === next.length && e.every((x, i) => x.key === next[i].key)) continue;
      index.remove(e, id);
      index.add(next, id);
    }
    this.docs.set(id, newDoc);
  }

  remove(doc: Doc): void {
    const id = this.idKey(doc);
    for (const [index, e] of this.entriesOf(doc)) index.remove(e, id);
    this.docs.delete(id);
  }

  /** Documents matching a filter, in natural order unless an index narrowed the candidates. */
  find(filter: unknown, limit = Infinity): Doc[] {
    const pred = compileFilter(filter);
    const out: Doc[] = [];
    if (limit <= 0) return out;
    const plan = planQuery(filter, this.indexes.values());
    if (plan.kind === 'scan') {
      for (const doc of this.docs.values()) {
        if (pred(doc)) {
          out.push(doc);
          if (out.length >= limit) break;
        }
      }
      return out;
    }
    // Planner keys are distinct; a non-unique or multikey index may still name one document under several keys.
    const seen = plan.kind === 'index' && (plan.keys.length > 1 || !plan.index.unique) ? new Set<string>() : null;
    for (const key of plan.keys) {
      const ids = plan.kind === 'id' ? [key] : plan.index.lookup(key);
      for (const id of ids) {
        if (seen) {
          if (seen.has(id)) continue;
          seen.add(id);
        }
        const doc = this.docs.get(id);
        if (doc && pred(doc)) {
          out.push(doc);
          if (out.length >= limit) return out;
        }
      }
    }
    return out;
  }

  /** Builds an index over existing documents; fails with E11000 if they violate uniqueness. */
  createIndex(spec: Doc): IndexCreation {
    const existing = [...this.indexes.values()].find((i) => i.name === spec.name || keyOf(i.spec.key) === keyOf(spec.key));
    if (existing || spec.name === '_id_') return this.checkSameIndex(existing?.spec ?? ID_INDEX_SPEC, spec);
    const index = new SecondaryIndex(cloneValue(spec));
    for (const [id, doc] of this.docs) {
      const e = index.entriesFor(doc);
      index.checkUnique(e, id, this.ns);
      index.add(e, id);
    }
    this.indexes.set(index.name, index);
    return 'created';
  }

  private checkSameIndex(existing: Doc, spec: Doc): IndexCreation {
    if (keyOf(existing.key) !== keyOf(spec.key)) {
      throw new CommandError(86, `An existing index has the same name as the requested index but different key pattern. Requested index: ${spec.name}`);
    }
    if (existing.name !== spec.name) {
      throw new CommandError(85, `Index already exists with a different name: ${String(existing.name)}`);
    }
    if ((existing.unique === true) !== (spec.unique === true) && existing.name !== '_id_') {
      throw new CommandError(86, `An existing index has the same name as the requested index but different options. Requested index: ${spec.name}`);
    }
    return 'exists';
  }

  dropIndex(name: string): void {
    if (name === '_id_') throw new CommandError(72, 'cannot drop _id index');
    if (!this.indexes.delete(name)) throw new CommandError(27, `index not found with name [${name}]`);
  }

  indexSpecs(): Doc[] {
    return [ID_INDEX_SPEC, ...[...this.indexes.values()].map((i) => i.spec)];
  }
}

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.includes('$') || name.includes('\0')) {
    throw new CommandError(73, `Invalid collection name: ${String(name)}`);
  }
  return name;
}

export function requireDoc(value: unknown, what: string): Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badValue(`${what} must be an object`);
  return value as Doc;
}
