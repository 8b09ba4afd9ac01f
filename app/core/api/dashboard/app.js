// Sluice dashboard: plain browser JavaScript on the public control API and /ws (no build step).
'use strict';

const TOKEN_KEY = 'sluice.token';
const base = new URL('.', location.href);
const $ = (sel) => document.querySelector(sel);
const state = { workers: new Map(), selected: null, cursor: null, socket: null, retryMs: 1000, refreshTimers: new Map() };

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else if (k === 'onclick') node.addEventListener('click', v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

function showStatus(message, isError = false) {
  const s = $('#status');
  s.textContent = message;
  s.className = isError ? 'status error' : 'status';
}

/** Calls the API with the stored token; errors carry the API's message (it names the failing field). */
async function api(method, path, body) {
  const headers = { authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signOut('Your token was refused; sign in again.');
    throw new Error('unauthorized');
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(data && data.message ? `${data.message} (${data.code})` : `HTTP ${res.status}`);
  return data;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

function duration(ms) {
  if (ms == null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 0)} s`;
}

function badge(text) {
  return el('span', { class: `badge ${String(text).replace(/[^a-z_]/gi, '')}` }, text);
}

async function act(label, fn) {
  try {
    showStatus(`${label}…`);
    await fn();
    showStatus(`${label}: done`);
  } catch (err) {
    if (err.message !== 'unauthorized') showStatus(`${label}: ${err.message}`, true);
  }
}

function actionsOf(w) {
  const id = encodeURIComponent(w.id);
  const button = (action, label, fn) => el('button', { type: 'button', 'data-action': action, onclick: (e) => { e.stopPropagation(); act(`${label} ${w.id}`, fn); } }, label);
  const out = [];
  if (w.kind === 'schedule') {
    out.push(button('run', 'Run', async () => showStatus(`queued ${(await api('POST', `workers/${id}/trigger`, {})).executionId}`)));
    if (w.state === 'running') out.push(button('stop', 'Stop', () => api('POST', `workers/${id}/stop`, {})));
  } else {
    out.push(button('start', 'Start', () => api('POST', `workers/${id}/start`, {})));
    out.push(button('stop', 'Stop', () => api('POST', `workers/${id}/stop`, {})));
    out.push(button('restart', 'Restart', () => api('POST', `workers/${id}/restart`, {})));
  }
  out.push(w.enabled
    ? button('disable', 'Disable', async () => renderWorker(await api('POST', `workers/${id}/disable`, {})))
    : button('enable', 'Enable', async () => renderWorker(await api('POST', `workers/${id}/enable`, {}))));
  return out;
}

function workerRow(w) {
  const last = w.lastExecution;
  return el('tr', { 'data-worker': w.id, class: state.selected === w.id ? 'selected' : '', onclick: () => select(w.id) },
    el('td', {}, el('strong', {}, w.id), el('div', { class: 'muted' }, w.description)),
    el('td', {}, w.kind),
    el('td', { 'data-field': 'state' }, badge(w.enabled ? w.state : 'disabled')),
    el('td', {}, w.cron ? `${w.cron} (${w.timezone})` : 'on demand'),
    el('td', {}, w.nextFireAt ? when(w.nextFireAt) : '—'),
    el('td', {}, last ? badge(last.status) : '—', last ? ` ${duration(last.durationMs)}` : ''),
    el('td', { class: 'actions' }, ...actionsOf(w)));
}

function renderWorker(w) {
  state.workers.set(w.id, w);
  const row = workerRow(w);
  const existing = document.querySelector(`#workers tr[data-worker="${CSS.escape(w.id)}"]`);
  if (existing) existing.replaceWith(row);
  else $('#workers tbody').append(row);
  if (state.selected === w.id) fillSchedule(w);
}

async function loadWorkers() {
  const { items } = await api('GET', 'workers');
  $('#workers tbody').replaceChildren();
  for (const w of items) renderWorker(w);
}

function fillSchedule(w) {
  const form = $('#schedule-form');
  form.hidden = w.kind !== 'schedule';
  if (document.activeElement !== $('#cron')) $('#cron').value = w.cron || '';
  if (document.activeElement !== $('#timezone')) $('#timezone').value = w.timezone || '';
}

async function select(id) {
  state.selected = id;
  document.querySelectorAll('#workers tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.worker === id));
  $('#detail').hidden = false;
  $('#detail-id').textContent = id;
  $('#logs-panel').hidden = true;
  $('#run-form').hidden = state.workers.get(id).kind !== 'schedule';
  fillSchedule(state.workers.get(id));
  await Promise.all([loadExecutions(true), loadConfig()]);
}

function executionRow(x) {
  return el('tr', { 'data-execution': x.id, onclick: () => showLogs(x.id) },
    el('td', {}, when(x.queuedAt)), el('td', {}, x.trigger), el('td', { 'data-field': 'status' }, badge(x.status)),
    el('td', {}, x.attempt), el('td', {}, duration(x.durationMs)), el('td', { class: 'error' }, x.error || ''));
}

async function loadExecutions(reset) {
  if (!state.selected) return;
  const q = new URLSearchParams({ limit: '20' });
  if (!reset && state.cursor) q.set('cursor', state.cursor);
  const page = await api('GET', `workers/${encodeURIComponent(state.selected)}/executions?${q}`);
  const body = $('#executions tbody');
  if (reset) body.replaceChildren();
  for (const x of page.items) body.append(executionRow(x));
  state.cursor = page.nextCursor;
  $('#more-executions').hidden = !page.nextCursor;
}

async function showLogs(executionId) {
  const page = await api('GET', `executions/${executionId}/logs?limit=500`);
  $('#logs-panel').hidden = false;
  $('#logs-id').textContent = executionId;
  $('#logs').textContent = page.items.map((l) => `${l.ts}  ${l.level.padEnd(5)}  ${l.message}${l.meta ? `  ${JSON.stringify(l.meta)}` : ''}`).join('\n') || '(no log lines)';
}

async function loadConfig() {
  const { entries } = await api('GET', `workers/${encodeURIComponent(state.selected)}/config`);
  $('#config tbody').replaceChildren(...entries.map((e) => el('tr', {}, el('td', {}, e.key), el('td', {}, JSON.stringify(e.value)), el('td', {}, e.source))));
}

/** Coalesces bursts of events into one refresh per worker. */
function refreshSoon(workerId) {
  if (state.refreshTimers.has(workerId)) return;
  state.refreshTimers.set(workerId, setTimeout(async () => {
    state.refreshTimers.delete(workerId);
    try {
      if (state.workers.has(workerId)) renderWorker(await api('GET', `workers/${encodeURIComponent(workerId)}`));
      if (state.selected === workerId) await loadExecutions(true);
    } catch (err) {
      if (err.message !== 'unauthorized') showStatus(err.message, true);
    }
  }, 150));
}

function setLive(on) {
  const live = $('#live');
  live.textContent = on ? 'live' : 'offline';
  live.className = on ? 'pill on' : 'pill off';
}

/** Browsers cannot set headers on a WebSocket: the token travels as a subprotocol (or ?token= if it cannot). */
function connect() {
  if (!token()) return;
  const url = new URL('ws', base);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const t = token();
  const protocols = ['sluice.v1'];
  if (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(t)) protocols.push(`bearer.${t}`);
  else url.searchParams.set('token', t);
  const socket = (state.socket = new WebSocket(url, protocols));
  socket.onmessage = (msg) => {
    const e = JSON.parse(msg.data);
    if (e.type === 'ws.ready') {
      setLive(true);
      state.retryMs = 1000;
      return;
    }
    const id = e.data && e.data.workerId;
    if (id) refreshSoon(id);
  };
  socket.onclose = () => {
    setLive(false);
    if (state.socket !== socket || !token()) return;
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 30000);
  };
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  document.dispatchEvent(new CustomEvent('sluice:signed-out'));
  const s = state.socket;
  state.socket = null;
  if (s) s.close();
  $('#app').hidden = true;
  $('#sign-out').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
}

async function start() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#sign-out').hidden = false;
  $('#board-link').href = new URL(`admin/queues?token=${encodeURIComponent(token())}`, base).href;
  document.dispatchEvent(new CustomEvent('sluice:signed-in'));
  try {
    await loadWorkers();
    connect();
  } catch (err) {
    if (err.message !== 'unauthorized') showStatus(err.message, true);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    $('#token').value = '';
    start();
  });
  $('#sign-out').addEventListener('click', () => signOut());
  $('#more-executions').addEventListener('click', () => act('load more', () => loadExecutions(false)));
  $('#run-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(`run ${state.selected}`, async () => {
      let params;
      try {
        params = JSON.parse($('#run-params').value || '{}');
      } catch (err) {
        throw new Error(`params: not valid JSON (${err.message})`);
      }
      const { executionId } = await api('POST', `workers/${encodeURIComponent(state.selected)}/trigger`, { params });
      showStatus(`queued ${executionId}`);
    });
  });
  $('#schedule-form').addEventListener('submit', (e) => {
    e.preventDefault();
    act(`schedule ${state.selected}`, async () => {
      const body = { cron: $('#cron').value.trim() || null };
      if ($('#timezone').value.trim()) body.timezone = $('#timezone').value.trim();
      renderWorker(await api('PUT', `workers/${encodeURIComponent(state.selected)}/schedule`, body));
    });
  });
  if (token()) start();
  else signOut();
});
