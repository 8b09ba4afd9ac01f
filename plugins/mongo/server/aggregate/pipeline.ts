import { badValue, CommandError, notSupported } from '../errors';
import { evaluate } from '../query/expressions';
import { compileFilter } from '../query/matcher';
import { getPath, setPath, splitPath } from '../query/paths';
import { compileProjection } from '../query/projection';
import { sortDocs } from '../query/sort';
import { cloneValue, isDoc, type Doc } from '../query/values';
import { groupStage } from './group';
import { lookupStage } from './lookup';

/** Access to sibling collections of the same database (for $lookup). */
export interface PipelineContext {
  foreignDocs(collection: string): Doc[];
}

type Stage = (docs: Doc[], arg: unknown, ctx: PipelineContext) => Doc[];

function count(arg: unknown, what: string): number {
  if (typeof arg !== 'number' || arg < 0) throw badValue(`invalid argument to ${what} stage`);
  return arg;
}

function addFields(docs: Doc[], arg: unknown): Doc[] {
  if (!isDoc(arg)) throw badValue('$addFields specification stage must be an object');
  return docs.map((doc) => {
    const out = cloneValue(doc);
    for (const [path, expr] of Object.entries(arg)) setPath(out, splitPath(path), evaluate(expr, doc));
    return out;
  });
}

function unwind(docs: Doc[], arg: unknown): Doc[] {
  const spec = typeof arg === 'string' ? { path: arg } : arg;
  if (!isDoc(spec) || typeof spec.path !== 'string' || !spec.path.startsWith('$')) {
    throw new CommandError(28818, "path option to $unwind stage should be prefixed with a '$'");
  }
  const parts = splitPath(spec.path.slice(1));
  const keepEmpty = spec.preserveNullAndEmptyArrays === true;
  const indexField = typeof spec.includeArrayIndex === 'string' ? spec.includeArrayIndex : undefined;
  return docs.flatMap((doc) => {
    const value = getPath(doc, parts);
    if (Array.isArray(value) && value.length > 0) {
      return value.map((el, i) => {
        const out = cloneValue(doc);
        setPath(out, parts, el);
        if (indexField) out[indexField] = i;
        return out;
      });
    }
    if (!keepEmpty && (value === undefined || value === null || Array.isArray(value))) return [];
    const out = cloneValue(doc);
    if (Array.isArray(value)) delete out[parts[0]];
    if (indexField) out[indexField] = null;
    return [out];
  });
}

function replaceRoot(docs: Doc[], expr: unknown): Doc[] {
  return docs.map((doc) => {
    const root = evaluate(expr, doc);
    if (!isDoc(root)) throw new CommandError(40228, "'newRoot' expression must evaluate to an object");
    return root;
  });
}

const STAGES: Record<string, Stage> = {
  $match: (docs, arg) => docs.filter(compileFilter(arg)),
  $project: (docs, arg) => docs.map(compileProjection(arg, 'aggregate') as (d: Doc) => Doc),
  $addFields: addFields,
  $set: addFields,
  $unset: (docs, arg) => {
    const fields = typeof arg === 'string' ? [arg] : arg;
    if (!Array.isArray(fields)) throw badValue('$unset specification must be a string or an array');
    const project = compileProjection(Object.fromEntries(fields.map((f) => [String(f), 0])), 'aggregate') as (d: Doc) => Doc;
    return docs.map(project);
  },
  $group: groupStage,
  $sort: (docs, arg) => sortDocs(docs, arg),
  $limit: (docs, arg) => docs.slice(0, count(arg, '$limit')),
  $skip: (docs, arg) => docs.slice(count(arg, '$skip')),
  $count: (docs, arg) => {
    if (typeof arg !== 'string' || arg === '') throw badValue('the count field must be a non-empty string');
    return docs.length === 0 ? [] : [{ [arg]: docs.length }];
  },
  $unwind: unwind,
  $lookup: (docs, arg, ctx) => lookupStage(docs, arg, (name) => ctx.foreignDocs(name)),
  $replaceRoot: (docs, arg) => replaceRoot(docs, isDoc(arg) ? arg.newRoot : undefined),
  $replaceWith: replaceRoot,
  $sortByCount: (docs, arg) => sortDocs(groupStage(docs, { _id: arg, count: { $sum: 1 } }), { count: -1 }),
};

/** Runs an aggregation pipeline over an in-memory document list. */
export function runPipeline(docs: Doc[], pipeline: unknown, ctx: PipelineContext): Doc[] {
  if (!Array.isArray(pipeline)) throw badValue("'pipeline' option must be specified as an array");
  let current = docs;
  for (const stage of pipeline) {
    if (!isDoc(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0];
    if (name === '$out' || name === '$merge' || name === '$facet' || name === '$geoNear') throw notSupported(`${name} stage`);
    const impl = STAGES[name];
    if (!impl) throw new CommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    current = impl(current, stage[name], ctx);
  }
  return current;
}
