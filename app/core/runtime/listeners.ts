/**
 * Starts and supervises every `@WebSocket` listener in a worker process, and applies start / stop / restart
 * requests (ControlChannel) and enable / disable changes (schedule.changed events) from any process.
 * A stop request is remembered in the listener's live state (`requested=stopped`) so no other process takes over.
 */
import { ListenerSupervisor } from '../services/listener-supervisor';
import { EventBus } from '../services/events';
import type { ControlMessage } from '../services/control';
import type { Container } from './container';

export class ListenerManager {
  private readonly supervisors = new Map<string, ListenerSupervisor>();

  constructor(private readonly c: Container) {
    for (const def of c.registry.listeners) {
      this.supervisors.set(def.id, new ListenerSupervisor(def, {
        redis: c.redis, keys: c.keys, mirror: c.mirror, events: c.events, recorder: c.recorder, config: c.config,
        logger: c.logger, leaseMs: c.settings.LISTENER_LEASE_MS,
      }));
    }
  }

  get size(): number {
    return this.supervisors.size;
  }

  /** Listeners connected (or reconnecting) in this process now, for GET /processes. */
  active(): string[] {
    return [...this.supervisors].filter(([, s]) => s.state === 'connected' || s.state === 'reconnecting').map(([id]) => id);
  }

  supervisor(id: string): ListenerSupervisor | undefined {
    return this.supervisors.get(id);
  }

  async start(): Promise<void> {
    if (!this.supervisors.size) return;
    for (const id of this.supervisors.keys()) await this.apply(id);
    const sub = this.c.redisFactory.create('worker:listener-events', { blocking: true });
    await EventBus.subscribe(sub, this.c.keys.events, (e) => {
      const workerId = (e.data as { workerId?: string }).workerId;
      if (e.type === 'schedule.changed' && workerId && this.supervisors.has(workerId)) void this.apply(workerId);
    });
  }

  /** Handles a control request aimed at a listener of this process. */
  async control(m: Extract<ControlMessage, { type: 'listener' }>): Promise<void> {
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

  /** Brings one listener in line with its durable enabled flag and any stop request. */
  private async apply(id: string): Promise<void> {
    const sup = this.supervisors.get(id)!;
    const [row] = await this.c.mirror.loadWorkers([id]);
    const requested = (await this.c.mirror.liveState(id)).requested;
    if (row && !row.enabled) return sup.stop('disabled', 'worker is disabled');
    await sup.start(true, requested === 'stopped');
  }
}
