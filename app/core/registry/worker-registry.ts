/** The registry: validated definitions built from decorator records. Throws on the first boot problem. */
import { DatabaseBase } from '../structures/database-base';
import type { AnyClass, Declaration } from '../decorators/declarations';
import type { DatabaseOptions } from '../decorators/options';
import { findKind, workerKinds } from '../kinds';
import type { RegistryDefaults, WorkerDefinitionBase } from '../kinds/kind';
import type { ScheduleDefinition } from '../kinds/schedule/schedule.definition';
import type { WebSocketDefinition } from '../kinds/websocket/websocket.definition';
import { defaultWorkerId, extendsBase, ID_PATTERN } from './definition-checks';
import { messages } from './registry.messages';

export { defaultWorkerId } from './definition-checks';
export type { RegistryDefaults, WorkerDefinitionBase } from '../kinds/kind';
export type { ScheduleDefinition } from '../kinds/schedule/schedule.definition';
export type { WebSocketDefinition } from '../kinds/websocket/websocket.definition';

export interface DatabaseDefinition {
  name: string;
  cls: AnyClass;
  file: string;
  options: DatabaseOptions;
}

/** A worker of any kind; narrow with `registry.ofKind()` / `registry.schedule()` or the kind's own type. */
export type WorkerDefinition = WorkerDefinitionBase;

export class WorkerRegistry {
  readonly workers = new Map<string, WorkerDefinition>();
  readonly databases = new Map<string, DatabaseDefinition>();

  /** Every worker of one kind, in declaration order. */
  ofKind<D extends WorkerDefinitionBase = WorkerDefinitionBase>(kind: string): D[] {
    return [...this.workers.values()].filter((w) => w.kind === kind) as D[];
  }

  get schedules(): ScheduleDefinition[] {
    return this.ofKind<ScheduleDefinition>('schedule');
  }

  get listeners(): WebSocketDefinition[] {
    return this.ofKind<WebSocketDefinition>('websocket');
  }

  get(id: string): WorkerDefinition | undefined {
    return this.workers.get(id);
  }

  schedule(id: string): ScheduleDefinition | undefined {
    const w = this.workers.get(id);
    return w?.kind === 'schedule' ? (w as ScheduleDefinition) : undefined;
  }

  databaseOptions(): Map<string, DatabaseOptions> {
    return new Map([...this.databases].map(([k, v]) => [k, v.options]));
  }
}

function addDatabase(registry: WorkerRegistry, decl: Declaration, file: string): void {
  if (!extendsBase(decl.target, DatabaseBase)) throw new Error(messages.wrongBase('Database', decl.target.name, 'DatabaseBase', file));
  const options = decl.options as DatabaseOptions;
  const prev = registry.databases.get(options.name);
  if (prev && prev.cls !== decl.target) throw new Error(messages.duplicateDatabase(options.name, prev.file, file));
  registry.databases.set(options.name, { name: options.name, cls: decl.target, file, options });
}

/** The kind's checks shared by every kind (base class, id), then the kind's own validation. */
function buildWorker(decl: Declaration, file: string, defaults: RegistryDefaults): WorkerDefinition {
  const kind = findKind(decl.kind);
  if (!kind) throw new Error(messages.unknownKind(decl.kind, decl.target.name, file, workerKinds().map((k) => k.name)));
  if (!extendsBase(decl.target, kind.base)) throw new Error(messages.wrongBase(kind.decorator, decl.target.name, kind.base.name, file));
  const id = (decl.options as { id?: string }).id ?? defaultWorkerId(decl.target.name);
  if (!ID_PATTERN.test(id)) throw new Error(messages.invalidId(id, file));
  return kind.build(decl, file, id, defaults);
}

/** Validates declarations and builds the registry; the first problem throws, naming the file. */
export function buildRegistry(decls: ReadonlyArray<{ decl: Declaration; file: string }>, defaults: RegistryDefaults): WorkerRegistry {
  const registry = new WorkerRegistry();
  for (const { decl, file } of decls) {
    if (decl.kind === 'database') {
      addDatabase(registry, decl, file);
      continue;
    }
    const def = buildWorker(decl, file, defaults);
    const prev = registry.workers.get(def.id);
    if (prev && prev.cls !== def.cls) throw new Error(messages.duplicateId(def.id, prev.file, file));
    registry.workers.set(def.id, def);
  }
  return registry;
}
