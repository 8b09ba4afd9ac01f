import { badValue, CommandError } from '../errors';
import { evaluate } from './expressions';
import { compileCondition } from './matcher';
import { getPath, setPath, splitPath } from './paths';
import { isDoc, type Doc } from './values';

type Tree = { [key: string]: Tree | true };
export type ProjectionMode = 'find' | 'aggregate';

interface CompiledProjection {
  inclusion: boolean;
  tree: Tree;
  computed: Array<[string[], unknown]>;
  slices: Array<[string[], unknown]>;
  elemMatches: Array<[string[], (values: unknown[]) => boolean]>;
}

function addToTree(tree: Tree, parts: string[]): void {
  let node = tree;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i]];
    if (next === true) return;
    node = next ?? (node[parts[i]] = {});
  }
  node[parts[parts.length - 1]] = true;
}

function isFlag(v: unknown): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** Classifies each projection entry; mixing inclusion and exclusion is an error, as in mongod. */
function compile(spec: Doc, mode: ProjectionMode): CompiledProjection {
  const p: CompiledProjection = { inclusion: false, tree: {}, computed: [], slices: [], elemMatches: [] };
  let excludes = false;
  let excludeId = false;
  for (const [path, v] of Object.entries(spec)) {
    const parts = splitPath(path);
    if (mode === 'find' && isDoc(v) && '$slice' in v) p.slices.push([parts, v.$slice]);
    else if (mode === 'find' && isDoc(v) && '$elemMatch' in v) {
      p.elemMatches.push([parts, compileCondition({ $elemMatch: v.$elemMatch })]);
      p.inclusion = true;
    } else if (isFlag(v) && !v) {
      if (path === '_id') excludeId = true;
      else excludes = true;
      addToTree(p.tree, parts);
    } else if (isFlag(v)) {
      p.inclusion = true;
      addToTree(p.tree, parts);
    } else {
      p.inclusion = true;
      p.computed.push([parts, v]);
    }
  }
  if (p.inclusion && excludes) throw new CommandError(31254, 'Cannot do exclusion on field in inclusion projection');
  if (p.inclusion) {
    // Since MongoDB 4.4 a $slice inside an inclusion projection also includes its field.
    for (const [parts] of p.slices) addToTree(p.tree, parts);
    if (excludeId) delete p.tree._id;
    else if (!('_id' in p.tree)) p.tree._id = true;
  }
  return p;
}

function include(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const node = tree[key];
    if (node === undefined) continue;
    const v = doc[key];
    if (node === true) out[key] = v;
    else if (isDoc(v)) out[key] = include(v, node);
    else if (Array.isArray(v)) out[key] = v.filter(isDoc).map((el) => include(el, node));
  }
  return out;
}

function exclude(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const node = tree[key];
    const v = doc[key];
    if (node === true) continue;
    if (node === undefined) out[key] = v;
    else if (isDoc(v)) out[key] = exclude(v, node);
    else if (Array.isArray(v)) out[key] = v.map((el) => (isDoc(el) ? exclude(el, node) : el));
    else out[key] = v;
  }
  return out;
}

function applySlice(value: unknown, arg: unknown): unknown {
  if (!Array.isArray(value)) return value;
  if (typeof arg === 'number') return arg >= 0 ? value.slice(0, arg) : value.slice(arg);
  if (Array.isArray(arg) && arg.length === 2) {
    const [skip, limit] = arg as number[];
    const start = skip < 0 ? Math.max(value.length + skip, 0) : skip;
    return value.slice(start, start + limit);
  }
  throw badValue('$slice takes a number or an array of two numbers');
}

/** Builds a projector for find projections or the $project stage. */
export function compileProjection(spec: unknown, mode: ProjectionMode): ((doc: Doc) => Doc) | null {
  if (spec === undefined || spec === null) return null;
  if (!isDoc(spec)) throw badValue('projection must be an object');
  if (Object.keys(spec).length === 0) {
    if (mode === 'aggregate') throw badValue('$project requires at least one output field');
    return null;
  }
  const p = compile(spec, mode);
  return (doc) => {
    const out = p.inclusion ? include(doc, p.tree) : exclude(doc, p.tree);
    for (const [parts, expr] of p.computed) {
      const v = evaluate(expr, doc);
      if (v !== undefined) setPath(out, parts, v);
    }
    for (const [parts, arg] of p.slices) {
      const v = getPath(out, parts);
      if (v !== undefined) setPath(out, parts, applySlice(v, arg));
    }
    for (const [parts, test] of p.elemMatches) {
      const v = getPath(doc, parts);
      const hit = Array.isArray(v) ? v.find((el) => test([[el]])) : undefined;
      if (hit !== undefined) setPath(out, parts, [hit]);
    }
    return out;
  };
}
