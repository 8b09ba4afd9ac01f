/** Masks values whose key looks secret, so tokens and passwords never reach logs or API responses. */
const SECRET_FIELD = /(secret|token|password|passwd|authorization|api[-_]?key|access[-_]?key|private[-_]?key|^key$|_key$)/i;

export const MASK = '***';

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined && v !== '' ? MASK : redactSecrets(v, depth + 1);
  }
  return out;
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
