/**
 * Decorators only record what they saw: the class, its kind, its options and the file that declared it.
 * The registry turns these records into workers later (collect → validate → mount).
 */

/** 'database' or the name of a worker kind ('schedule', 'websocket', 'stream', or one a project registered). */
export type DeclarationKind = string;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type AnyClass = Function;

/** One decorator application. `options` is the decorator's argument; its kind validates it when the registry builds. */
export interface Declaration<O extends object = object> {
  kind: DeclarationKind;
  target: AnyClass;
  options: O;
  file: string | undefined;
  seq: number;
}

export const DECLARATION_KEY = Symbol.for('sluice.declaration');

const declarations: Declaration[] = [];
let seq = 0;

/** The file that applied a decorator, read from the call stack (decorators run while the module loads). */
function callerFile(): string | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+?\.(?:ts|js|mts|cts|mjs|cjs)):\d+:\d+\)?$/.exec(line.trim());
    if (!m) continue;
    const file = m[1].replace(/^file:\/\//, '');
    // Skip our own frames (decorators of every kind) and transpiler helpers (vite's decorate helper lives under a virtual \0 path).
    if (!/\/app\/core\/decorators\/|\.decorator\.(?:ts|js)$|\/node_modules\/|\0|@oxc-project/.test(file)) return file;
  }
  return undefined;
}

export function record(kind: DeclarationKind, target: AnyClass, options: object): void {
  const existing = Reflect.getOwnMetadata(DECLARATION_KEY, target) as Declaration | undefined;
  const decl: Declaration = { kind, target, options, file: callerFile(), seq: ++seq };
  if (existing) {
    throw new Error(`${target.name} in ${decl.file ?? 'unknown file'} carries two Sluice decorators (@${existing.kind} and @${kind}); a class is one kind of worker`);
  }
  Reflect.defineMetadata(DECLARATION_KEY, decl, target);
  declarations.push(decl);
}

/** Every declaration recorded in this process so far, in load order. */
export function allDeclarations(): readonly Declaration[] {
  return declarations;
}

export function declarationOf(target: AnyClass): Declaration | undefined {
  return Reflect.getOwnMetadata(DECLARATION_KEY, target) as Declaration | undefined;
}
