/**
 * One push through the intake: content type → signature over the raw body (timing-safe) → JSON → required keys →
 * timestamp window → append (XADD MAXLEN ~, batched per event-loop turn: stream-appender.ts). Each step that refuses
 * answers in the core's error shape, with a code of the core's error table (the message says which check failed),
 * and appends nothing; the outcome (platform, reason) is what the route counts. Bodies and secrets are never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import { idempotencyKey, toFields } from './push-event';
import { PushShapeError, type PushPlatform } from './platforms';
import type { PlatformSecrets } from './settings';

export interface IntakeSettings {
  secrets: PlatformSecrets;
  maxSkewS: number;
}

/** Appends one entry (its flat field list) to the intake stream; resolves once it is there (stream-appender.ts). */
export type AppendEntry = (fields: readonly string[]) => Promise<void>;

export interface IntakeOutcome {
  status: number;
  /** Counted as the `reason` label: accepted, ignored, bad_content_type, missing_signature, bad_signature, not_configured, stale_timestamp, malformed_json, missing_field. */
  reason: string;
  /** Error body for a refusal (the core's shape); none on 2xx. */
  error?: { code: string; message: string };
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const ERROR_NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 500: 'Internal Server Error' };

export function errorBody(o: IntakeOutcome): Record<string, unknown> {
  return { statusCode: o.status, code: o.error!.code, error: ERROR_NAMES[o.status] ?? 'Error', message: o.error!.message };
}

const refuse = (status: number, reason: string, code: string, message: string): IntakeOutcome => ({ status, reason, error: { code, message } });

function signatureOutcome(platform: PushPlatform, s: IntakeSettings, raw: Buffer, header: unknown): IntakeOutcome | null {
  const given = typeof header === 'string' ? header.trim() : '';
  if (!given) return refuse(401, 'missing_signature', 'SLUICE_UNAUTHORIZED', `the ${platform.header} header with the push signature is required`);
  const expected = platform.expected(s.secrets, raw);
  if (!expected) return refuse(401, 'not_configured', 'SLUICE_UNAUTHORIZED', `${platform.name} push secrets are not configured on this server`);
  const ok = HEX_SHA256.test(given) && timingSafeEqual(Buffer.from(given, 'hex'), expected);
  return ok ? null : refuse(401, 'bad_signature', 'SLUICE_UNAUTHORIZED', 'the signature does not match the body');
}

function parseJson(raw: Buffer): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export async function takePush(append: AppendEntry, platform: PushPlatform, s: IntakeSettings, req: { contentType: string | undefined; raw: Buffer; signature: unknown }, nowMs = Date.now()): Promise<IntakeOutcome> {
  if (!/^application\/json\b/i.test(req.contentType ?? '')) return refuse(400, 'bad_content_type', 'SLUICE_BAD_REQUEST', 'content-type must be application/json');
  const bad = signatureOutcome(platform, s, req.raw, req.signature);
  if (bad) return bad;
  const body = parseJson(req.raw);
  if (!body) return refuse(400, 'malformed_json', 'SLUICE_MALFORMED_BODY', 'malformed request body: not a JSON object');
  let parsed;
  try {
    parsed = platform.parse(body);
  } catch (err) {
    if (err instanceof PushShapeError) return refuse(400, 'missing_field', 'SLUICE_VALIDATION', err.message);
    throw err;
  }
  if (Math.abs(nowMs / 1000 - parsed.timestamp) > s.maxSkewS) return refuse(401, 'stale_timestamp', 'SLUICE_UNAUTHORIZED', `the push timestamp is more than ${s.maxSkewS} s from now`);
  if (!parsed.event) return { status: 200, reason: 'ignored' };
  await append(toFields(parsed.event, idempotencyKey(parsed.event)));
  return { status: 200, reason: 'accepted' };
}
