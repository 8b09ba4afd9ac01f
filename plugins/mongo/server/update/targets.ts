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

/** Expands one path part into keys of the container: plain, numeric, `$`, `$[]`, `$[id]`. */
function expandKeys(container: Container, part: string, prefix: string[], ctx: UpdateContext): Array<string | number> {
  if (part === '$' || part.startsWith('$[')) {
    if (!Array.isArray(container)) throw badValue(`Cannot apply array updates to non-array element ${prefix.join('.')}`);
    if (part === '$') return [ctx.positional(prefix.join('.'))];
    if (part === '$[]') return container.map((_, i) => i);
    const id = part.slice(2, -1);
    const filter = ctx.arrayFilters.get(id);
    if (!filter) throw badValue(`No array filter found for identifier '${id}' in path '${prefix.join('.')}.${part}'`);
    const out: number[] = [];
    container.forEach((el, i) => {
      if (filter(el)) out.push(i);
    });
    return out;
  }
  if (Array.isArray(container)) {
    if (isIndexPart(part)) return [Number(part)];
    throw new CommandError(28, `Cannot create field '${part}' in element {${prefix[prefix.length - 1]}: [...]}`);
  }
  return [part];
}

/**
 * Resolves the places a dotted update path writes to. With `create`, missing intermediate
 * documents are made (for $set, $inc, $push...); without it, missing paths resolve to nothing.
 */
export function resolveTargets(doc: Doc, parts: string[], ctx: UpdateContext, create: boolean): Target[] {
  let containers: Container[] = [doc];
  for (let i = 0; i < parts.length - 1; i++) {
    const next: Container[] = [];
    for (const c of containers) {
      for (const key of expandKeys(c, parts[i], parts.slice(0, i), ctx)) {
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
  const last = parts[parts.length - 1];
  return containers.flatMap((c) => expandKeys(c, last, parts.slice(0, -1), ctx).map((key) => ({ parent: c, key })));
}
