import { CommandError, notSupported } from '../errors';
import { runPipeline } from '../aggregate/pipeline';
import { compileFilter } from '../query/matcher';
import { collectPathValues, splitPath } from '../query/paths';
import { compileProjection } from '../query/projection';
import { sortDocs } from '../query/sort';
import { isDoc, keyOf, type Doc } from '../query/values';
import { collectionName, existingCollection, pipelineContext, type CommandContext, type CommandHandler } from './context';

function rejectUnsupported(body: Doc): void {
  if (body.collation !== undefined) throw notSupported('collation');
  if (body.tailable === true || body.awaitData === true) throw notSupported('tailable cursors');
}

function nonNegative(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CommandError(2, `${name} must be non-negative, but received: ${String(value)}`);
  return n;
}

/** Filtered, sorted, skipped and limited documents of the command's collection. */
function queryDocs(ctx: CommandContext, filter: unknown, sort: unknown, skip: number, limit: number): Doc[] {
  const coll = existingCollection(ctx);
  if (!coll) {
    compileFilter(filter);
    return [];
  }
  const sorted = sort !== undefined && isDoc(sort) && Object.keys(sort).length > 0;
  const needed = sorted ? Infinity : limit > 0 ? skip + limit : Infinity;
  let docs = coll.find(filter, needed);
  if (sorted) docs = sortDocs(docs, sort);
  return docs.slice(skip, limit > 0 ? skip + limit : undefined);
}

const find: CommandHandler = (ctx) => {
  const { body } = ctx;
  rejectUnsupported(body);
  const projector = compileProjection(body.projection, 'find');
  const limit = Math.abs(Number(body.limit ?? 0));
  const docs = queryDocs(ctx, body.filter, body.sort, nonNegative(body.skip, 'skip'), limit);
  const out = projector ? docs.map(projector) : docs;
  const singleBatch = body.singleBatch === true || Number(body.limit) < 0;
  return ctx.state.cursors.start(`${ctx.db}.${collectionName(ctx)}`, out, { batchSize: body.batchSize, singleBatch });
};

const getMore: CommandHandler = (ctx) => {
  const coll = ctx.body.collection;
  if (typeof coll !== 'string') throw new CommandError(2, "BSON field 'getMore.collection' is missing but a required field");
  return ctx.state.cursors.getMore(ctx.body.getMore, `${ctx.db}.${coll}`, ctx.body.batchSize);
};

const killCursors: CommandHandler = (ctx) => {
  const ids = Array.isArray(ctx.body.cursors) ? ctx.body.cursors : [];
  const { killed, notFound } = ctx.state.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: CommandHandler = (ctx) => {
  const { body } = ctx;
  const limit = Math.abs(Number(body.limit ?? 0));
  const n = queryDocs(ctx, body.query, undefined, nonNegative(body.skip, 'skip'), limit).length;
  return { n, ok: 1 };
};

const distinct: CommandHandler = (ctx) => {
  const { body } = ctx;
  if (typeof body.key !== 'string') throw new CommandError(14, "BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const parts = splitPath(body.key);
  const values = new Map<string, unknown>();
  for (const doc of queryDocs(ctx, body.query, undefined, 0, 0)) {
    for (const v of collectPathValues(doc, parts)) {
      for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined) values.set(keyOf(item), item);
    }
  }
  return { values: [...values.values()], ok: 1 };
};

const aggregate: CommandHandler = (ctx) => {
  const { body } = ctx;
  rejectUnsupported(body);
  if (!isDoc(body.cursor) && body.explain !== true) {
    throw new CommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  if (body.explain === true) throw notSupported('explain');
  const target = body.aggregate;
  if (target === 1) throw notSupported('collection-less aggregate');
  const coll = existingCollection(ctx);
  let pipeline = body.pipeline;
  let source: Doc[] = [];
  if (coll && Array.isArray(pipeline) && isDoc(pipeline[0]) && '$match' in pipeline[0]) {
    // A leading $match may use an index, like mongod's planner would.
    source = coll.find(pipeline[0].$match);
    pipeline = pipeline.slice(1);
  } else if (coll) source = [...coll.docs.values()];
  const docs = runPipeline(source, pipeline, pipelineContext(ctx));
  const cursor = body.cursor as Doc;
  return ctx.state.cursors.start(`${ctx.db}.${collectionName(ctx)}`, docs, { batchSize: cursor.batchSize });
};

export const READ_COMMANDS: Record<string, CommandHandler> = { find, getMore, killCursors, count, distinct, aggregate };
