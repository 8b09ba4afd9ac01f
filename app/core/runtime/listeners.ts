/**
 * Starts and supervises the long-lived workers of one supervised kind (`@WebSocket` listeners, `@Stream`
 * consumers, …) in a worker process, and applies start / stop / restart requests (ControlChannel) and enable /
 * disable changes (schedule.changed events) from any process. A stop request is remembered in the worker's live
 * state (`requested=stopped`) so no other process takes over.
 */
import { describeTarget, EventBus } from '../services/events';
import { errorText } from '../services/failure';
import type { ControlMessage } from '../services/control';
import type { KindRuntime, WorkerDefinitionBase } from '../kinds/kind';
import type { WorkerContextServices } from '../kinds/worker-context';
import type { Container } from './container';

/** One supervised worker in this process. */
export interface Supervisor {
  /** Starts unless disabled or stopped on request (then it only publishes that state). */
  start(enabled: boolean, stoppedByRequest: boolean): Promise<void>;
  /** Stops the work in hand cleanly and publishes `state`. */
  stop(state: 'stopped' | 'disabled', reason: string): Promise<void>;
}

/** The process services a supervisor and its handler's ctx reach. */
export function supervisorServices(c: Container): WorkerContextServices & Pick<Container, 'keys' | 'mirror' | 'recorder'> {
  return {
    redis: c.redis, keys: c.keys, mirror: c.mirror, events: c.events, recorder: c.recorder, config: c.config, logger: c.logger,
    dispatcher: c.dispatcher, mongo: () => c.mongo(), databases: () => c.registry.databaseOptions(),
  };
}

export class ListenerManager implements KindRuntime {
  private readonly supervisors = new Map<string, Supervisor>();

  /** `label` names the kind's workers in the boot line ("2 listener(s)"). */
  constructor(private readonly c: Container, defs: readonly WorkerDefinitionBase[], create: (def: WorkerDefinitionBase) => Supervisor, private readonly label = 'listener') {
    for (const def of defs) this.supervisors.set(def.id, create(def));
  }

  get size(): number {
    return this.supervisors.size;
  }

  get summary(): string {
    return `${this.size} ${this.label}(s)`;
  }

  supervisor(id: string): Supervisor | undefined {
    return this.supervisors.get(id);
  }

  async start(): Promise<void> {
    if (!this.supervisors.size) return;
    for (const id of this.supervisors.keys()) await this.apply(id);
    const sub = this.c.redisFactory.create(`worker:${this.label}-events`, { blocking: true });
    await EventBus.subscribe(sub, this.c.keys.events, (e) => {
      const workerId = (e.data as { workerId?: string }).workerId;
      if (e.type === 'schedule.changed' && workerId && this.supervisors.has(workerId)) return this.apply(workerId);
    }, (err, e) => this.c.logger.error(`listeners: could not apply ${e?.type ?? 'an event'}${describeTarget(e)}: ${errorText(err)}`, { workerId: (e?.data as { workerId?: string } | undefined)?.workerId }));
  }

  /** Handles a control request aimed at a supervised worker of this process. */
  async control(m: ControlMessage): Promise<void> {
    if (m.type !== 'listener') return;
    const sup = this.supervisors.get(m.workerId);
    if (!sup) return;
    if (m.action === 'stop' || m.action === 'restart') {
      await this.c.mirror.setLiveState(m.workerId, { requested: m.action === 'stop' ? 'stopped' : '' });
      await sup.stop('stopped', `${m.action} requested`);
    }
    if (m.action === 'start' || m.action === 'restart') {
      await this.c.mirror.setLiveState(m.workerId, { requested: '' });
      await this.apply(m.workerId);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.supervisors.values()].map((s) => s.stop('stopped', 'worker shutting down')));
  }

  /** Brings one worker in line with its durable enabled flag and any stop request. */
  private async apply(id: string): Promise<void> {
    const sup = this.supervisors.get(id)!;
    const [row] = await this.c.mirror.loadWorkers([id]);
    const requested = (await this.c.mirror.liveState(id)).requested;
    if (row && !row.enabled) return sup.stop('disabled', 'worker is disabled');
    await sup.start(true, requested === 'stopped');
  }
}
