/** The FCM v1 `Message` this toolkit sends (the fields Sluice's push plugin uses). */
export interface FcmNotification {
  title?: string;
  body?: string;
  image?: string;
}

export interface FcmAndroidConfig {
  priority?: 'NORMAL' | 'HIGH';
  /** Duration, e.g. "3600s". */
  ttl?: string;
  collapse_key?: string;
}

export interface FcmApnsConfig {
  headers?: Record<string, string>;
  payload?: Record<string, unknown>;
}

export interface FcmMessage {
  token: string;
  notification?: FcmNotification;
  data?: Record<string, string>;
  android?: FcmAndroidConfig;
  apns?: FcmApnsConfig;
  fcm_options?: { analytics_label?: string };
}

/** FCM's limit on a message's payload (everything but the target), in bytes. */
export const FCM_MAX_PAYLOAD_BYTES = 4096;

/** Bytes FCM counts against the 4 KB limit. */
export function payloadBytes(message: Omit<FcmMessage, 'token'> & { token?: string }): number {
  const { token: _t, ...rest } = message;
  return Buffer.byteLength(JSON.stringify(rest));
}

/** Keys FCM rejects in `data`. */
export const RESERVED_DATA_KEY = /^(from|notification|message_type)$|^(google|gcm)\./;

/**
 * A message for many tokens, serialized once: the request body for one token is two string concatenations instead
 * of a new message object and a JSON.stringify of all of it per push (a third of a push job's allocations were the
 * per-push copies of the same message). The token is the first key of the message, as FCM examples put it.
 */
export class MessageTemplate {
  private readonly head: string;
  private readonly tail: string;

  constructor(message: Omit<FcmMessage, 'token'>, validateOnly = false) {
    const marker = JSON.stringify('\u0000token\u0000');
    const { token: _t, ...rest } = message as FcmMessage;
    const json = JSON.stringify(validateOnly ? { message: { token: '\u0000token\u0000', ...rest }, validate_only: true } : { message: { token: '\u0000token\u0000', ...rest } });
    // The token is the message's first key, so the first occurrence is the token's place even if content has the marker.
    const at = json.indexOf(marker);
    this.head = json.slice(0, at);
    this.tail = json.slice(at + marker.length);
  }

  /** The `messages:send` request body for one token. */
  body(token: string): string {
    return this.head + JSON.stringify(token) + this.tail;
  }
}
