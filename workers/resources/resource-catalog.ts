/**
 * The resources this plugin serves: every `*.resource.ts` (or compiled `.js`) under its folder, imported at boot.
 * Each file's default export must be a `defineResource({…})`; a bad declaration fails the boot naming the file.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';
import { CronExpressionParser } from 'cron-parser';
import { isResource, type ResourceDefinition } from './resource';

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export class ResourceCatalog {
  private readonly byName: ReadonlyMap<string, ResourceDefinition>;

  constructor(defs: readonly ResourceDefinition[]) {
    const map = new Map<string, ResourceDefinition>();
    for (const def of defs) {
      checkDefinition(def);
      if (map.has(def.name)) throw new Error(`resource "${def.name}" is declared twice; resource names are unique`);
      map.set(def.name, def);
    }
    this.byName = map;
  }

  get(name: string): ResourceDefinition | undefined {
    return this.byName.get(name);
  }

  list(): ResourceDefinition[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get size(): number {
    return this.byName.size;
  }
}

/** Throws a message naming the resource and the fix. */
export function checkDefinition(def: ResourceDefinition): void {
  if (!NAME.test(def.name)) throw new Error(`resource name ${JSON.stringify(def.name)} must match ${NAME} (it is part of a URL)`);
  if (typeof def.load !== 'function') throw new Error(`resource "${def.name}" has no load(ctx) function`);
  if (typeof def.idField !== 'string' || !def.idField) throw new Error(`resource "${def.name}" needs an idField (the field getById looks up)`);
  if (def.refresh) {
    try {
      CronExpressionParser.parse(def.refresh.cron, { tz: def.refresh.timezone });
    } catch (err) {
      throw new Error(`resource "${def.name}" has an invalid refresh cron "${def.refresh.cron}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export async function findResourceFiles(dir: string): Promise<string[]> {
  const files = await fg(['**/*.resource.ts', '**/*.resource.js'], { cwd: dir, absolute: true, ignore: ['**/*.d.ts', '**/node_modules/**'] });
  const ts = new Set(files.filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)));
  return files.filter((f) => !(f.endsWith('.js') && ts.has(f.slice(0, -3)))).sort();
}

/** Imports every resource file under `dir` (this folder by default) into a catalog. */
export async function discoverResources(dir: string = __dirname): Promise<ResourceCatalog> {
  const defs: ResourceDefinition[] = [];
  for (const file of await findResourceFiles(dir)) {
    const rel = path.relative(process.cwd(), file);
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (err) {
      throw new Error(`${rel}: could not be imported: ${err instanceof Error ? err.message : String(err)}`);
    }
    // tsx/CJS interop may wrap the default export once more.
    const value = isResource(mod.default) ? mod.default : (mod.default as { default?: unknown } | undefined)?.default;
    if (!isResource(value)) throw new Error(`${rel}: the default export must be defineResource({ name, description, idField, load })`);
    try {
      checkDefinition(value);
    } catch (err) {
      throw new Error(`${rel}: ${err instanceof Error ? err.message : String(err)}`);
    }
    defs.push(value);
  }
  try {
    return new ResourceCatalog(defs);
  } catch (err) {
    throw new Error(`${path.relative(process.cwd(), dir)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
