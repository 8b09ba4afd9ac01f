// A page as an integrator writes it: one import, a token, a progress line, live updates. `window.probe` is the
// test's handle on the page.
import { createResources, registerResourcesWorker } from '/plugins/resources/client.js';

const $ = (id) => document.getElementById(id);
const progress = [];
const client = await createResources({
  token: sessionStorage.getItem('token'),
  onProgress: (p) => {
    progress.push(p);
    $('progress').textContent = `${p.done}/${p.total}`;
  },
});
client.addEventListener('live', (e) => { $('live').textContent = e.detail.on ? 'live' : 'offline'; });

window.probe = {
  progress: () => progress,
  version: (name) => client.version(name),
  size: (name) => client.list(name).length,
  getById: (name, id) => client.getById(name, id),
  findStoreByCode: (code) => client.find('stores', (s) => s.code === code),
  /** Registers the Service Worker and resolves once it controls this page. */
  async useServiceWorker() {
    await registerResourcesWorker();
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  },
  /** A fetch as the client makes it (with the token). */
  async fetchWithToken(url) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${sessionStorage.getItem('token')}` } });
    return { status: res.status, version: res.headers.get('x-resource-version'), cacheControl: res.headers.get('cache-control'), rows: (await res.json()).length };
  },
  /** A fetch without any token: only the Service Worker's cache can answer it with data. */
  async fetchWithoutToken(url) {
    const res = await fetch(url);
    return res.ok ? { status: res.status, rows: (await res.json()).length } : { status: res.status };
  },
};
$('status').textContent = 'ready';
