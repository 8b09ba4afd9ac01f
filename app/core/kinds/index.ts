/**
 * The one list of worker kinds. Adding a kind to the core is one folder under `app/core/kinds/<kind>/` and one
 * line here. A project (or a test) adds its own kind without editing the core: `registerWorkerKind(kind)` from the
 * module that defines its decorator, which worker files import — so the kind is known in every process that
 * discovers those files, before the registry is built.
 */
import type { WorkerDefinitionBase, WorkerKind } from './kind';
import { scheduleKind } from './schedule';
import { websocketKind } from './websocket';
import { streamKind } from './stream';

const builtIn: WorkerKind<never>[] = [
  scheduleKind as WorkerKind<never>,
  websocketKind as WorkerKind<never>,
  streamKind as WorkerKind<never>,
];

const kinds = new Map<string, WorkerKind>(builtIn.map((k) => [k.name, k as unknown as WorkerKind]));

/**
 * Adds a worker kind to the list (idempotent for the same object). Throws when another kind already has the name,
 * or when the name is 'database' (taken by `@Database`).
 */
export function registerWorkerKind<D extends WorkerDefinitionBase>(kind: WorkerKind<D>): void {
  const existing = kinds.get(kind.name);
  if (existing === (kind as unknown as WorkerKind)) return;
  if (existing || kind.name === 'database') throw new Error(`A worker kind named "${kind.name}" is already registered`);
  kinds.set(kind.name, kind as unknown as WorkerKind);
}

/** Every registered kind, built-in ones first. */
export function workerKinds(): readonly WorkerKind[] {
  return [...kinds.values()];
}

export function findKind(name: string): WorkerKind | undefined {
  return kinds.get(name);
}

/** The kind of a worker definition or record; throws when the kind is unknown in this process. */
export function kindOf(worker: { kind: string; id?: string }): WorkerKind {
  const kind = kinds.get(worker.kind);
  if (!kind) throw new Error(`Worker ${worker.id ?? ''} has kind "${worker.kind}", which this process does not know (known: ${[...kinds.keys()].join(', ')})`);
  return kind;
}

export type { WorkerKind, WorkerDefinitionBase, KindRuntime, ControlAction, RegistryDefaults, KindMetricsContext } from './kind';
