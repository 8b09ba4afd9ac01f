/**
 * A push request's message as the API takes it, its checks (FCM's 4 KB payload limit, string-only data without
 * reserved keys), and the FCM v1 message it becomes for one token.
 */
import { FCM_MAX_PAYLOAD_BYTES, RESERVED_DATA_KEY, payloadBytes, type FcmMessage } from '../../plugins/fcm';

export interface PushMessageInput {
  notification?: { title?: string; body?: string; image?: string };
  data?: Record<string, string>;
  android?: { priority?: 'high' | 'normal'; ttl?: number; collapseKey?: string };
  apns?: { headers?: Record<string, string>; payload?: Record<string, unknown> };
}

/** A bad request body: answered 400 in the core's error shape, naming the field. */
export class PushInputError extends Error {
  readonly statusCode = 400;
  readonly code = 'SLUICE_VALIDATION';
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** The FCM message for one token; `label` (the job id) tags it for FCM's delivery analytics. */
export function toFcmMessage(m: PushMessageInput, token: string, label?: string): FcmMessage {
  const out: FcmMessage = { token };
  if (m.notification) out.notification = m.notification;
  if (m.data) out.data = m.data;
  if (m.android) {
    out.android = {
      ...(m.android.priority ? { priority: m.android.priority === 'high' ? 'HIGH' : 'NORMAL' } : {}),
      ...(m.android.ttl !== undefined ? { ttl: `${m.android.ttl}s` } : {}),
      ...(m.android.collapseKey ? { collapse_key: m.android.collapseKey } : {}),
    };
  }
  if (m.apns) out.apns = m.apns;
  if (label) out.fcm_options = { analytics_label: label };
  return out;
}

/** Checks what JSON Schema cannot: data values are strings and not reserved keys, and the payload fits 4 KB. */
export function checkMessage(m: PushMessageInput, at: string): void {
  for (const [key, value] of Object.entries(m.data ?? {})) {
    if (typeof value !== 'string') throw new PushInputError(`${at}/data/${key}: FCM data values must be strings (got ${typeof value}); encode it, e.g. JSON.stringify`, `${at}/data/${key}`);
    if (RESERVED_DATA_KEY.test(key)) throw new PushInputError(`${at}/data/${key}: "${key}" is reserved by FCM (from, notification, message_type, google.*, gcm.*)`, `${at}/data/${key}`);
  }
  const bytes = payloadBytes(toFcmMessage(m, '', 'x'.repeat(36)));
  if (bytes > FCM_MAX_PAYLOAD_BYTES) {
    throw new PushInputError(`${at}: the message payload is ${bytes} bytes; FCM's limit is ${FCM_MAX_PAYLOAD_BYTES} (notification, data, android and apns together)`, at);
  }
}
