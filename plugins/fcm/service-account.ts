/**
 * Parses a Google service account JSON (the file Firebase console → Project settings → Service accounts
 * downloads). Messages name the missing field, never the key material.
 */
import { FcmCredentialsError } from './errors';

export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export function parseServiceAccount(json: string, source = 'FCM_SERVICE_ACCOUNT'): ServiceAccount {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new FcmCredentialsError(`${source} is not valid JSON: paste the whole service account key file downloaded from Firebase console (Project settings → Service accounts → Generate new private key)`);
  }
  if (typeof raw !== 'object' || raw === null) throw new FcmCredentialsError(`${source} must be a JSON object (a service account key file)`);
  const o = raw as Record<string, unknown>;
  if (o.type !== undefined && o.type !== 'service_account') throw new FcmCredentialsError(`${source} has type "${String(o.type)}": FCM needs a key of type "service_account"`);
  for (const field of ['project_id', 'client_email', 'private_key']) {
    if (typeof o[field] !== 'string' || !o[field]) throw new FcmCredentialsError(`${source} has no "${field}": use the unmodified service account key file`);
  }
  if (!String(o.private_key).includes('BEGIN PRIVATE KEY')) throw new FcmCredentialsError(`${source} "private_key" is not a PKCS#8 PEM key: use the unmodified service account key file`);
  return {
    projectId: String(o.project_id),
    clientEmail: String(o.client_email),
    privateKey: String(o.private_key),
    privateKeyId: typeof o.private_key_id === 'string' ? o.private_key_id : undefined,
    tokenUri: typeof o.token_uri === 'string' && o.token_uri ? o.token_uri : GOOGLE_TOKEN_URI,
  };
}
