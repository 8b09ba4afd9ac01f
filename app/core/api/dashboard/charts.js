// Throughput by status and p95 run time over time, per worker, from GET /stats (uPlot, vendored: no build step).
import uPlot from './uplot.esm.js';
import { api, q } from './api.js';
import { $, el, zoneName } from './dom.js';

const COLORS = { succeeded: '#1f9d55', failed: '#d64545', timed_out: '#b5179e', cancelled: '#c98a00', skipped: '#8a94a6', running: '#2f6fed', queued: '#6b7482' };

export const charts = {
  plots: [],
  rangeHours: 24,

  init() {
    $('#charts-range').addEventListener('change', (e) => {
      this.rangeHours = Number(e.target.value);
      if (this.workerId) void this.load(this.workerId);
    });
  },

  async load(workerId) {
    this.workerId = workerId;
    const to = new Date(Math.ceil(Date.now() / 60000) * 60000);
    const from = new Date(to.getTime() - this.rangeHours * 3600000);
    const stats = await api('GET', `stats${q({ workerId, from: from.toISOString(), to: to.toISOString() })}`);
    if (workerId !== this.workerId) return;
    this.draw(stats);
  },

  draw(stats) {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    const box = $('#charts');
    box.replaceChildren();
    const xs = stats.buckets.map((b) => Date.parse(b.start) / 1000);
    const total = stats.buckets.reduce((n, b) => n + b.total, 0);
    box.dataset.total = String(total);
    box.dataset.buckets = String(stats.buckets.length);
    $('#charts-zone').textContent = `times in ${zoneName()}, ${stats.stepSeconds / 60}-minute buckets, ${total} runs`;
    const width = Math.max(320, Math.min(560, box.clientWidth / 2 - 16 || 520));
    const common = { width, height: 200, tzDate: (ts) => new Date(ts * 1000), legend: { live: false } };
    const statuses = stats.statuses.length ? stats.statuses : ['succeeded'];
    const throughput = el('div', { class: 'chart', 'data-chart': 'throughput' }, el('h4', {}, 'Runs per bucket by status'));
    const latency = el('div', { class: 'chart', 'data-chart': 'p95' }, el('h4', {}, 'Run time p95 / p50 (ms)'));
    box.append(throughput, latency);
    this.plots.push(new uPlot({
      ...common,
      series: [{}, ...statuses.map((s) => ({ label: s, stroke: COLORS[s] || '#333', fill: `${COLORS[s] || '#333333'}22`, width: 2 }))],
      axes: [{}, { label: 'runs' }],
    }, [xs, ...statuses.map((s) => stats.buckets.map((b) => b.counts[s] || 0))], throughput));
    this.plots.push(new uPlot({
      ...common,
      series: [{}, { label: 'p95', stroke: '#d64545', width: 2, spanGaps: true }, { label: 'p50', stroke: '#2f6fed', width: 1, spanGaps: true }],
      axes: [{}, { label: 'ms' }],
    }, [xs, stats.buckets.map((b) => b.durationP95Ms), stats.buckets.map((b) => b.durationP50Ms)], latency));
  },
};
