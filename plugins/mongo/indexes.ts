import type { CreateIndexesOptions, Db, Document } from 'mongodb';

/** One index a worker needs on a collection. */
export interface DeclaredIndex {
  /** Key pattern, e.g. `{ shop: 1, sku: 1 }`. */
  key: Record<string, 1 | -1>;
  /** Reject a second document with the same key. @default false */
  unique?: boolean;
  /** Index name. @default mongod's generated name, e.g. "shop_1_sku_1" */
  name?: string;
  /** Skip documents without the indexed fields. @default false */
  sparse?: boolean;
  /** Index only documents matching this filter. @default undefined (all documents) */
  partialFilterExpression?: Document;
}

/** Indexes declared by plugins at import time and created once at boot. */
export class IndexRegistry {
  private readonly byCollection = new Map<string, DeclaredIndex[]>();

  /** Registers indexes for a collection; declaring the same key pattern twice keeps the last. */
  declare(collection: string, specs: readonly DeclaredIndex[]): void {
    const list = this.byCollection.get(collection) ?? [];
    for (const spec of specs) {
      const sameKey = JSON.stringify(spec.key);
      const kept = list.filter((s) => JSON.stringify(s.key) !== sameKey);
      kept.push(spec);
      list.splice(0, list.length, ...kept);
    }
    this.byCollection.set(collection, list);
  }

  declared(): ReadonlyMap<string, readonly DeclaredIndex[]> {
    return this.byCollection;
  }

  /** Creates every declared index in `db`; returns the index names per collection. */
  async ensure(db: Db): Promise<Record<string, string[]>> {
    const created: Record<string, string[]> = {};
    for (const [collection, specs] of this.byCollection) {
      if (specs.length === 0) continue;
      created[collection] = await db.collection(collection).createIndexes(specs.map((s) => ({ key: s.key, ...options(s) })));
    }
    return created;
  }

  clear(): void {
    this.byCollection.clear();
  }
}

function options(spec: DeclaredIndex): CreateIndexesOptions {
  const out: CreateIndexesOptions = {};
  if (spec.unique) out.unique = true;
  if (spec.name) out.name = spec.name;
  if (spec.sparse) out.sparse = true;
  if (spec.partialFilterExpression) out.partialFilterExpression = spec.partialFilterExpression;
  return out;
}

/** The process-wide registry the functions below use. */
export const indexRegistry = new IndexRegistry();

/** Declares indexes for `collection`; they are created by `ensureIndexes(db)` at boot. */
export function declareIndexes(collection: string, specs: readonly DeclaredIndex[]): void {
  indexRegistry.declare(collection, specs);
}

/** Creates all declared indexes; fails (e.g. E11000) if existing data violates a unique one. */
export function ensureIndexes(db: Db): Promise<Record<string, string[]>> {
  return indexRegistry.ensure(db);
}
