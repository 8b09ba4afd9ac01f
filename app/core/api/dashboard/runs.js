// Runs this tab queued: their "queued <id>" message stays until the run's own outcome (from /ws) replaces it.
import { api, live } from './api.js';
import { duration } from './dom.js';

export const runs = {
  /** executionId → { workerId, text, error } */
  byId: new Map(),
  /** workerId → the execution id of its latest message */
  latest: new Map(),
  onChange: () => undefined,
  listeners: new Set(),

  init() {
    live.on('execution.started', (e) => this.update(e.data.executionId, (m) => ({ ...m, text: `running ${e.data.executionId}` })));
    live.on('execution.finished', (e) => this.finished(e.data));
  },

  /** Remembers a run queued from this tab; returns its message. */
  queued(workerId, executionId) {
    this.byId.set(executionId, { workerId, text: `queued ${executionId}`, error: false, done: false });
    this.latest.set(workerId, executionId);
    this.changed(workerId, executionId);
    // The run may have finished before the id came back: read its row once in case the event went by.
    setTimeout(() => void this.check(executionId), 1500);
    return executionId;
  },

  async check(executionId) {
    const m = this.byId.get(executionId);
    if (!m || m.done) return;
    try {
      const x = await api('GET', `executions/${executionId}`);
      if (['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'].includes(x.status)) this.finished({ executionId, status: x.status, durationMs: x.durationMs, error: x.error });
    } catch {
      // the row may not be written yet; the /ws event will come
    }
  },

  finished(d) {
    this.update(d.executionId, (m) => ({
      ...m, done: true, error: d.status !== 'succeeded',
      text: `${d.executionId} ${d.status}${d.durationMs != null ? ` in ${duration(d.durationMs)}` : ''}${d.error ? `: ${d.error}` : ''}`,
    }));
  },

  update(executionId, fn) {
    const m = this.byId.get(executionId);
    if (!m || m.done) return;
    this.byId.set(executionId, fn(m));
    this.changed(m.workerId, executionId);
  },

  changed(workerId, executionId) {
    this.onChange(workerId);
    for (const l of this.listeners) l(workerId, executionId);
  },

  messageFor(workerId) {
    const id = this.latest.get(workerId);
    return id ? this.byId.get(id) : undefined;
  },

  message(executionId) {
    return this.byId.get(executionId);
  },
};
