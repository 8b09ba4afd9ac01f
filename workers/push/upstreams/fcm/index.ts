export { startFakeFcm, messageKey, type FakeFcm, type FakeFcmOptions } from './server';
export { FCM_SCOPE } from './oauth';
export { failures, FCM_ERROR_TYPE, BAD_REQUEST_TYPE, type FcmErrorBody } from './errors';
export { MAX_PAYLOAD_BYTES, payloadBytes, validateSend } from './validate';
export type { ServiceAccountJson } from './service-account';
