/**
 * The checks FCM v1 makes on a `messages:send` body before it looks at the token, with FCM's messages: one
 * target, string-only `data` without reserved keys, a well-formed Android TTL and priority, and the 4,096-byte
 * payload limit.
 */
import { failures, type FcmFailure } from './errors';

export const MAX_PAYLOAD_BYTES = 4096;
const RESERVED_DATA_KEY = /^(from|notification|message_type)$|^(google|gcm)\./;
const DURATION = /^\d+(\.\d{1,9})?s$/;
const TOP_LEVEL = new Set(['message', 'validate_only']);
const MESSAGE_FIELDS = new Set(['name', 'token', 'topic', 'condition', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkData(data: unknown): FcmFailure | null {
  if (data === undefined) return null;
  if (!isObject(data)) return failures.invalidField('message.data', `Invalid value at 'message.data' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(data)}`);
  let i = 0;
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') return failures.invalidField(`message.data[${i}].value`, `Invalid value at 'message.data[${i}].value' (TYPE_STRING), ${JSON.stringify(value)}`);
    if (RESERVED_DATA_KEY.test(key)) return failures.invalidMessage(`Invalid data payload key: ${key}`);
    i++;
  }
  return null;
}

function checkAndroid(android: unknown): FcmFailure | null {
  if (android === undefined) return null;
  if (!isObject(android)) return failures.invalidField('message.android', `Invalid value at 'message.android' (type.googleapis.com/google.firebase.fcm.v1.AndroidConfig), ${JSON.stringify(android)}`);
  if (android.ttl !== undefined && (typeof android.ttl !== 'string' || !DURATION.test(android.ttl))) {
    return failures.invalidField('message.android.ttl', `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(android.ttl)}`);
  }
  if (android.priority !== undefined && !['NORMAL', 'HIGH', 'normal', 'high'].includes(String(android.priority))) {
    return failures.invalidField('message.android.priority', `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidConfig.AndroidMessagePriority), ${JSON.stringify(android.priority)}`);
  }
  return null;
}

/** Bytes FCM counts against the limit: the message without its target. */
export function payloadBytes(message: Json): number {
  const { token: _t, topic: _p, condition: _c, ...rest } = message;
  return Buffer.byteLength(JSON.stringify(rest));
}

/** FCM's answer to a malformed body, or null when it would go on to deliver. */
export function validateSend(body: unknown): FcmFailure | null {
  if (!isObject(body)) return failures.invalidField('', 'Invalid JSON payload received. Expected an object.');
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return failures.invalidField('', `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  const message = body.message;
  if (!isObject(message)) return failures.invalidField('message', "Invalid value at 'message': a message is required.");
  for (const key of Object.keys(message)) if (!MESSAGE_FIELDS.has(key)) return failures.invalidField('', `Invalid JSON payload received. Unknown name "${key}" at 'message': Cannot find field.`);
  const targets = ['token', 'topic', 'condition'].filter((k) => message[k] !== undefined);
  if (targets.length !== 1) return failures.invalidMessage('Exactly one of message.token, message.topic or message.condition must be set.');
  if (message.notification !== undefined && !isObject(message.notification)) return failures.invalidField('message.notification', `Invalid value at 'message.notification', ${JSON.stringify(message.notification)}`);
  const bad = checkData(message.data) ?? checkAndroid(message.android);
  if (bad) return bad;
  if (payloadBytes(message) > MAX_PAYLOAD_BYTES) return failures.invalidMessage(`Message payload is ${payloadBytes(message)} bytes, more than the ${MAX_PAYLOAD_BYTES}-byte limit.`);
  return null;
}
