// Sluice dashboard: ES modules on the public control API and /ws (no build step). Entry: sign-in, tabs, wiring.
import { api, live, session, whenUnauthorized } from './api.js';
import { $, $$, act, note, zoneName } from './dom.js';
import { workers } from './workers.js';
import { detail } from './detail.js';
import { runs } from './runs.js';
import { logs } from './logs.js';
import { charts } from './charts.js';
import { failed } from './failed.js';
import { processes } from './processes.js';

function setLive(on) {
  $('#live').textContent = on ? 'live' : 'offline';
  $('#live').className = on ? 'pill on' : 'pill off';
}

function signOut(message) {
  session.token = null;
  session.me = null;
  live.close();
  processes.stop();
  document.dispatchEvent(new CustomEvent('sluice:signed-out'));
  $('#app').hidden = true;
  $('#sign-out').hidden = true;
  $('#whoami').textContent = '';
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
}

function showTab(name) {
  for (const b of $$('nav.tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const v of $$('.view')) v.hidden = v.id !== `${name}-view`;
  if (name === 'processes') processes.start((err) => note($('#processes-message'), err.message, true));
  else processes.stop();
  if (name === 'failed') void act($('#failed-message'), () => failed.search(true));
}

async function start() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#sign-out').hidden = false;
  document.dispatchEvent(new CustomEvent('sluice:signed-in'));
  try {
    session.me = await api('GET', 'me');
  } catch (err) {
    if (err.status !== 401) $('#login-error').textContent = err.message;
    return;
  }
  const admin = session.admin;
  document.body.classList.toggle('read-only', !admin);
  $('#whoami').textContent = `${session.me.name} (${session.me.role})`;
  // The queue board is admin-only: read tokens get no link to it.
  $('#board-link').hidden = !admin;
  if (admin) $('#board-link').href = new URL(`admin/queues?token=${encodeURIComponent(session.token)}`, document.baseURI).href;
  $('#zone').textContent = `times shown in ${zoneName()}`;
  await act($('#status'), async () => {
    await workers.load();
    failed.setWorkers([...workers.items.keys()]);
  });
  live.connect();
  showTab('workers');
}

document.addEventListener('DOMContentLoaded', () => {
  whenUnauthorized(signOut);
  live.onStatus = setLive;
  runs.init();
  logs.init();
  charts.init();
  detail.init();
  failed.init();
  workers.onSelect = (id) => void detail.select(id);
  for (const b of $$('nav.tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    session.token = $('#token').value.trim();
    $('#token').value = '';
    void start();
  });
  $('#sign-out').addEventListener('click', () => signOut());
  if (session.token) void start();
  else signOut();
});
