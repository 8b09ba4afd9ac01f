/**
 * Sluice resources client (ES module, no build step): `import { createResources } from '/plugins/resources/client.js'`.
 *
 * - loads the version table (GET /plugins/resources), then fetches only the resources whose version it does not
 *   hold yet, as /plugins/resources/<name>/fulldata?v=<N>, and keeps each in Cache Storage under that URL;
 * - on a reload every resource whose version did not move comes from Cache Storage: no fulldata request;
 * - reports progress ({ done, total, name }) while the first sync runs;
 * - listens on /ws for `resource.version` and refetches only the resource that was bumped;
 * - answers getById / find / filter / list from an in-memory index.
 *
 * Auth: every request carries `Authorization: Bearer <token>` (the `token` option, or your own `fetch`); /ws gets
 * the token as a `bearer.<token>` subprotocol. Cache Storage is keyed by URL only, so cached datasets are
 * readable by any script of this origin: call `clear()` on sign-out.
 */

const DEFAULT_CACHE = 'sluice-resources-v1';

/** One dataset in memory. */
class Dataset {
  constructor(name, version, idField, rows) {
    this.name = name;
    this.version = version;
    this.idField = idField;
    this.rows = rows;
    this.byId = new Map();
    for (const row of rows) this.byId.set(String(row[idField]), row);
  }
  getById(id) { return this.byId.get(String(id)); }
  find(predicate) { return this.rows.find(predicate); }
  filter(predicate) { return this.rows.filter(predicate); }
  list() { return this.rows; }
  get size() { return this.rows.length; }
}

function wsUrlFor(baseUrl) {
  const u = new URL(baseUrl, globalThis.location ? globalThis.location.href : undefined);
  u.pathname = '/ws';
  u.search = '?type=resource.version';
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export class ResourcesClient extends EventTarget {
  /**
   * @param {object} [opts]
   * @param {string} [opts.baseUrl='/plugins/resources'] where the plugin is mounted
   * @param {string} [opts.token] bearer token sent on every request and on /ws
   * @param {typeof fetch} [opts.fetch] your own fetch (adds auth itself); default: global fetch with the token
   * @param {string[]} [opts.only] load only these resources (default: every one in the version table)
   * @param {string|false} [opts.wsUrl] /ws URL, or false for no live updates (default: /ws of baseUrl's origin)
   * @param {string} [opts.cacheName='sluice-resources-v1'] Cache Storage name
   * @param {(p: {done: number, total: number, name: string}) => void} [opts.onProgress] first-sync progress
   */
  constructor(opts = {}) {
    super();
    this.baseUrl = (opts.baseUrl || '/plugins/resources').replace(/\/$/, '');
    this.token = opts.token;
    this.fetchImpl = opts.fetch || ((url, init) => globalThis.fetch(url, init));
    this.only = opts.only ? new Set(opts.only) : null;
    this.wsUrl = opts.wsUrl === undefined ? wsUrlFor(this.baseUrl) : opts.wsUrl;
    this.cacheName = opts.cacheName || DEFAULT_CACHE;
    this.onProgress = opts.onProgress;
    this.datasets = new Map();
    this.table = new Map();
    this.socket = null;
    this.retryMs = 1000;
    this.closed = false;
    this.loading = new Map();
  }

  headers() {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async request(url) {
    const res = await this.fetchImpl(url, { headers: this.headers() });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text().catch(() => '')}`.trim());
    return res;
  }

  /** First sync (with progress), then live updates. Resolves once every resource is in memory. */
  async start() {
    await this.sync(true);
    if (this.wsUrl) this.connect();
    return this;
  }

  /** Loads the version table and brings every resource whose version moved up to date. */
  async sync(withProgress = false) {
    const list = await (await this.request(this.baseUrl)).json();
    const wanted = list.filter((r) => !this.only || this.only.has(r.name));
    for (const r of wanted) this.table.set(r.name, r);
    let done = 0;
    const report = (name) => {
      done += 1;
      if (withProgress && this.onProgress) this.onProgress({ done, total: wanted.length, name });
      this.dispatchEvent(new CustomEvent('progress', { detail: { done, total: wanted.length, name } }));
    };
    await Promise.all(wanted.map(async (r) => {
      const held = this.datasets.get(r.name);
      if (!held || held.version < r.version) await this.load(r.name, r.version, r.idField);
      report(r.name);
    }));
    this.dispatchEvent(new CustomEvent('ready', { detail: { resources: wanted.map((r) => r.name) } }));
  }

  url(name, version) {
    return `${this.baseUrl}/${encodeURIComponent(name)}/fulldata?v=${version}`;
  }

  async openCache() {
    return globalThis.caches ? globalThis.caches.open(this.cacheName) : null;
  }

  /** One resource at one version: Cache Storage first, the network otherwise (then cached, older versions removed). */
  load(name, version, idField) {
    const key = `${name}@${version}`;
    let p = this.loading.get(key);
    if (!p) {
      p = this.loadNow(name, version, idField || this.table.get(name)?.idField || 'id').finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  async loadNow(name, version, idField) {
    const cache = await this.openCache();
    const url = this.url(name, version);
    let rows;
    let got = version;
    const hit = cache ? await cache.match(url, { ignoreVary: true }) : undefined;
    if (hit) rows = await hit.json();
    else {
      const res = await this.request(url);
      // A version bumped meanwhile is answered with the current one (no-cache): keep what was actually served.
      got = Number(res.headers.get('x-resource-version')) || version;
      const text = await res.text();
      rows = JSON.parse(text);
      if (cache) await this.store(cache, name, got, text);
    }
    const current = this.datasets.get(name);
    if (current && current.version >= got) return current;
    const ds = new Dataset(name, got, idField, rows);
    this.datasets.set(name, ds);
    this.dispatchEvent(new CustomEvent('change', { detail: { name, version: got, rows: rows.length } }));
    return ds;
  }

  async store(cache, name, version, text) {
    const prefix = new URL(`${this.baseUrl}/${encodeURIComponent(name)}/fulldata`, globalThis.location?.href).href;
    for (const req of await cache.keys()) {
      if (req.url.startsWith(`${prefix}?`) && req.url !== new URL(this.url(name, version), globalThis.location?.href).href) await cache.delete(req);
    }
    await cache.put(this.url(name, version), new Response(text, {
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-resource-version': String(version) },
    }));
  }

  /** Listens for `resource.version` on /ws; reconnects with backoff and resyncs after a gap. */
  connect() {
    const protocols = ['sluice.v1'];
    let url = this.wsUrl;
    if (this.token && TOKEN_CHARS.test(this.token)) protocols.push(`bearer.${this.token}`);
    else if (this.token) url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(this.token)}`;
    const socket = (this.socket = new WebSocket(url, protocols));
    let opened = false;
    socket.onmessage = (msg) => {
      const e = JSON.parse(msg.data);
      if (e.type === 'ws.ready') {
        if (opened) return;
        opened = true;
        this.retryMs = 1000;
        this.dispatchEvent(new CustomEvent('live', { detail: { on: true } }));
        return;
      }
      if (e.type !== 'resource.version' || !e.data) return;
      const { name, version } = e.data;
      if (this.only && !this.only.has(name)) return;
      const held = this.datasets.get(name);
      if (held && held.version >= version) return;
      this.load(name, version).catch((err) => this.dispatchEvent(new CustomEvent('error', { detail: { name, error: err } })));
    };
    socket.onclose = () => {
      this.dispatchEvent(new CustomEvent('live', { detail: { on: false } }));
      if (this.closed || this.socket !== socket) return;
      setTimeout(() => {
        if (this.closed) return;
        this.connect();
        this.sync().catch((err) => this.dispatchEvent(new CustomEvent('error', { detail: { error: err } })));
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30000);
    };
  }

  resource(name) {
    const ds = this.datasets.get(name);
    if (!ds) throw new Error(`resource "${name}" is not loaded (known: ${[...this.datasets.keys()].join(', ') || 'none'})`);
    return ds;
  }
  getById(name, id) { return this.resource(name).getById(id); }
  find(name, predicate) { return this.resource(name).find(predicate); }
  filter(name, predicate) { return this.resource(name).filter(predicate); }
  list(name) { return this.resource(name).list(); }
  version(name) { return this.datasets.get(name)?.version; }

  /** Stops live updates. */
  close() {
    this.closed = true;
    const s = this.socket;
    this.socket = null;
    if (s) s.close();
  }

  /** Stops and deletes every cached dataset (call it on sign-out). */
  async clear() {
    this.close();
    this.datasets.clear();
    if (globalThis.caches) await globalThis.caches.delete(this.cacheName);
  }
}

/** Creates a client and runs its first sync; resolves once every resource is in memory. */
export async function createResources(opts = {}) {
  return new ResourcesClient(opts).start();
}

/**
 * Registers the optional Service Worker (/plugins/resources/sw.js). It answers fulldata?v=N requests of the
 * pages it controls from Cache Storage and never holds a token: on a miss the page's own request (with its
 * Authorization header) goes to the network unchanged. `scope` defaults to '/', which the server allows
 * (Service-Worker-Allowed: /).
 */
export async function registerResourcesWorker(opts = {}) {
  const base = (opts.baseUrl || '/plugins/resources').replace(/\/$/, '');
  const cacheName = opts.cacheName || DEFAULT_CACHE;
  return navigator.serviceWorker.register(`${base}/sw.js?cache=${encodeURIComponent(cacheName)}`, { scope: opts.scope || '/' });
}
