/**
 * FCM HTTP v1 toolkit: service-account OAuth (jose RS256 JWT, cached access token), one request per message over
 * pooled HTTP/2 sessions, outcome classification, a sender with in-flight and shared-quota limits and retries.
 */
export { parseServiceAccount, GOOGLE_TOKEN_URI, type ServiceAccount } from './service-account';
export { AccessTokenSource, FCM_SCOPE, type AccessTokenOptions } from './access-token';
export { Http2Pool, H2RequestError, type H2Response, type Http2PoolOptions } from './http2-pool';
export { FcmClient, type FcmClientOptions } from './client';
export { classify, senderAdvice, type OutcomeKind, type SendOutcome } from './outcome';
export { FcmSender, Reservation, type FcmSenderOptions, type SendOptions, type FinalOutcome } from './sender';
export { SharedQuota, type SharedQuotaOptions } from './quota';
export { Semaphore } from './semaphore';
export { FcmCredentialsError, FcmSenderError } from './errors';
export { FCM_MAX_PAYLOAD_BYTES, RESERVED_DATA_KEY, MessageTemplate, payloadBytes, type FcmMessage, type FcmNotification, type FcmAndroidConfig, type FcmApnsConfig } from './message';
