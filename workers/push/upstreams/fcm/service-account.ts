/**
 * A Google service account made up for the fake FCM: a fresh RSA key pair per fake, the private half in the
 * JSON file shape Google issues (`type: service_account`, PKCS#8 PEM), the public half kept by the fake to verify
 * the RS256 JWTs the client signs with it.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface ServiceAccountJson {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

export interface TestServiceAccount {
  json: ServiceAccountJson;
  publicKey: KeyObject;
}

export function makeServiceAccount(projectId: string, tokenUri: string): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    json: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: `firebase-adminsdk-test@${projectId}.iam.gserviceaccount.com`,
      client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
      token_uri: tokenUri,
    },
  };
}
