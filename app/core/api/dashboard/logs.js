// The logs panel: a run's lines, followed live while it runs (/ws execution.logs announces stored lines).
import { api, live, q } from './api.js';
import { $, el, note, when } from './dom.js';

export const logs = {
  executionId: null,
  cursor: null,
  reading: null,
  again: false,

  init() {
    live.on('execution.logs', (e) => {
      if (e.data.executionId === this.executionId) void this.more();
    });
    live.on('execution.started', (e) => {
      if (e.data.executionId === this.executionId) this.setLive(true);
    });
    live.on('execution.finished', (e) => {
      if (e.data.executionId !== this.executionId) return;
      // The last lines are stored with (or just after) the end: read once more, then stop following.
      void this.more().then(() => this.setLive(false, e.data.status));
    });
  },

  async open(x) {
    this.executionId = x.id;
    this.cursor = null;
    document.querySelectorAll('#executions tbody tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.execution === x.id));
    $('#logs-panel').hidden = false;
    $('#logs-id').textContent = x.id;
    $('#logs').replaceChildren();
    this.setLive(x.status === 'running' || x.status === 'queued', x.status);
    await this.more();
  },

  close() {
    this.executionId = null;
    $('#logs-panel').hidden = true;
  },

  setLive(on, status) {
    const pill = $('#logs-live');
    pill.textContent = on ? 'following live' : status ? `run ${status}` : '';
    pill.className = on ? 'pill on' : 'pill off';
  },

  /** Reads lines after the cursor; calls that arrive while a read runs are folded into one more read. */
  async more() {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    const id = this.executionId;
    this.reading = (async () => {
      do {
        this.again = false;
        let page;
        do {
          page = await api('GET', `executions/${id}/logs${q({ limit: 500, cursor: this.cursor })}`);
          if (id !== this.executionId) return;
          for (const l of page.items) $('#logs').append(this.line(l));
          if (page.items.length) this.cursor = page.nextCursor || this.cursorOf(page.items[page.items.length - 1]);
        } while (page.nextCursor);
      } while (this.again);
      if (!$('#logs').childElementCount) $('#logs').append(el('div', { class: 'muted' }, '(no log lines yet)'));
    })().catch((err) => note($('#logs-message'), err.message, true)).finally(() => (this.reading = null));
    return this.reading;
  },

  cursorOf(line) {
    return `${Date.parse(line.ts)}.${line.id}`;
  },

  line(l) {
    $('#logs').querySelector('.muted')?.remove();
    const meta = l.meta ? Object.fromEntries(Object.entries(l.meta).filter(([k]) => k !== 'stack')) : null;
    return el('div', { class: `log ${l.level}`, 'data-log-id': String(l.id) },
      el('span', { class: 'muted' }, when(l.ts)), ' ', el('strong', {}, l.level.padEnd(5)), ' ', l.message,
      meta && Object.keys(meta).length ? el('span', { class: 'muted' }, ` ${JSON.stringify(meta)}`) : '',
      l.meta && l.meta.stack ? el('pre', { class: 'stack' }, l.meta.stack) : '');
  },
};
