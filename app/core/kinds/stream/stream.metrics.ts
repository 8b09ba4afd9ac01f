/** `sluice_stream_*` metrics: group figures and entry counters, read from the workers' live state at scrape time. */
import { Counter, Gauge } from 'prom-client';
import type { KindMetricsContext } from '../kind';

export const STREAM_COUNTERS = ['delivered', 'acked', 'failed', 'reclaimed', 'dead'] as const;

export function streamMetrics({ registers, liveOf }: KindMetricsContext): void {
  const gauge = (name: string, field: string, help: string) => new Gauge({
    name, help, labelNames: ['worker'], registers,
    async collect() {
      this.reset();
      for (const w of await liveOf()) if (w.live[field] !== undefined && w.live[field] !== '') this.set({ worker: w.id }, Number(w.live[field]) || 0);
    },
  });
  gauge('sluice_stream_pending', 'pending', 'Entries delivered to the group and not yet acked (XINFO GROUPS)');
  gauge('sluice_stream_lag', 'lag', 'Entries in the stream not yet delivered to the group (XINFO GROUPS)');
  gauge('sluice_stream_consumers', 'consumers', 'Consumers in the group');
  gauge('sluice_stream_length', 'length', 'Entries in the stream (XLEN)');
  new Counter({
    name: 'sluice_stream_entries_total', help: 'Stream entries by outcome (delivered, acked, failed, reclaimed, dead), cluster-wide', labelNames: ['worker', 'outcome'], registers,
    async collect() {
      // The counts live in Redis (every worker process adds to them): the counter mirrors them at scrape time.
      this.reset();
      for (const w of await liveOf()) for (const outcome of STREAM_COUNTERS) this.inc({ worker: w.id, outcome }, Number(w.live[outcome] ?? 0) || 0);
    },
  });
}
