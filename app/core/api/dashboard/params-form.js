// A run-now form generated from a worker's params JSON Schema (GET /workers/:id → paramsSchema).
import { el } from './dom.js';

/** One input per property: text, number (with bounds), checkbox, select for enums, JSON for anything else. */
function field(name, schema, required) {
  const id = `param-${name}`;
  const label = el('label', { for: id }, name, required ? ' *' : '', schema.description ? el('span', { class: 'muted' }, ` — ${schema.description}`) : '');
  const common = { id, name, 'data-param': name, 'data-type': schema.type || 'json', required };
  let input;
  if (Array.isArray(schema.enum)) {
    input = el('select', common, required ? null : el('option', { value: '' }, '—'), ...schema.enum.map((v) => el('option', { value: String(v) }, String(v))));
  } else if (schema.type === 'boolean') {
    input = el('input', { ...common, type: 'checkbox', required: false, checked: schema.default === true });
  } else if (schema.type === 'integer' || schema.type === 'number') {
    input = el('input', { ...common, type: 'number', step: schema.type === 'integer' ? '1' : 'any', min: schema.minimum, max: schema.maximum, value: schema.default ?? '' });
  } else if (schema.type === 'string') {
    input = el('input', { ...common, type: 'text', minLength: schema.minLength, maxLength: schema.maxLength, pattern: schema.pattern, value: schema.default ?? '', spellcheck: false });
  } else {
    input = el('textarea', { ...common, rows: 2, spellcheck: false, placeholder: 'JSON' }, schema.default !== undefined ? JSON.stringify(schema.default) : '');
  }
  return el('div', { class: 'field', 'data-field-for': name }, label, input, el('div', { class: 'note error', 'data-error-for': name, hidden: true }));
}

/** Renders the form fields into `container` (replacing what was there: a new worker starts from a clean form). */
export function renderParamsForm(container, schema) {
  container.replaceChildren();
  if (!schema || schema.type !== 'object' || !schema.properties) {
    container.append(el('label', { for: 'run-params' }, 'Params (JSON object)'), el('textarea', { id: 'run-params', rows: 4, spellcheck: false, value: '{}' }));
    return;
  }
  const required = new Set(schema.required || []);
  for (const [name, prop] of Object.entries(schema.properties)) container.append(field(name, prop, required.has(name)));
}

/** The params object the form describes; throws naming the field when a JSON field does not parse. */
export function readParamsForm(container) {
  const free = container.querySelector('#run-params');
  if (free) {
    try {
      return JSON.parse(free.value || '{}');
    } catch (err) {
      throw Object.assign(new Error(`params: not valid JSON (${err.message})`), { field: 'body/params' });
    }
  }
  const params = {};
  for (const input of container.querySelectorAll('[data-param]')) {
    const name = input.dataset.param;
    const type = input.dataset.type;
    if (type === 'boolean') {
      params[name] = input.checked;
      continue;
    }
    if (input.value === '') continue;
    if (type === 'integer' || type === 'number') params[name] = Number(input.value);
    else if (type === 'string' || input.tagName === 'SELECT') params[name] = input.value;
    else {
      try {
        params[name] = JSON.parse(input.value);
      } catch {
        throw Object.assign(new Error(`params.${name}: not valid JSON`), { field: `body/params/${name}` });
      }
    }
  }
  return params;
}

/** Shows an API error next to the field it names (`body/params/days`); true when a field took it. */
export function showFieldError(container, field, message) {
  for (const slot of container.querySelectorAll('[data-error-for]')) slot.hidden = true;
  const name = field && field.startsWith('body/params/') ? field.slice('body/params/'.length).split('/')[0] : null;
  const slot = name ? container.querySelector(`[data-error-for="${CSS.escape(name)}"]`) : null;
  if (!slot) return false;
  slot.textContent = message;
  slot.hidden = false;
  return true;
}
