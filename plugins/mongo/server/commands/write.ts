import { ObjectId } from 'mongodb';
import { asCommandError, CommandError } from '../errors';
import { compileFilter } from '../query/matcher';
import { isDoc, type Doc } from '../query/values';
import { performUpdate } from '../storage/update-engine';
import { Collection, validateCollectionName } from '../storage/collection';
import { arrayArgument, collectionName, pipelineContext, type CommandContext, type CommandHandler } from './context';

interface WriteTally {
  writeErrors: Doc[];
}

/** Runs each statement; unordered batches go on after a failure, ordered ones stop. */
function forEachStatement(body: Doc, items: Doc[], tally: WriteTally, run: (item: Doc, index: number) => void): void {
  const ordered = body.ordered !== false;
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i], i);
    } catch (err) {
      tally.writeErrors.push(asCommandError(err).toWriteError(i));
      if (ordered) break;
    }
  }
}

function reply(fields: Doc, tally: WriteTally): Doc {
  return tally.writeErrors.length > 0 ? { ...fields, writeErrors: tally.writeErrors, ok: 1 } : { ...fields, ok: 1 };
}

/** mongod stores _id as the first field whatever order the client sent. */
function withIdFirst(doc: Doc): Doc {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

const insert: CommandHandler = (ctx) => {
  const coll = ctx.state.catalog.getOrCreate(ctx.db, collectionName(ctx));
  const docs = arrayArgument(ctx.body, 'documents');
  const tally: WriteTally = { writeErrors: [] };
  let n = 0;
  forEachStatement(ctx.body, docs, tally, (doc) => {
    if (!isDoc(doc)) throw new CommandError(2, 'document to insert must be an object');
    coll.insert(withIdFirst(doc));
    n += 1;
  });
  return reply({ n }, tally);
};

const update: CommandHandler = (ctx) => {
  const statements = arrayArgument(ctx.body, 'updates');
  const coll = targetCollection(ctx, statements.some((st) => st.upsert === true));
  const pipe = pipelineContext(ctx);
  const tally: WriteTally = { writeErrors: [] };
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  statements.forEach((st, index) => rejectCollation(st, index));
  forEachStatement(ctx.body, statements, tally, (st, index) => {
    const q = isDoc(st.q) ? st.q : {};
    const out = performUpdate(coll, { q, u: st.u, upsert: st.upsert === true, multi: st.multi === true, arrayFilters: st.arrayFilters }, pipe);
    n += out.matched;
    nModified += out.modified;
    if (out.upsertedId !== undefined) {
      n += 1;
      upserted.push({ index, _id: out.upsertedId });
    }
  });
  const fields: Doc = upserted.length > 0 ? { n, nModified, upserted } : { n, nModified };
  return reply(fields, tally);
};

const remove: CommandHandler = (ctx) => {
  const coll = ctx.state.catalog.get(ctx.db, collectionName(ctx));
  const statements = arrayArgument(ctx.body, 'deletes');
  const tally: WriteTally = { writeErrors: [] };
  let n = 0;
  forEachStatement(ctx.body, statements, tally, (st) => {
    const limit = st.limit === 1 ? 1 : Infinity;
    if (!coll) {
      compileFilter(st.q);
      return;
    }
    for (const doc of coll.find(st.q, limit)) {
      coll.remove(doc);
      n += 1;
    }
  });
  return reply({ n }, tally);
};

/**
 * Only upserts create a collection; otherwise a missing one acts as an empty, unregistered
 * collection so filters and updates are still validated.
 */
export function targetCollection(ctx: CommandContext, mayCreate: boolean): Collection {
  const name = collectionName(ctx);
  if (mayCreate) return ctx.state.catalog.getOrCreate(ctx.db, name);
  return ctx.state.catalog.get(ctx.db, name) ?? new Collection(ctx.db, validateCollectionName(name));
}

function rejectCollation(st: Doc, index: number): void {
  if (st.collation !== undefined) throw new CommandError(115, `collation (statement ${index}) is not supported by the Sluice test server`);
}

export const WRITE_COMMANDS: Record<string, CommandHandler> = { insert, update, delete: remove };
export const WRITE_COMMAND_NAMES = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
