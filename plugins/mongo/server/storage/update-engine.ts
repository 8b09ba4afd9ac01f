import { ObjectId } from 'mongodb';
import { badValue, CommandError } from '../errors';
import { isOperatorDoc } from '../query/matcher';
import { setPath, splitPath } from '../query/paths';
import { sortDocs } from '../query/sort';
import { cloneValue, isDoc, sameValue, valuesEqual, type Doc } from '../query/values';
import { runPipeline, type PipelineContext } from '../aggregate/pipeline';
import { applyOperators, validateOperators } from '../update/apply-update';
import { compileArrayFilters, positionalResolver } from '../update/positional';
import type { UpdateContext } from '../update/targets';
import type { Collection } from './collection';

/** One update statement, as found in `update.updates[]` or a findAndModify command. */
export interface UpdateStatement {
  q: Doc;
  u: unknown;
  upsert: boolean;
  multi: boolean;
  arrayFilters?: unknown;
  sort?: unknown;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  before: Doc | null;
  after: Doc | null;
}

type UpdateKind = 'operators' | 'replacement' | 'pipeline';

function classify(u: unknown, multi: boolean): UpdateKind {
  if (Array.isArray(u)) return 'pipeline';
  if (!isDoc(u)) throw new CommandError(9, 'Update argument must be either an object or an array');
  if (isOperatorDoc(u)) {
    validateOperators(u);
    return 'operators';
  }
  if (Object.keys(u).some((k) => k.startsWith('$'))) throw badValue('Unknown modifier mixed with replacement fields');
  if (multi) throw new CommandError(9, 'multi update is not supported for replacement-style update');
  return 'replacement';
}

function withIdFirst(doc: Doc): Doc {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

function updatedCopy(doc: Doc, st: UpdateStatement, kind: UpdateKind, ctx: UpdateContext, pipe: PipelineContext): Doc {
  if (kind === 'operators') {
    const out = cloneValue(doc);
    applyOperators(out, st.u as Doc, ctx);
    return out;
  }
  if (kind === 'replacement') {
    const u = cloneValue(st.u as Doc);
    if (doc._id !== undefined && u._id !== undefined && !valuesEqual(doc._id, u._id)) {
      throw new CommandError(66, "After applying the update, the (immutable) field '_id' was found to have been altered");
    }
    return doc._id === undefined ? u : { _id: doc._id, ...u };
  }
  const [out] = runPipeline([cloneValue(doc)], st.u, pipe);
  if (!out) throw badValue('update pipeline produced no document');
  return out;
}

/** Seed document of an upsert: the equality conditions of the query. */
function upsertSeed(query: Doc, kind: UpdateKind, out: Doc = {}): Doc {
  for (const [key, cond] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (isDoc(sub)) upsertSeed(sub, kind, out);
      continue;
    }
    if (key.startsWith('$') || (kind === 'replacement' && key !== '_id')) continue;
    const value = isOperatorDoc(cond) ? ('$eq' in cond ? cond.$eq : undefined) : cond;
    if (value !== undefined && !(value instanceof RegExp)) setPath(out, splitPath(key), cloneValue(value));
  }
  return out;
}

/** Runs one update or findAndModify statement against a collection. */
export function performUpdate(coll: Collection, st: UpdateStatement, pipe: PipelineContext): UpdateOutcome {
  const kind = classify(st.u, st.multi);
  const arrayFilters = compileArrayFilters(st.arrayFilters);
  const matches = st.sort ? sortDocs(coll.find(st.q), st.sort).slice(0, st.multi ? undefined : 1) : coll.find(st.q, st.multi ? Infinity : 1);
  const outcome: UpdateOutcome = { matched: 0, modified: 0, before: null, after: null };
  for (const doc of matches) {
    const ctx: UpdateContext = { isInsert: false, positional: positionalResolver(st.q, doc), arrayFilters };
    const next = updatedCopy(doc, st, kind, ctx, pipe);
    outcome.matched += 1;
    outcome.before ??= doc;
    if (sameValue(doc, next)) {
      outcome.after ??= doc;
      continue;
    }
    coll.replace(doc, next);
    outcome.modified += 1;
    outcome.after ??= next;
  }
  if (matches.length === 0 && st.upsert) {
    const ctx: UpdateContext = { isInsert: true, positional: positionalResolver(st.q, {}), arrayFilters };
    const created = withIdFirst(updatedCopy(upsertSeed(st.q, kind), st, kind, ctx, pipe));
    coll.insert(created);
    outcome.upsertedId = created._id;
    outcome.after = created;
  }
  return outcome;
}
