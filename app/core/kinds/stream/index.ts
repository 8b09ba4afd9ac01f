/** The stream kind: Redis Streams consumer groups with ack-after-success, reclaim and dead-lettering. */
import type { Container } from '../../runtime/container';
import { ListenerManager, supervisorServices } from '../../runtime/listeners';
import type { ControlMessage } from '../../services/control';
import type { KindRuntime, WorkerKind } from '../kind';
import { buildStream, describeStream, type StreamDefinition } from './stream.definition';
import { streamMetrics, STREAM_COUNTERS } from './stream.metrics';
import { ensureGroup, streamKeys } from './stream.redis';
import { StreamSupervisor } from './stream-supervisor';
import { StreamWorker } from './stream-worker';

/** Creates every group at boot (MKSTREAM), then supervises one consumer per stream worker. */
class StreamRuntime implements KindRuntime {
  private readonly manager: ListenerManager;
  private readonly supervisors: StreamSupervisor[] = [];

  constructor(private readonly defs: StreamDefinition[], private readonly c: Container) {
    const deps = {
      ...supervisorServices(c), redisFactory: c.redisFactory, graceMs: c.settings.SHUTDOWN_GRACE_MS,
      stateIntervalMs: c.settings.STREAM_STATE_INTERVAL_MS, pruneIdleMs: c.settings.STREAM_CONSUMER_PRUNE_MS,
    };
    this.manager = new ListenerManager(c, defs, (def) => {
      const sup = new StreamSupervisor(def as StreamDefinition, deps);
      this.supervisors.push(sup);
      return sup;
    }, 'stream consumer');
  }

  get summary(): string {
    return this.manager.summary;
  }

  async start(): Promise<void> {
    for (const def of this.defs) await ensureGroup(this.c.redis, streamKeys(this.c.keys, def).stream, def.group);
    await this.manager.start();
    // Figures stay current while the process runs, whether the consumer reads or not.
    for (const sup of this.supervisors) sup.figures.start();
  }

  control(m: ControlMessage): Promise<void> {
    return this.manager.control(m);
  }

  async stop(): Promise<void> {
    for (const sup of this.supervisors) sup.figures.stop();
    await this.manager.stop();
  }
}

const figure = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

export const streamKind: WorkerKind<StreamDefinition> = {
  name: 'stream',
  decorator: 'Stream',
  base: StreamWorker,
  build: buildStream,
  describe: describeStream,
  actions: ['stop', 'start', 'restart', 'enable', 'disable'],
  activeStates: ['consuming'],
  states: ['consuming', 'stopped', 'disabled'],
  idleState: 'stopped',
  run: (defs, c) => new StreamRuntime(defs, c),
  details: (live) => ({
    consumers: figure(live.consumers), pending: figure(live.pending), lag: figure(live.lag), length: figure(live.length),
    ...Object.fromEntries(STREAM_COUNTERS.map((k) => [k, Number(live[k] ?? 0) || 0])),
  }),
  metrics: streamMetrics,
};

export type { StreamDefinition } from './stream.definition';
export { StreamWorker, StreamEntriesError, type StreamEntry, type StreamContext, type StreamResult } from './stream-worker';
