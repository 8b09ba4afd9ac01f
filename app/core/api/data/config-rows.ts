/** Config rows (`worker_configs`) as the API shows them, secrets masked, and typed-setting checks for writes. */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { isSecretKey, settingProblem, settingTypeLabel } from '../../../config/settings';
import { readJson } from '../../database/connection';
import { maskSecretValue } from '../../services/redact';

export interface ConfigRowView {
  key: string;
  workerId: string | null;
  value: unknown;
  secret: boolean;
  updatedAt: string;
}

export async function readConfigRow(pool: Pool, key: string, workerId: string | null): Promise<ConfigRowView | null> {
  const [rows] = await pool.query<RowDataPacket[]>(
    workerId === null
      ? 'SELECT worker_id, `key`, value, updated_at FROM worker_configs WHERE worker_id IS NULL AND `key` = ?'
      : 'SELECT worker_id, `key`, value, updated_at FROM worker_configs WHERE worker_id = ? AND `key` = ?',
    workerId === null ? [key] : [workerId, key],
  );
  const r = rows[0];
  if (!r) return null;
  const secret = isSecretKey(key);
  const value = readJson(r.value);
  return { key, workerId: r.worker_id ?? null, value: secret ? maskSecretValue(value) : value, secret, updatedAt: new Date(r.updated_at).toISOString() };
}

/** The declared type and range a value fails (`int >= 1`), or null when the key is not a known setting or the value fits. */
export function settingTypeMismatch(key: string, value: unknown): string | null {
  return settingProblem(key, value) ? settingTypeLabel(key) : null;
}
