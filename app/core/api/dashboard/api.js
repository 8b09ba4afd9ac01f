// The control API and /ws as the dashboard uses them: the token lives in sessionStorage (this tab only).
const TOKEN_KEY = 'sluice.token';
export const base = new URL('.', location.href);

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  /** { name, role } of the token (GET /me); admin buttons are rendered only for admin tokens. */
  me: null,
  get admin() {
    return Boolean(this.me && this.me.role === 'admin');
  },
};

/** An API error: the API's message (it names the failing field) and the field itself. */
export class ApiError extends Error {
  constructor(body, status) {
    super(body && body.message ? `${body.message} (${body.code})` : `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

let onUnauthorized = () => undefined;
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

/** Calls the API with the stored token; a refused token signs the tab out. */
export async function api(method, path, body) {
  const headers = { authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (res.status === 401) {
    onUnauthorized('Your token was refused; sign in again.');
    throw new ApiError(data, 401);
  }
  if (!res.ok) throw new ApiError(data, res.status);
  return data;
}

/** Every page of a cursor-paginated list. */
export async function all(path) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', `${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) s.append(k, String(one));
  }
  const text = s.toString();
  return text ? `?${text}` : '';
};

/**
 * Live events: one socket, handlers by event type ('*' for all). Browsers cannot set headers on a WebSocket, so the
 * token travels as a subprotocol (or ?token= when it has characters a subprotocol cannot carry).
 */
export const live = {
  socket: null,
  retryMs: 1000,
  handlers: new Map(),
  onStatus: () => undefined,
  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  },
  emit(e) {
    for (const key of [e.type, '*']) for (const fn of this.handlers.get(key) || []) fn(e);
  },
  connect() {
    const t = session.token;
    if (!t) return;
    const url = new URL('ws', base);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const protocols = ['sluice.v1'];
    if (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(t)) protocols.push(`bearer.${t}`);
    else url.searchParams.set('token', t);
    const socket = (this.socket = new WebSocket(url, protocols));
    socket.onmessage = (msg) => {
      const e = JSON.parse(msg.data);
      if (e.type === 'ws.ready') {
        this.retryMs = 1000;
        this.onStatus(true);
      }
      this.emit(e);
    };
    socket.onclose = () => {
      this.onStatus(false);
      if (this.socket !== socket || !session.token) return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 30000);
    };
  },
  close() {
    const s = this.socket;
    this.socket = null;
    if (s) s.close();
  },
};
