/** Errors of the FCM client that end a whole job: each message says what to fix, and none carries a secret. */

/** The service account cannot be used: bad JSON, a missing field, or the token endpoint refused it. */
export class FcmCredentialsError extends Error {
  override readonly name = 'FcmCredentialsError';
}

/** FCM refused the sender itself (project, permission, APNs/Web Push credentials): every send would fail alike. */
export class FcmSenderError extends Error {
  override readonly name = 'FcmSenderError';
  constructor(message: string, readonly errorCode: string) {
    super(message);
  }
}
