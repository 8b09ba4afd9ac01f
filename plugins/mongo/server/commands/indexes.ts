import { CommandError, notSupported } from '../errors';
import { isDoc, keyOf, type Doc } from '../query/values';
import { collectionName, existingCollection, type CommandHandler } from './context';

const SUPPORTED_OPTIONS = new Set(['key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'background', 'v']);

/** Validates one index spec and fills in mongod's default name (`a_1_b_-1`). */
function normalizeSpec(raw: unknown): Doc {
  if (!isDoc(raw) || !isDoc(raw.key) || Object.keys(raw.key).length === 0) {
    throw new CommandError(9, 'Error in specification: the "key" field must be a non-empty object');
  }
  for (const [field, dir] of Object.entries(raw.key)) {
    if (dir !== 1 && dir !== -1) throw notSupported(`index type ${JSON.stringify(dir)} on field '${field}'`);
  }
  for (const option of Object.keys(raw)) {
    if (!SUPPORTED_OPTIONS.has(option)) throw notSupported(`index option '${option}'`);
  }
  const name = raw.name ?? Object.entries(raw.key).map(([f, d]) => `${f}_${String(d)}`).join('_');
  const spec: Doc = { v: 2, key: raw.key, name };
  for (const option of ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds']) {
    if (raw[option] !== undefined && raw[option] !== false) spec[option] = raw[option];
  }
  return spec;
}

const createIndexes: CommandHandler = (ctx) => {
  const specs = ctx.body.indexes;
  if (!Array.isArray(specs) || specs.length === 0) throw new CommandError(2, 'Must specify at least one index to create');
  const normalized = specs.map(normalizeSpec);
  const created = !existingCollection(ctx);
  const coll = ctx.state.catalog.getOrCreate(ctx.db, collectionName(ctx));
  const before = coll.indexes.size + 1;
  let newCount = 0;
  for (const spec of normalized) {
    try {
      if (coll.createIndex(spec) === 'created') newCount += 1;
    } catch (err) {
      if (err instanceof CommandError && err.code === 11000) {
        throw new CommandError(11000, `Index build failed: ${err.message}`, err.details);
      }
      throw err;
    }
  }
  const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size + 1, createdCollectionAutomatically: created };
  if (newCount === 0) reply.note = 'all indexes already exist';
  return { ...reply, ok: 1 };
};

const listIndexes: CommandHandler = (ctx) => {
  const coll = existingCollection(ctx);
  const ns = `${ctx.db}.${collectionName(ctx)}`;
  if (!coll) throw new CommandError(26, `ns does not exist: ${ns}`);
  const cursor = isDoc(ctx.body.cursor) ? ctx.body.cursor : {};
  return ctx.state.cursors.start(ns, coll.indexSpecs(), { batchSize: cursor.batchSize ?? Infinity });
};

/** Index names a dropIndexes argument refers to: '*', a name, a list of names or a key pattern. */
function namesToDrop(arg: unknown, specs: Doc[]): string[] {
  if (arg === '*') return specs.map((s) => String(s.name)).filter((n) => n !== '_id_');
  if (typeof arg === 'string') return [arg];
  if (Array.isArray(arg)) return arg.map(String);
  if (isDoc(arg)) {
    const hit = specs.find((s) => keyOf(s.key) === keyOf(arg));
    if (!hit) throw new CommandError(27, `can't find index with key: ${JSON.stringify(arg)}`);
    return [String(hit.name)];
  }
  throw new CommandError(14, "BSON field 'dropIndexes.index' is the wrong type");
}

const dropIndexes: CommandHandler = (ctx) => {
  const coll = existingCollection(ctx);
  if (!coll) throw new CommandError(26, `ns not found ${ctx.db}.${collectionName(ctx)}`);
  const nIndexesWas = coll.indexes.size + 1;
  const names = namesToDrop(ctx.body.index, coll.indexSpecs());
  for (const name of names) if (name !== '_id_' && !coll.indexes.has(name)) throw new CommandError(27, `index not found with name [${name}]`);
  for (const name of names) coll.dropIndex(name);
  return { nIndexesWas, ok: 1 };
};

export const INDEX_COMMANDS: Record<string, CommandHandler> = { createIndexes, listIndexes, dropIndexes, deleteIndexes: dropIndexes };
