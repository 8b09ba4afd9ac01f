import { badValue, CommandError } from '../errors';
import { isIndexPart } from '../query/paths';
import { isDoc, type Doc } from '../query/values';

/** Where one update operator writes: a key of a document or an index of an array. */
export interface Target {
  parent: Doc | unknown[];
  key: string | number;
}

/** What an update needs besides the document: insert flag, `$` position, array filters. */
export interface UpdateContext {
  isInsert: boolean;
  /** Index matched by the query in the array at the given dotted prefix (for `$`). */
  positional: (prefix: string) => number;
  arrayFilters: Map<string, (element: unknown) => boolean>;
}

type Container = Doc | unknown[];

function isContainer(value: unknown): value is Container {
  return Array.isArray(value) || isDoc(value);
}

export function readTarget(t: Target): unknown {
  return Array.isArray(t.parent) ? t.parent[t.key as number] : t.parent[t.key as string];
}

export function writeTarget(t: Target, value: unknown): void {
  if (Array.isArray(t.parent)) {
    const i = t.key as number;
    while (t.parent.length < i) t.parent.push(null);
    t.parent[i] = value;
  } else t.parent[t.key as string] = value;
}

/** Expands `parts[i]` into keys of the container: plain, numeric, `$`, `$[]`, `$[id]` (`parts[0..i)` is its prefix). */
function expandKeys(container: Container, parts: string[], i: number, ctx: UpdateContext): Array<string | number> {
  const part = parts[i];
  if (part.charCodeAt(0) === 36 /* $ */ && (part === '$' || part.startsWith('$['))) {
    const prefix = parts.slice(0, i);
    if (!Array.isArray(container)) throw badValue(`Cannot apply array updates to non-array element ${prefix.join('.')}`);
    if (part === '$') return [ctx.positional(prefix.join('.'))];
    if (part === '$[]') return container.map((_, j) => j);
    const id = part.slice(2, -1);
    const filter = ctx.arrayFilters.get(id);
    if (!filter) throw badValue(`No array filter found for identifier '${id}' in path '${prefix.join('.')}.${part}'`);
    const out: number[] = [];
    container.forEach((el, j) => {
      if (filter(el)) out.push(j);
    });
    return out;
  }
  if (Array.isArray(container)) {
    if (isIndexPart(part)) return [Number(part)];
    throw new CommandError(28, `Cannot create field '${part}' in element {${parts[i - 1]}: [...]}`);
  }
  return [part];
}

/**
 * Resolves the places a dotted update path writes to. With `create`, missing intermediate
 * documents are made (for $set, $inc, $push...); without it, missing paths resolve to nothing.
 */
export function resolveTargets(doc: Doc, parts: string[], ctx: UpdateContext, create: boolean): Target[] {
  const last = parts.length - 1;
  // A plain top-level field: the common `$set: { field: v }`.
  if (last === 0 && parts[0].charCodeAt(0) !== 36) return [{ parent: doc, key: parts[0] }];
  let containers: Container[] = [doc];
  for (let i = 0; i < last; i++) {
    const next: Container[] = [];
    for (const c of containers) {
      for (const key of expandKeys(c, parts, i, ctx)) {
        const t: Target = { parent: c, key };
        let child = readTarget(t);
        if (!isContainer(child)) {
          if (!create) continue;
          if (child !== undefined && child !== null) {
            throw new CommandError(28, `Cannot create field '${parts[i + 1]}' in element {${parts[i]}: ${JSON.stringify(child)}}`);
          }
          child = {};
          writeTarget(t, child);
        }
        next.push(child as Container);
      }
    }
    containers = next;
  }
  const out: Target[] = [];
  for (const c of containers) for (const key of expandKeys(c, parts, last, ctx)) out.push({ parent: c, key });
  return out;
}
