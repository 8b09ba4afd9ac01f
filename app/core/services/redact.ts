/**
 * The one redaction and size cap of every value Sluice stores or shows (params, results, progress, errors, event
 * payloads, log lines): keys that look secret are masked at any depth, known secret values (read through the config
 * chain, API tokens) are masked inside any text the way CI systems mask them in build logs, parts nested deeper than
 * JSON_MAX_DEPTH are cut, and a value whose JSON is larger than VALUE_MAX_BYTES is replaced by a marker that says so.
 */
import { ParamsValidationError } from './params';

const SECRET_FIELD = /(secret|token|password|passwd|authorization|api[-_]?key|access[-_]?key|private[-_]?key|^key$|_key$)/i;

export const MASK = '***';

/** Settings behind the limits (named in markers and error messages). */
export const LIMIT_SETTINGS = { maxBytes: 'VALUE_MAX_BYTES', maxParamsBytes: 'JOB_PARAMS_MAX_BYTES', maxDepth: 'JSON_MAX_DEPTH', minSecretLength: 'SECRET_MASK_MIN_LENGTH' } as const;

export interface RedactionLimits {
  /** Largest JSON text (UTF-8 bytes) of a stored or shown value. @defaultValue VALUE_MAX_BYTES (32 KiB) */
  maxBytes: number;
  /**
   * Largest params of a job (refused above): the worker needs its params whole, so they are not capped in Bull's
   * job hash; the copies stored in MySQL and shown by the API are capped at maxBytes. @defaultValue JOB_PARAMS_MAX_BYTES (1 MiB)
   */
  maxParamsBytes: number;
  /** Deepest nesting of a value; deeper input is refused, deeper parts of stored values are cut. @defaultValue JSON_MAX_DEPTH (32) */
  maxDepth: number;
  /** Shortest known secret value masked in texts (shorter ones would mask ordinary words). @defaultValue SECRET_MASK_MIN_LENGTH (6) */
  minSecretLength: number;
}

export const DEFAULT_LIMITS: RedactionLimits = { maxBytes: 32_768, maxParamsBytes: 1_048_576, maxDepth: 32, minSecretLength: 6 };

/** MySQL TEXT columns (errors, log messages) hold 65,535 bytes: texts are cut below that whatever VALUE_MAX_BYTES says. */
const TEXT_MAX_BYTES = 60_000;
const PREVIEW_CHARS = 256;

/** What replaces a value over the cap: `{"$capped": {...}, "preview": "<first characters of its redacted JSON>"}`. */
export interface CappedMarker {
  $capped: { bytes: number; limitBytes: number; setting: typeof LIMIT_SETTINGS.maxBytes };
  preview: string;
}

/** A value nested deeper than the limit (refused input: trigger params, config values, request bodies). */
export class DepthLimitError extends Error {
  override name = 'DepthLimitError';
  /** `field` names the input as the API error does (`body/params`). */
  constructor(subject: string, readonly limit: number, readonly field: string) {
    super(`${subject} is nested deeper than ${limit} levels (${LIMIT_SETTINGS.maxDepth})`);
  }
}

export function isSecretField(key: string): boolean {
  return SECRET_FIELD.test(key);
}

const isBlank = (v: unknown): boolean => v === null || v === undefined || v === '';

/** Nesting depth of a JSON-like value, stopping as soon as it passes `limit` (no recursion: safe on any input). */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** Nesting depth of a JSON text over `limit`, by one scan of its brackets (before parsing it). */
export function jsonTextTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

function utf8Cut(text: string, maxBytes: number): string {
  return Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/, '');
}

export class Redactor {
  /** Known secret values, longest first (a longer secret containing a shorter one is masked whole). */
  private secrets: string[] = [];
  private readonly known = new Set<string>();

  constructor(readonly limits: RedactionLimits = DEFAULT_LIMITS) {}

  /**
   * Registers a secret value to be masked wherever it appears in text. A URL counts by its password only (its
   * host is not secret); an object by the string leaves under secret-looking keys; short values are ignored.
   */
  addSecret(value: unknown): void {
    if (typeof value === 'number' || typeof value === 'bigint') value = String(value);
    if (typeof value === 'string') {
      const password = urlPassword(value);
      if (password !== undefined) {
        if (password) [password, safeDecode(password)].forEach((p) => this.addText(p));
        return;
      }
      this.addText(value);
      return;
    }
    if (value && typeof value === 'object') {
      const stack: Array<[string, unknown]> = Object.entries(value as object);
      while (stack.length) {
        const [k, v] = stack.pop()!;
        if (v && typeof v === 'object') stack.push(...Object.entries(v as object));
        else if (isSecretField(k)) this.addSecret(v);
      }
    }
  }

  get secretCount(): number {
    return this.secrets.length;
  }

  private addText(s: string): void {
    if (s.length < this.limits.minSecretLength || this.known.has(s)) return;
    this.known.add(s);
    this.secrets = [...this.known].sort((a, b) => b.length - a.length);
  }

  /** Masks known secret values in a text. */
  maskText(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }

  /** A text to store or show (error, log message): known secrets masked, cut at the cap with a marker. */
  text(text: string): string;
  text(text: string | null): string | null;
  text(text: string | null): string | null {
    if (text === null) return null;
    const masked = this.maskText(text);
    const limit = Math.min(this.limits.maxBytes, TEXT_MAX_BYTES);
    if (masked.length <= limit / 3) return masked;
    const bytes = Buffer.byteLength(masked, 'utf8');
    if (bytes <= limit) return masked;
    const note = ` … [capped: ${bytes} bytes, over ${LIMIT_SETTINGS.maxBytes}=${limit}]`;
    return utf8Cut(masked, limit - Buffer.byteLength(note)) + note;
  }

  /** Secret-looking keys masked at any depth, known secrets masked in strings, parts past the depth limit cut. */
  redact(value: unknown): unknown {
    return this.walk(value, 0, new Set());
  }

  /** One named field: masked whole when its key looks secret, else redacted. */
  field(key: string, value: unknown): unknown {
    return isSecretField(key) && !isBlank(value) ? MASK : this.walk(value, 0, new Set());
  }

  /** The value as stored or shown: redacted, and replaced by a marker when its JSON is over the cap. */
  value(value: unknown): unknown {
    return this.sanitize(value).value;
  }

  /** The JSON text to store (null for null/undefined): redacted and capped. */
  json(value: unknown): string | null {
    return this.sanitize(value).json;
  }

  /** Both the redacted (possibly capped) value and its JSON text, computed once. */
  sanitize(value: unknown): { value: unknown; json: string | null } {
    if (value === null || value === undefined) return { value: null, json: null };
    const safe = this.walk(value, 0, new Set());
    const json = JSON.stringify(safe);
    if (json === undefined) return { value: null, json: null };
    const { maxBytes } = this.limits;
    if (json.length * 3 <= maxBytes) return { value: safe, json };
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes <= maxBytes) return { value: safe, json };
    const marker: CappedMarker = { $capped: { bytes, limitBytes: maxBytes, setting: LIMIT_SETTINGS.maxBytes }, preview: json.slice(0, PREVIEW_CHARS) };
    return { value: marker, json: JSON.stringify(marker) };
  }

  /** An event's data: each top-level field sanitized on its own, so a huge field does not hide `workerId`. */
  fields<T extends object>(data: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) {
      out[k] = isSecretField(k) && !isBlank(v) ? MASK : v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean' ? v : this.value(v);
    }
    return out as T;
  }

  /**
   * Refuses params that cannot travel in a job (they are stored in Bull's job hash and in MySQL as given): nested
   * past the depth limit, a value under a secret-looking key (pass an id and load the secret with ctx.config), or
   * JSON larger than maxParamsBytes.
   */
  checkParams(params: unknown): void {
    if (depthExceeds(params, this.limits.maxDepth)) throw new DepthLimitError('params', this.limits.maxDepth, 'body/params');
    const secretAt = findSecretKey(params);
    if (secretAt !== null) {
      throw new ParamsValidationError(secretAt, 'looks like a secret; job params are stored in Redis and MySQL, so pass an id and load the secret in the worker with ctx.config.get');
    }
    const json = JSON.stringify(params) ?? '';
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.limits.maxParamsBytes) {
      throw new ParamsValidationError('', `${bytes} bytes of JSON, over ${LIMIT_SETTINGS.maxParamsBytes}=${this.limits.maxParamsBytes}; store large inputs elsewhere and pass their id`);
    }
  }

  private walk(v: unknown, depth: number, seen: Set<object>): unknown {
    if (typeof v === 'string') return this.secrets.length ? this.maskText(v) : v;
    if (typeof v === 'bigint') return String(v);
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date || Buffer.isBuffer(v)) return v;
    if (v instanceof Error) return { name: v.name, message: this.maskText(v.message) };
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      const j = (v as { toJSON: () => unknown }).toJSON();
      return j !== null && typeof j === 'object' && j === v ? {} : this.walk(j, depth, seen);
    }
    if (depth >= this.limits.maxDepth) return `[nested deeper than ${this.limits.maxDepth} levels (${LIMIT_SETTINGS.maxDepth})]`;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map((x) => this.walk(x, depth + 1, seen));
    else {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = isSecretField(k) && !isBlank(x) ? MASK : this.walk(x, depth + 1, seen);
      out = o;
    }
    seen.delete(v);
    return out;
  }
}

/** The path (`/a/0/token`) of the first non-empty value under a secret-looking key, or null. */
function findSecretKey(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    for (const [k, x] of Object.entries(v as object)) {
      if (!Array.isArray(v) && isSecretField(k) && !isBlank(x)) return `${path}/${k}`;
      stack.push([x, `${path}/${k}`]);
    }
  }
  return null;
}

/** The password of a URL ('' when it has none), or undefined when the text is not a URL with a host. */
function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const u = new URL(value);
    return u.host ? u.password : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const keysOnly = new Redactor();

/** Key-based masking at any depth (no known values, no cap): for callers without the process's Redactor. */
export function redactSecrets(value: unknown): unknown {
  return keysOnly.redact(value);
}

/** `mysql://user:pw@host/db` → `mysql://user:***@host/db`; any other secret value → `***`. */
export function maskSecretValue(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      const u = new URL(value);
      if (u.password) {
        u.password = MASK;
        return u.toString();
      }
      if (u.protocol && u.host) return value;
    } catch {
      // not a URL
    }
    return value === '' ? '' : MASK;
  }
  return value === null || value === undefined ? value : MASK;
}
