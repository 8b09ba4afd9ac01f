/**
 * Resources panel of the dashboard: the version table of the resources plugin, kept live by its browser client
 * (/plugins/resources/client.js), and a lookup that turns an id into its row from memory (getById). The panel
 * stays hidden when the plugin is not installed. app.js announces sign-in/out with `sluice:signed-in|out` events.
 */
const base = new URL('.', location.href);
const $ = (sel) => document.querySelector(sel);
let client = null;

function text(el, value) {
  el.textContent = value == null ? '' : String(value);
}

function render() {
  const body = $('#resources-table tbody');
  body.replaceChildren();
  for (const [name, meta] of client.table) {
    const ds = client.datasets.get(name);
    const tr = document.createElement('tr');
    tr.dataset.resource = name;
    const cells = [name, ds ? ds.version : meta.version, ds ? ds.size : meta.rows, `${Math.round(meta.bytes / 1024)} KB`, meta.description];
    for (const [i, value] of cells.entries()) {
      const td = document.createElement('td');
      if (i === 1) td.dataset.field = 'version';
      if (i === 2) td.dataset.field = 'rows';
      text(td, value);
      tr.append(td);
    }
    body.append(tr);
  }
  const select = $('#resource-name');
  if (!select.options.length) for (const name of client.table.keys()) select.append(new Option(name, name));
}

async function start() {
  const token = sessionStorage.getItem('sluice.token');
  if (!token || client) return;
  const baseUrl = new URL('plugins/resources', base).pathname;
  const probe = await fetch(baseUrl, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
  if (!probe.ok) return;
  const { ResourcesClient } = await import(new URL('plugins/resources/client.js', base).href);
  client = new ResourcesClient({
    baseUrl, token,
    onProgress: ({ done, total }) => text($('#resources-progress'), done < total ? `loading ${done}/${total}` : `${total} loaded`),
  });
  $('#resources').hidden = false;
  client.addEventListener('change', () => render());
  await client.start();
  render();
}

function stop() {
  if (client) client.clear().catch(() => undefined);
  client = null;
  $('#resources').hidden = true;
}

document.addEventListener('sluice:signed-in', () => start().catch((err) => text($('#resources-progress'), err.message)));
document.addEventListener('sluice:signed-out', stop);
document.addEventListener('DOMContentLoaded', () => {
  $('#resource-lookup').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!client) return;
    const row = client.getById($('#resource-name').value, $('#resource-id').value.trim());
    text($('#resource-row'), row ? JSON.stringify(row) : 'no such id');
  });
});
