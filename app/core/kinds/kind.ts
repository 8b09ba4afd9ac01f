/**
 * A worker kind: everything the core knows about one sort of worker (schedule, websocket, stream, …), in one
 * object. The registry builds definitions through it, the worker process runs them through it, the state mirror
 * and `/workers` describe them through it, and the control routes ask it which actions apply.
 */
import type { AnyClass, Declaration } from '../decorators/declarations';
import type { Container } from '../runtime/container';
import type { ControlMessage } from '../services/control';

/** Defaults the registry applies where a declaration says nothing (from settings). */
export interface RegistryDefaults {
  timezone: string;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

/** What every worker definition carries, whatever its kind. */
export interface WorkerDefinitionBase {
  readonly kind: string;
  readonly id: string;
  readonly cls: AnyClass;
  readonly file: string;
  readonly description: string;
  readonly enabled: boolean;
}

/** Control routes of the API: `trigger` and `schedule` are queue actions, `start`/`restart` supervised ones. */
export type ControlAction = 'trigger' | 'stop' | 'start' | 'restart' | 'enable' | 'disable' | 'schedule';

/** How a worker process runs the workers of one kind. */
export interface KindRuntime {
  /** Shown in the worker's boot line ("2 queue(s): a, b", "1 listener(s)"). */
  readonly summary: string;
  start(): Promise<void>;
  /** A control request from any process (cancel, start/stop/restart); requests for other workers are ignored. */
  control(message: ControlMessage): void | Promise<void>;
  /** Shutdown: finish or hand back the work in hand within `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

/** What a kind may add to `/metrics` (gauges read at scrape time from the workers' views). */
export interface KindMetricsContext {
  registers: import('prom-client').Registry[];
  /** Live hashes of this kind's workers, read when Prometheus scrapes. */
  liveOf(): Promise<Array<{ id: string; live: Record<string, string> }>>;
}

export interface WorkerKind<D extends WorkerDefinitionBase = WorkerDefinitionBase> {
  /** Stored in `workers.kind` and shown as `kind` in `/workers`. */
  readonly name: string;
  /** The decorator's name, for boot errors (`@Schedule on X in file: …`). */
  readonly decorator: string;
  /** Base class a decorated class must extend. */
  readonly base: AnyClass;
  /** Validates one declaration (the id and base class are checked already) and builds its definition; throws naming the file. */
  build(decl: Declaration, file: string, id: string, defaults: RegistryDefaults): D;
  /** The options stored in `workers.options` and shown in `/workers`. */
  describe(def: D): Record<string, unknown>;
  /** The `cron` / `timezone` columns of the `workers` row. @defaultValue both null */
  columns?(def: D): { cron: string | null; timezone: string | null };
  /** Which control routes apply to workers of this kind. */
  readonly actions: readonly ControlAction[];
  /** Live `state` values while the worker is up (a start is refused then, a stop accepted). Supervised kinds only. */
  readonly activeStates?: readonly string[];
  /** Every live `state` value of a supervised kind (the `sluice_listener_state` gauge). */
  readonly states?: readonly string[];
  /** `state` shown before a process wrote one. */
  readonly idleState: string;
  /** Worker process: runs every worker of this kind (absent = nothing to run in worker processes). */
  run?(defs: D[], c: Container): KindRuntime;
  /** Kind-specific part of `/workers/:id` (`details`), read from the live hash. @defaultValue none */
  details?(live: Record<string, string>): Record<string, unknown>;
  /** Metrics this kind adds to `/metrics`. @defaultValue none */
  metrics?(m: KindMetricsContext): void;
}
