// DOM helpers, time and duration formats shared by the dashboard's views.
export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-') || k === 'title' || k === 'for' || k === 'role') node.setAttribute(k, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node[k] = v;
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** A time with its zone, in the browser's zone or the one given (e.g. a schedule's). */
export function when(iso, timeZone) {
  if (!iso) return '—';
  const opts = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' };
  try {
    return new Date(iso).toLocaleString(undefined, timeZone ? { ...opts, timeZone } : opts);
  } catch {
    return new Date(iso).toLocaleString(undefined, opts);
  }
}

export function duration(ms) {
  if (ms == null) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 0)} s`;
}

export function badge(text) {
  return el('span', { class: `badge ${String(text).replace(/[^a-z_]/gi, '')}` }, text);
}

/** Compact JSON for a table cell (full text in the title). */
export function json(value, max = 80) {
  if (value === null || value === undefined) return el('span', { class: 'muted' }, '—');
  const text = JSON.stringify(value);
  return el('code', { title: text }, text.length > max ? `${text.slice(0, max)}…` : text);
}

/** A message slot next to an action: errors are shown where the action was taken. */
export function note(target, text, isError = false) {
  if (!target) return;
  target.textContent = text || '';
  target.classList.toggle('error', Boolean(isError));
  target.hidden = !text;
}

/** Runs an action, reporting its error next to it (into `slot`); returns the action's value or undefined. */
export async function act(slot, fn) {
  try {
    note(slot, '');
    return await fn();
  } catch (err) {
    if (err.status !== 401) note(slot, err.message, true);
    return undefined;
  }
}

/** `<input type=datetime-local>` value (browser zone) → ISO, or undefined. */
export function localToIso(value) {
  return value ? new Date(value).toISOString() : undefined;
}

export const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
