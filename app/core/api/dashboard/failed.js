// Failed runs: search by worker, status, time and error text; details (error, stack, params, result); retry or
// delete one run, the selected ones, or every match of a worker (bulk routes).
import { all, api, q, session } from './api.js';
import { $, $$, act, badge, el, localToIso, note, when } from './dom.js';
import { runs } from './runs.js';

export const failed = {
  cursor: null,

  init() {
    $('#failed-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void act($('#failed-message'), () => this.search(true));
    });
    $('#failed-more').addEventListener('click', () => void act($('#failed-message'), () => this.search(false)));
    $('#failed-retry-selected').addEventListener('click', () => void this.eachSelected('retry'));
    $('#failed-delete-selected').addEventListener('click', () => void this.eachSelected('delete'));
    $('#failed-retry-all').addEventListener('click', () => void this.bulk('retry'));
    $('#failed-delete-all').addEventListener('click', () => void this.bulk('delete'));
    runs.listeners.add((_w, executionId) => {
      const slot = $(`#failed tr[data-retry="${CSS.escape(executionId)}"] [data-field=message]`);
      const m = runs.message(executionId);
      if (slot && m) note(slot, m.text, m.error);
    });
  },

  /** Fills the worker filter (every worker; bulk actions need one picked). */
  setWorkers(ids) {
    const select = $('#failed-worker');
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, 'every worker'), ...ids.map((id) => el('option', { value: id }, id)));
    select.value = ids.includes(current) ? current : '';
    $$('.admin-only', $('#failed-view')).forEach((n) => (n.hidden = !session.admin));
  },

  filters() {
    const statuses = $$('input[name=status]:checked', $('#failed-form')).map((i) => i.value);
    return {
      workerId: $('#failed-worker').value || undefined, status: statuses, q: $('#failed-q').value.trim() || undefined,
      from: localToIso($('#failed-from').value), to: localToIso($('#failed-to').value),
      retried: $('#failed-include-retried').checked ? undefined : false,
    };
  },

  async search(reset) {
    const f = this.filters();
    const page = await api('GET', `executions${q({ ...f, limit: 50, cursor: reset ? undefined : this.cursor })}`);
    const body = $('#failed tbody');
    if (reset) body.replaceChildren();
    for (const x of page.items) body.append(this.row(x), this.details(x));
    this.cursor = page.nextCursor;
    $('#failed-more').hidden = !page.nextCursor;
    $('#failed-count').textContent = `${body.querySelectorAll('tr[data-execution]').length}${page.nextCursor ? '+' : ''} run(s)`;
  },

  row(x) {
    const admin = session.admin;
    const retryable = !x.retriedAs && ['failed', 'timed_out', 'cancelled'].includes(x.status);
    return el('tr', { 'data-execution': x.id, onclick: (e) => {
      if (e.target.closest('button, input')) return;
      const d = $(`#failed tr[data-details="${CSS.escape(x.id)}"]`);
      d.hidden = !d.hidden;
      if (!d.hidden) void this.loadStack(x, d);
    } },
    el('td', {}, admin ? el('input', { type: 'checkbox', 'data-select': x.id, 'aria-label': `select ${x.id}` }) : null),
    el('td', {}, el('code', { title: x.id }, x.id.slice(0, 8))),
    el('td', {}, x.workerId),
    el('td', {}, badge(x.status)),
    el('td', {}, when(x.queuedAt)),
    el('td', { class: 'error', 'data-field': 'error' }, x.error || ''),
    el('td', {}, x.retriedAs ? el('span', { class: 'muted', title: x.retriedAs }, `retried as ${x.retriedAs.slice(0, 8)}`) : ''),
    el('td', { class: 'actions' },
      admin && retryable ? el('button', { type: 'button', 'data-action': 'retry', onclick: () => void this.retry(x) }, 'Retry') : null,
      admin ? el('button', { type: 'button', 'data-action': 'delete', onclick: () => void this.remove(x) }, 'Delete') : null,
      el('div', { class: 'note', 'data-field': 'message', hidden: true })));
  },

  details(x) {
    return el('tr', { 'data-details': x.id, class: 'details', hidden: true },
      el('td', { colSpan: 8 },
        el('div', { class: 'grid' },
          el('div', {}, el('h4', {}, 'Error'), el('pre', { 'data-field': 'error-text' }, x.error || '—'), el('h4', {}, 'Stack'), el('pre', { 'data-field': 'stack' }, 'loading…')),
          el('div', {}, el('h4', {}, 'Params'), el('pre', { 'data-field': 'params' }, JSON.stringify(x.params, null, 2)),
            el('h4', {}, 'Result'), el('pre', { 'data-field': 'result' }, JSON.stringify(x.result, null, 2)),
            el('div', { class: 'muted' }, `trigger ${x.trigger}${x.triggeredBy ? ` by ${x.triggeredBy}` : ''} · attempt ${x.attempt} · started ${when(x.startedAt)} · finished ${when(x.finishedAt)}`)))));
  },

  /** The stack is kept in the run's `run failed` log line. */
  async loadStack(x, d) {
    const slot = $('[data-field=stack]', d);
    try {
      const lines = await all(`executions/${x.id}/logs`);
      const failure = [...lines].reverse().find((l) => l.level === 'error' && l.meta && l.meta.stack);
      slot.textContent = failure ? failure.meta.stack : '(no stack recorded)';
    } catch (err) {
      slot.textContent = `could not read the run's log lines: ${err.message}`;
      slot.classList.add('error');
    }
  },

  async retry(x) {
    const slot = $(`#failed tr[data-execution="${CSS.escape(x.id)}"] [data-field=message]`);
    const out = await act(slot, () => api('POST', `executions/${x.id}/retry`, {}));
    if (!out) return;
    $(`#failed tr[data-execution="${CSS.escape(x.id)}"]`).dataset.retry = out.executionId;
    runs.queued(x.workerId, out.executionId);
    $(`#failed tr[data-execution="${CSS.escape(x.id)}"] [data-action=retry]`)?.remove();
  },

  async remove(x) {
    const slot = $(`#failed tr[data-execution="${CSS.escape(x.id)}"] [data-field=message]`);
    const ok = await act(slot, () => api('DELETE', `executions/${x.id}`).then(() => true));
    if (!ok) return;
    $(`#failed tr[data-execution="${CSS.escape(x.id)}"]`)?.remove();
    $(`#failed tr[data-details="${CSS.escape(x.id)}"]`)?.remove();
  },

  async eachSelected(action) {
    const ids = $$('#failed input[data-select]:checked').map((i) => i.dataset.select);
    if (!ids.length) return note($('#failed-bulk-message'), 'select runs first', true);
    const rows = ids.map((id) => ({ id, workerId: $(`#failed tr[data-execution="${CSS.escape(id)}"] td:nth-child(3)`).textContent, status: 'failed' }));
    for (const x of rows) await (action === 'retry' ? this.retry(x) : this.remove(x));
    note($('#failed-bulk-message'), `${action === 'retry' ? 'retried' : 'deleted'} ${ids.length} selected run(s)`);
  },

  /** Retry or delete every run of the worker matching the filters (the API acts on API_BULK_MAX per call). */
  async bulk(action) {
    const f = this.filters();
    const slot = $('#failed-bulk-message');
    if (!f.workerId) return note(slot, 'pick a worker: bulk actions apply to one worker', true);
    const statuses = f.status.filter((s) => ['failed', 'timed_out', 'cancelled'].includes(s));
    const filters = { status: statuses.length ? statuses : undefined, from: f.from, to: f.to, q: f.q };
    const id = encodeURIComponent(f.workerId);
    const out = await act(slot, () => (action === 'retry'
      ? api('POST', `workers/${id}/failed/retry`, Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)))
      : api('DELETE', `workers/${id}/failed${q(filters)}`)));
    if (!out) return;
    note(slot, `${action === 'retry' ? 'retried' : 'deleted'} ${out.count} run(s)${out.more ? ' — more matched: run it again for the rest' : ''}`);
    await act($('#failed-message'), () => this.search(true));
  },
};
