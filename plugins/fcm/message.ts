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
