/**
 * Prometheus metrics of GET /metrics: process metrics, counters fed by the event channel (runs by worker and
 * status, durations, listener transitions) and gauges read at scrape time (queue depth, live worker state,
 * log drops of this process, /ws clients). Counters count what this API process saw since it started.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiContext } from '../api-context';
import { queueCounts, QUEUE_STATES } from '../routes/queues.routes';
import type { EventFeed, FeedEvent } from './event-feed';
import { findKind, workerKinds } from '../../kinds';


export class ApiMetrics {
  readonly registry = new Registry();
  private readonly started: Counter<'worker' | 'trigger'>;
  private readonly finished: Counter<'worker' | 'status'>;
  private readonly duration: Histogram<'worker' | 'status'>;
  private readonly events: Counter<'type'>;
  private readonly listenerChanges: Counter<'worker' | 'state'>;
  readonly wsDropped: Counter<'reason'>;

  constructor(private readonly ctx: ApiContext, feed: EventFeed, wsClients: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.started = new Counter({ name: 'sluice_executions_started_total', help: 'Executions started, by worker and trigger', labelNames: ['worker', 'trigger'], registers });
    this.finished = new Counter({ name: 'sluice_executions_finished_total', help: 'Executions finished, by worker and final status (succeeded, failed, timed_out, cancelled, skipped)', labelNames: ['worker', 'status'], registers });
    this.duration = new Histogram({
      name: 'sluice_execution_duration_seconds', help: 'Run time of finished executions', labelNames: ['worker', 'status'], registers,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    });
    this.events = new Counter({ name: 'sluice_events_total', help: 'Events seen on the event channel, by type', labelNames: ['type'], registers });
    this.listenerChanges = new Counter({ name: 'sluice_listener_state_changes_total', help: 'Listener state transitions, by worker and new state', labelNames: ['worker', 'state'], registers });
    this.wsDropped = new Counter({ name: 'sluice_ws_clients_dropped_total', help: '/ws clients dropped (slow = unsent data over API_WS_MAX_BUFFERED_BYTES, heartbeat = missed pong)', labelNames: ['reason'], registers });
    this.scrapeGauges(wsClients);
    feed.on((e) => this.count(e));
  }

  private count({ event, workerId }: FeedEvent): void {
    this.events.inc({ type: event.type });
    if (!workerId) return;
    const data = event.data as Record<string, unknown>;
    if (event.type === 'execution.started') this.started.inc({ worker: workerId, trigger: String(data.trigger ?? '') });
    if (event.type === 'execution.finished') {
      const status = String(data.status ?? '');
      this.finished.inc({ worker: workerId, status });
      if (typeof data.durationMs === 'number') this.duration.observe({ worker: workerId, status }, data.durationMs / 1000);
    }
    if (event.type === 'listener.state') this.listenerChanges.inc({ worker: workerId, state: String(data.state ?? '') });
  }

  /** Gauges whose value is read when Prometheus scrapes. */
  private scrapeGauges(wsClients: () => number): void {
    const { ctx } = this;
    const registers = [this.registry];
    new Gauge({
      name: 'sluice_queue_jobs', help: 'Jobs per Bull queue and state', labelNames: ['worker', 'state'], registers,
      async collect() {
        for (const q of await queueCounts(ctx)) for (const s of QUEUE_STATES) this.set({ worker: q.workerId, state: s }, Number(q[s]));
      },
    });
    const workerGauge = (name: string, help: string, value: (live: Record<string, string>, enabled: boolean) => number) => new Gauge({
      name, help, labelNames: ['worker'], registers,
      async collect() {
        for (const w of await ctx.views.many(ctx.views.ids())) this.set({ worker: w.id }, value(w.live, w.enabled));
      },
    });
    workerGauge('sluice_worker_enabled', '1 when the worker is enabled', (_l, enabled) => (enabled ? 1 : 0));
    workerGauge('sluice_worker_consecutive_failures', 'Failed runs in a row (live state)', (l) => Number(l.consecutive_failures ?? 0) || 0);
    new Gauge({
      name: 'sluice_listener_state', help: '1 for the current live state of each listener', labelNames: ['worker', 'state'], registers,
      async collect() {
        this.reset();
        for (const w of await ctx.views.many(ctx.views.ids())) {
          for (const s of findKind(w.kind)?.states ?? []) this.set({ worker: w.id, state: s }, w.state === s ? 1 : 0);
        }
      },
    });
    for (const kind of workerKinds()) {
      kind.metrics?.({ registers, liveOf: async () => (await ctx.views.many(ctx.views.ids())).filter((w) => w.kind === kind.name).map((w) => ({ id: w.id, live: w.live })) });
    }
    new Gauge({ name: 'sluice_log_records_dropped', help: 'Log records this process dropped because its queue was full (MySQL slow or down)', registers, collect() {
      this.set(ctx.c.logWriter.snapshot().dropped);
    } });
    new Gauge({ name: 'sluice_log_records_queued', help: 'Log records of this process waiting to be written', registers, collect() {
      this.set(ctx.c.logWriter.snapshot().queued);
    } });
    new Gauge({ name: 'sluice_execution_rows_dropped', help: 'Execution row writes this process dropped (queue full)', registers, collect() {
      this.set(ctx.c.recorder.writer.snapshot().dropped);
    } });
    new Gauge({ name: 'sluice_ws_clients', help: 'Connected /ws clients of this API process', registers, collect() {
      this.set(wsClients());
    } });
  }
}
