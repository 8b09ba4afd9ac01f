/**
 * Runs one `@Stream` worker in this process: its consumer (unique name per process), the live state
 * (consuming | stopped | disabled, plus consumers, pending and lag from XINFO GROUPS), `stream.state` events and
 * the durable worker_status. Start/stop/enable/disable arrive through the ListenerManager.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RedisFactory } from '../../services/redis';
import type { ExecutionRecorder } from '../../services/execution-recorder';
import type { RedisKeys } from '../../services/redis';
import type { StateMirror } from '../../services/state-mirror';
import { errorText } from '../../services/failure';
import type { Supervisor } from '../../runtime/listeners';
import { workerContext, type WorkerContextServices } from '../worker-context';
import type { IntOption, StreamDefinition } from './stream.definition';
import { StreamConsumer, type ConsumerSettings } from './stream-consumer';
import { streamKeys, type StreamKeys } from './stream.redis';
import { StreamFigures } from './stream-figures';
import type { BatchOutcome } from './stream-outcome';
import type { StreamWorker } from './stream-worker';

export type StreamState = 'consuming' | 'stopped' | 'disabled';

export interface StreamDeps extends WorkerContextServices {
  keys: RedisKeys;
  mirror: StateMirror;
  recorder: ExecutionRecorder;
  redisFactory: RedisFactory;
  graceMs: number;
  stateIntervalMs: number;
  pruneIdleMs: number;
}

export class StreamSupervisor implements Supervisor {
  /** Unique in the group: one consumer per worker process. */
  readonly consumerName = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly instance: StreamWorker;
  private readonly keys: StreamKeys;
  private consumer: StreamConsumer | null = null;
  private abort: AbortController | null = null;
  readonly figures: StreamFigures;

  constructor(private readonly def: StreamDefinition, private readonly deps: StreamDeps) {
    this.instance = new (def.cls as new () => StreamWorker)();
    this.keys = streamKeys(deps.keys, def);
    this.figures = new StreamFigures(def, this.keys, { ...deps, intervalMs: deps.stateIntervalMs, pruneIdleMs: deps.pruneIdleMs, consumer: this.consumerName });
  }

  async start(enabled: boolean, stoppedByRequest: boolean): Promise<void> {
    if (!enabled) return this.publish('disabled', 'worker is disabled');
    if (stoppedByRequest) return this.publish('stopped', 'stopped by request');
    if (this.consumer) return;
    const settings = this.settings();
    const abort = (this.abort = new AbortController());
    const ctx = { ...workerContext(this.deps, this.def.id, abort.signal), stream: this.keys.stream, group: this.def.group, consumer: this.consumerName };
    this.consumer = new StreamConsumer(this.def, this.keys, settings, {
      redis: this.deps.redis, redisFactory: this.deps.redisFactory, instance: this.instance, ctx, countsIntervalMs: this.deps.stateIntervalMs,
      onFailures: (outcome, dead) => this.failures(outcome, dead),
      onError: (err) => this.deps.logger.error(`stream ${this.def.id}: ${errorText(err)}`, { workerId: this.def.id }),
    });
    this.consumer.start();
    await this.figures.refresh();
    await this.publish('consuming', `consumer ${this.consumerName}, batches of ${settings.batchSize}, concurrency ${settings.concurrency}`);
  }

  async stop(state: 'stopped' | 'disabled', reason: string): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) {
      const inTime = await consumer.stop(this.deps.graceMs, () => this.abort?.abort(new Error(reason)));
      if (!inTime) this.deps.logger.warn(`stream ${this.def.id}: a batch did not finish within ${this.deps.graceMs} ms; it stays pending for another consumer`, { workerId: this.def.id });
      await this.leaveGroup();
    }
    await this.publish(state, reason);
    await this.figures.refresh();
  }

  /** Numeric options: the decorator's number, or the value of the setting it names (a positive integer). */
  private settings(): ConsumerSettings {
    const read = (option: string, value: IntOption): number => {
      if (typeof value === 'number') return value;
      const v = Number(this.deps.config.get(value, this.def.id));
      if (!Number.isInteger(v) || v < 1) throw new Error(`Stream worker "${this.def.id}": setting ${value} (its ${option}) must be a positive integer, got ${JSON.stringify(this.deps.config.get(value, this.def.id))}`);
      return v;
    };
    const d = this.def;
    return {
      batchSize: read('batchSize', d.batchSize), blockMs: read('blockMs', d.blockMs), claimIdleMs: read('claimIdleMs', d.claimIdleMs),
      maxDeliveries: read('maxDeliveries', d.maxDeliveries), concurrency: read('concurrency', d.concurrency),
    };
  }

  private failures(outcome: BatchOutcome, dead: number): void {
    const [firstId, firstError] = [...outcome.failed, ...outcome.dead][0] ?? ['', ''];
    const n = outcome.failed.size + outcome.dead.size;
    const message = `stream ${this.def.id}: ${n} entr${n === 1 ? 'y' : 'ies'} failed (${dead} dead-lettered), e.g. ${firstId}: ${firstError}`;
    this.deps.logger.warn(message, { workerId: this.def.id });
    this.deps.recorder.workerStatus({ workerId: this.def.id, state: 'consuming', lastExecutionId: null, lastStartedAt: null, lastFinishedAt: new Date(), lastResult: null, lastError: message, consecutiveFailures: null });
  }

  /** A consumer that leaves nothing pending leaves the group, so XINFO counts live consumers. */
  private async leaveGroup(): Promise<void> {
    try {
      const mine = (await this.deps.redis.xpending(this.keys.stream, this.def.group, '-', '+', 1, this.consumerName)) as unknown[];
      if (!mine.length) await this.deps.redis.xgroup('DELCONSUMER', this.keys.stream, this.def.group, this.consumerName);
    } catch (err) {
      this.deps.logger.warn(`stream ${this.def.id}: could not leave the group: ${errorText(err)}`, { workerId: this.def.id, stored: false });
    }
  }

  private async publish(state: StreamState, reason: string): Promise<void> {
    try {
      await this.deps.mirror.setLiveState(this.def.id, { state, owner: state === 'consuming' ? this.consumerName : '' });
      this.deps.events.publish('stream.state', { workerId: this.def.id, state });
      this.deps.recorder.workerStatus({ workerId: this.def.id, state, lastExecutionId: null, lastStartedAt: state === 'consuming' ? new Date() : null, lastFinishedAt: null, lastResult: null, lastError: null, consecutiveFailures: null });
      this.deps.logger.info(`stream ${this.def.id}: ${state}${reason ? ` — ${reason}` : ''}`, { workerId: this.def.id, streamState: state });
    } catch (err) {
      this.deps.logger.warn(`stream ${this.def.id}: could not publish state ${state}: ${errorText(err)}`, { workerId: this.def.id, stored: false });
    }
  }
}
