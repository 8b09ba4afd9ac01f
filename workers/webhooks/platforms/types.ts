/** What the intake needs of each platform: how it signs a push, and what a push says. */
import type { MarketPlatform } from '../../../plugins/market-records';
import type { PlatformSecrets } from '../settings';
import type { PushEvent } from '../push-event';

/** A body that verified but does not say what the intake needs: answered 400 naming the field. */
export class PushShapeError extends Error {
  override name = 'PushShapeError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export interface ParsedPush {
  /** The push's own timestamp (unix s), checked against WEBHOOK_MAX_SKEW_S. */
  timestamp: number;
  /** null: a push type the intake does not store (acknowledged 2xx so the platform stops retrying). */
  event: PushEvent | null;
}

export interface PushPlatform {
  name: MarketPlatform;
  /** The request header carrying the signature. */
  header: string;
  /** The expected signature bytes of a raw body, or null when the secrets are not configured. */
  expected(secrets: PlatformSecrets, raw: Buffer): Buffer | null;
  parse(body: Record<string, unknown>): ParsedPush;
}

/** The parts of each dotted path asked for (a handful of constant paths: split once, not per push). */
const PARTS = new Map<string, readonly string[]>();

export function need(obj: Record<string, unknown>, path: string): unknown {
  let parts = PARTS.get(path);
  if (!parts) PARTS.set(path, (parts = path.split('.')));
  let v: unknown = obj;
  for (const part of parts) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (v === undefined || v === null || v === '') throw new PushShapeError(path, `body.${path} is required`);
  return v;
}

export function needNumber(obj: Record<string, unknown>, path: string): number {
  const v = need(obj, path);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new PushShapeError(path, `body.${path} must be a unix time (got ${JSON.stringify(v)})`);
  return n;
}
