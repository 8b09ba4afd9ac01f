// A worker's effective config: its plugin's settings and the core ones it reads, each with its source; admins edit
// the worker's own row (PUT) or drop it to fall back to global/env/default (DELETE).
import { api, session } from './api.js';
import { $, act, el, note } from './dom.js';

/** Parses what an admin typed into the setting's JSON type; throws with a message naming the key. */
function parse(entry, text) {
  switch (entry.type) {
    case 'string':
      return text;
    case 'int':
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || (entry.type === 'int' && !Number.isInteger(n))) throw new Error(`${entry.key}: "${text}" is not ${entry.type === 'int' ? 'an integer' : 'a number'}`);
      return n;
    }
    case 'bool':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new Error(`${entry.key}: type true or false`);
    default:
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`${entry.key}: not valid JSON`);
      }
  }
}

export const configView = {
  workerId: null,

  async load(workerId) {
    this.workerId = workerId;
    const { entries } = await api('GET', `workers/${encodeURIComponent(workerId)}/config`);
    if (workerId !== this.workerId) return;
    $('#config tbody').replaceChildren(...entries.map((e) => this.row(e)));
  },

  row(e) {
    const shown = typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
    const tr = el('tr', { 'data-config': e.key },
      el('td', {}, el('code', {}, e.key), el('div', { class: 'muted' }, e.description)),
      el('td', { 'data-field': 'value' }, el('code', {}, shown === '' ? '""' : shown)),
      el('td', { 'data-field': 'source' }, el('span', { class: `source ${e.source}` }, e.source)),
      el('td', { class: 'actions' }, session.admin ? this.editor(e, shown) : null,
        session.admin && e.source === 'worker' ? el('button', { type: 'button', 'data-action': 'reset-config', onclick: () => this.reset(e) }, 'Reset') : null,
        el('div', { class: 'note', 'data-field': 'message', hidden: true })));
    return tr;
  },

  editor(e, shown) {
    return el('form', { class: 'inline', 'data-action': 'edit-config', noValidate: true, onsubmit: (ev) => {
      ev.preventDefault();
      void this.save(e, ev.target.querySelector('input').value);
    } }, el('input', {
      name: 'value', value: e.secret ? '' : shown, type: e.secret ? 'password' : 'text', placeholder: e.secret ? 'new secret value' : undefined,
      autocomplete: 'off', 'aria-label': `value of ${e.key}`, spellcheck: false,
    }), el('button', { type: 'submit' }, 'Save'));
  },

  slot(key) {
    return $(`#config tr[data-config="${CSS.escape(key)}"] [data-field=message]`);
  },

  async save(e, text) {
    const slot = this.slot(e.key);
    let value;
    try {
      value = parse(e, text);
    } catch (err) {
      note(slot, err.message, true);
      return;
    }
    const ok = await act(slot, () => api('PUT', `workers/${encodeURIComponent(this.workerId)}/configs/${encodeURIComponent(e.key)}`, { value }));
    if (ok) await act(slot, () => this.load(this.workerId));
  },

  async reset(e) {
    const ok = await act(this.slot(e.key), () => api('DELETE', `workers/${encodeURIComponent(this.workerId)}/configs/${encodeURIComponent(e.key)}`).then(() => true));
    if (ok) await act(this.slot(e.key), () => this.load(this.workerId));
  },
};
