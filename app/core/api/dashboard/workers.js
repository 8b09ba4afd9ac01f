// The workers table: live state, schedule with its timezone and next fire, last run, and the actions a token may take.
import { all, api, live, session } from './api.js';
import { $, act, badge, duration, el, note, when } from './dom.js';
import { runs } from './runs.js';

export const workers = {
  items: new Map(),
  selected: null,
  onSelect: () => undefined,
  timers: new Map(),

  async load() {
    const items = await all('workers');
    $('#workers tbody').replaceChildren();
    this.items.clear();
    for (const w of items) this.render(w);
    if (!this.started) this.listen();
  },

  listen() {
    this.started = true;
    // Coalesces bursts of events into one refresh per worker.
    live.on('*', (e) => {
      const id = e.data && e.data.workerId;
      if (!id || !this.items.has(id) || this.timers.has(id)) return;
      this.timers.set(id, setTimeout(async () => {
        this.timers.delete(id);
        const w = await act($(`tr[data-worker="${CSS.escape(id)}"] [data-field=message]`), () => api('GET', `workers/${encodeURIComponent(id)}`));
        if (w) this.render(w);
      }, 150));
    });
    runs.onChange = (workerId) => this.paintMessage(workerId);
  },

  render(w) {
    this.items.set(w.id, w);
    const row = this.row(w);
    const existing = $(`#workers tr[data-worker="${CSS.escape(w.id)}"]`);
    if (existing) existing.replaceWith(row);
    else $('#workers tbody').append(row);
    this.paintMessage(w.id);
  },

  row(w) {
    const last = w.lastExecution;
    return el('tr', { 'data-worker': w.id, class: this.selected === w.id ? 'selected' : '', onclick: () => this.onSelect(w.id) },
      el('td', {}, el('strong', {}, w.id), el('div', { class: 'muted' }, w.description)),
      el('td', {}, w.kind),
      el('td', { 'data-field': 'state' }, badge(w.enabled ? w.state : 'disabled')),
      el('td', { 'data-field': 'schedule' }, w.cron ? [el('code', {}, w.cron), el('div', { class: 'muted' }, w.timezone)] : w.kind === 'schedule' ? 'on demand' : '—'),
      el('td', { 'data-field': 'next-fire' }, w.nextFireAt ? [when(w.nextFireAt, w.timezone), el('div', { class: 'muted' }, `${w.timezone} · yours: ${when(w.nextFireAt)}`)] : '—'),
      el('td', {}, last ? [badge(last.status), ` ${duration(last.durationMs)}`, el('div', { class: 'muted' }, when(last.finishedAt || last.queuedAt))] : '—'),
      el('td', { class: 'actions' }, ...this.actions(w), el('div', { class: 'note', 'data-field': 'message', role: 'status', hidden: true })));
  },

  /** Admin buttons only for admin tokens; a connected listener offers no Start. */
  actions(w) {
    if (!session.admin) return [];
    const id = encodeURIComponent(w.id);
    const slot = () => $(`tr[data-worker="${CSS.escape(w.id)}"] [data-field=message]`);
    const button = (action, label, fn, disabled = false) => el('button', {
      type: 'button', 'data-action': action, disabled, title: disabled ? `${w.id} is already ${w.state}` : undefined,
      onclick: (e) => {
        e.stopPropagation();
        void act(slot(), fn);
      },
    }, label);
    const out = [];
    if (w.kind === 'schedule') {
      out.push(button('run', 'Run', async () => runs.queued(w.id, (await api('POST', `workers/${id}/trigger`, {})).executionId)));
      if (w.state === 'running') out.push(button('stop', 'Stop', () => api('POST', `workers/${id}/stop`, {})));
    } else {
      const active = ['connected', 'reconnecting', 'consuming'].includes(w.state);
      out.push(button('start', 'Start', () => api('POST', `workers/${id}/start`, {}), active || !w.enabled));
      out.push(button('stop', 'Stop', () => api('POST', `workers/${id}/stop`, {}), !active));
      out.push(button('restart', 'Restart', () => api('POST', `workers/${id}/restart`, {}), !w.enabled));
    }
    out.push(w.enabled
      ? button('disable', 'Disable', async () => this.render(await api('POST', `workers/${id}/disable`, {})))
      : button('enable', 'Enable', async () => this.render(await api('POST', `workers/${id}/enable`, {}))));
    return out;
  },

  /** The row's message: "queued <id>" until that run's own outcome replaces it. */
  paintMessage(workerId) {
    const m = runs.messageFor(workerId);
    const slot = $(`#workers tr[data-worker="${CSS.escape(workerId)}"] [data-field=message]`);
    if (m && slot) note(slot, m.text, m.error);
  },

  select(id) {
    this.selected = id;
    document.querySelectorAll('#workers tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.worker === id));
  },
};
