/**
 * Error bodies exactly as FCM HTTP v1 and Google's OAuth endpoint send them (google.rpc.Status with an FcmError
 * or BadRequest detail; OAuth's `{ error, error_description }`).
 */
export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

export interface FcmErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

export interface FcmFailure {
  http: number;
  body: FcmErrorBody;
  headers?: Record<string, string>;
}

function fcmError(http: number, status: string, message: string, errorCode?: string): FcmFailure {
  return { http, body: { error: { code: http, message, status, ...(errorCode ? { details: [{ '@type': FCM_ERROR_TYPE, errorCode }] } : {}) } } };
}

export const failures = {
  unregistered: () => fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
  invalidToken: () => fcmError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT'),
  senderIdMismatch: () => fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH'),
  thirdPartyAuth: () => fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR'),
  unavailable: () => fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
  internal: () => fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
  quotaExceeded: (retryAfterSec: number): FcmFailure => ({
    ...fcmError(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Send messages' and limit 'Send messages per minute' of service 'fcm.googleapis.com'.", 'QUOTA_EXCEEDED'),
    headers: { 'retry-after': String(retryAfterSec) },
  }),
  unauthenticated: (): FcmFailure => ({
    http: 401,
    body: { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.' } },
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  }),
  permissionDenied: (project: string) => fcmError(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`),
  notFound: () => fcmError(404, 'NOT_FOUND', 'The requested URL was not found on this server.'),
  /** A payload problem: FCM names the offending field in a BadRequest detail. */
  invalidField: (field: string, description: string): FcmFailure => ({
    http: 400,
    body: { error: { code: 400, status: 'INVALID_ARGUMENT', message: description, details: [{ '@type': BAD_REQUEST_TYPE, fieldViolations: [{ field, description }] }] } },
  }),
  /** A payload problem FCM reports with an FcmError detail and no field (e.g. a message over 4 KB). */
  invalidMessage: (message: string) => fcmError(400, 'INVALID_ARGUMENT', message, 'INVALID_ARGUMENT'),
};

export function oauthError(error: string, description: string): { http: number; body: { error: string; error_description: string } } {
  return { http: 400, body: { error, error_description: description } };
}
