// Processes online (GET /processes): every API, worker and beat process heartbeats; refreshed while shown.
import { api } from './api.js';
import { $, el, when } from './dom.js';

export const processes = {
  timer: null,

  async load() {
    const { items, ttlMs } = await api('GET', 'processes');
    $('#processes-ttl').textContent = `a process silent for ${ttlMs / 1000} s drops off`;
    $('#processes tbody').replaceChildren(...items.map((p) => el('tr', { 'data-process': p.id, 'data-role': p.role },
      el('td', {}, p.role, p.extra && p.extra.leader ? el('span', { class: 'badge succeeded' }, 'leader') : ''),
      el('td', {}, p.host), el('td', {}, p.pid), el('td', {}, p.version),
      el('td', {}, when(p.startedAt)), el('td', {}, when(p.lastHeartbeatAt)),
      el('td', {}, p.queues.join(', ') || '—'), el('td', {}, p.listeners.join(', ') || '—'),
      el('td', { 'data-field': 'jobs' }, p.jobsRunning))));
  },

  start(onError) {
    this.stop();
    const tick = () => this.load().catch(onError);
    void tick();
    this.timer = setInterval(tick, 5000);
  },

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  },
};
