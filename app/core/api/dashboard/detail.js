// One worker's panel: run-now form, schedule, charts, run history (with live logs) and its config.
import { api, live, q, session } from './api.js';
import { $, act, badge, duration, el, json, note, when } from './dom.js';
import { renderParamsForm, readParamsForm, showFieldError } from './params-form.js';
import { runs } from './runs.js';
import { logs } from './logs.js';
import { configView } from './config-view.js';
import { charts } from './charts.js';
import { workers } from './workers.js';

export const detail = {
  cursor: null,
  formRun: null,

  init() {
    $('#run-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    $('#schedule-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.saveSchedule();
    });
    $('#more-executions').addEventListener('click', () => void act($('#executions-message'), () => this.loadExecutions(false)));
    runs.listeners.add((_workerId, executionId) => {
      if (executionId === this.formRun) note($('#run-message'), runs.message(executionId).text, runs.message(executionId).error);
    });
    live.on('execution.started', (e) => this.seen(e.data, 'running'));
    live.on('execution.finished', (e) => this.seen(e.data, e.data.status));
  },

  // What the live events said about the selected worker's runs: the run history is written in batches, so a page
  // loaded right after an event can still show the run as queued (or running) — the event's word wins until the
  // row catches up.
  liveStatus: new Map(),

  seen(data, status) {
    if (data.workerId !== workers.selected) return;
    this.liveStatus.set(data.executionId, { status, attempt: data.attempt });
    const cell = $(`#executions tr[data-execution="${data.executionId}"] [data-field=status]`);
    if (cell) cell.replaceChildren(badge(status));
    this.refreshSoon(data.workerId, data.executionId);
  },

  /** The status to show for a row: the row's, unless a live event is newer than what the history holds yet. */
  statusOf(x) {
    const ev = this.liveStatus.get(x.id);
    if (!ev) return x.status;
    const behind = ev.status === 'running'
      ? x.status === 'queued' && (!x.startedAt || (ev.attempt ?? 0) > x.attempt)
      : x.status === 'queued' || x.status === 'running';
    if (!behind) this.liveStatus.delete(x.id);
    return behind ? ev.status : x.status;
  },

  refreshSoon(workerId, executionId, tries = 0) {
    if (workerId !== workers.selected || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void act($('#executions-message'), async () => {
        await this.loadExecutions(true);
        // Its row may not be written yet (history is batched): look again, a few times, until it is there.
        if (executionId && tries < 10 && !$(`#executions tr[data-execution="${executionId}"]`)) this.refreshSoon(workerId, executionId, tries + 1);
      });
      // Charts follow too, at most every 5 s (a /stats query is heavier than a page of runs).
      if (Date.now() - (this.chartsAt || 0) > 5000) {
        this.chartsAt = Date.now();
        void act($('#charts-message'), () => charts.load(workerId));
      }
    }, 200);
  },

  async select(id) {
    const w = workers.items.get(id);
    workers.select(id);
    this.liveStatus.clear();
    $('#detail').hidden = false;
    $('#detail-id').textContent = id;
    const schedule = w.kind === 'schedule';
    $('#run-form').hidden = !schedule || !session.admin;
    $('#schedule-form').hidden = !schedule || !session.admin;
    // A new worker starts from a clean form: its own fields, nothing typed for the previous one.
    this.formRun = null;
    note($('#run-message'), '');
    renderParamsForm($('#run-fields'), w.paramsSchema);
    $('#cron').value = w.cron || '';
    $('#timezone').value = w.timezone || '';
    logs.close();
    await Promise.all([
      act($('#executions-message'), () => this.loadExecutions(true)),
      act($('#config-message'), () => configView.load(id)),
      act($('#charts-message'), () => charts.load(id)),
    ]);
  },

  async run() {
    const id = workers.selected;
    const slot = $('#run-message');
    showFieldError($('#run-fields'), null, '');
    try {
      note(slot, '');
      const params = readParamsForm($('#run-fields'));
      const { executionId } = await api('POST', `workers/${encodeURIComponent(id)}/trigger`, { params });
      this.formRun = executionId;
      runs.queued(id, executionId);
    } catch (err) {
      if (err.status === 401) return;
      if (!showFieldError($('#run-fields'), err.field, err.message)) note(slot, err.message, true);
    }
  },

  async saveSchedule() {
    const id = workers.selected;
    await act($('#schedule-message'), async () => {
      const body = { cron: $('#cron').value.trim() || null };
      if ($('#timezone').value.trim()) body.timezone = $('#timezone').value.trim();
      workers.render(await api('PUT', `workers/${encodeURIComponent(id)}/schedule`, body));
      note($('#schedule-message'), 'saved');
    });
  },

  row(x) {
    return el('tr', { 'data-execution': x.id, class: logs.executionId === x.id ? 'selected' : '', onclick: () => void act($('#executions-message'), () => logs.open(x)) },
      el('td', {}, el('code', { title: x.id }, x.id.slice(0, 8)), x.parentExecutionId ? el('div', { class: 'muted', title: x.parentExecutionId }, `${x.trigger === 'retry' ? 'retry of' : 'from'} ${x.parentExecutionId.slice(0, 8)}`) : ''),
      el('td', {}, when(x.queuedAt)),
      el('td', { 'data-field': 'trigger' }, x.trigger),
      el('td', { 'data-field': 'triggered-by' }, x.triggeredBy || el('span', { class: 'muted' }, '—')),
      el('td', { 'data-field': 'status' }, badge(this.statusOf(x))),
      el('td', {}, x.attempt),
      el('td', {}, duration(x.durationMs)),
      el('td', { 'data-field': 'params' }, json(x.params)),
      el('td', { 'data-field': 'result' }, json(x.result)),
      el('td', { class: 'error' }, x.error || ''));
  },

  async loadExecutions(reset) {
    const id = workers.selected;
    if (!id) return;
    const page = await api('GET', `workers/${encodeURIComponent(id)}/executions${q({ limit: 20, cursor: reset ? undefined : this.cursor })}`);
    if (id !== workers.selected) return;
    const body = $('#executions tbody');
    if (reset) body.replaceChildren();
    for (const x of page.items) body.append(this.row(x));
    this.cursor = page.nextCursor;
    $('#more-executions').hidden = !page.nextCursor;
  },
};
