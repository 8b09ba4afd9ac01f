/**
 * The fake's OAuth 2.0 token endpoint (Google's `token_uri`, HTTP/1.1 like oauth2.googleapis.com): accepts a
 * form-encoded `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an RS256 `assertion`, verifies it
 * against the service account's public key and the claims Google checks (iss, aud, scope, iat/exp at most 1 h
 * apart and not in the future), and issues an opaque access token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, type KeyObject } from 'node:crypto';
import { jwtVerify, errors as joseErrors } from 'jose';
import { oauthError } from './errors';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SKEW_S = 60;

export interface IssuedToken {
  expiresAt: number;
}

export interface TokenEndpoint {
  url: string;
  /** Token requests received (valid or not). */
  requests: number;
  /** Access tokens issued: token → expiry (ms). */
  issued: Map<string, IssuedToken>;
  /** Lifetime of the next tokens issued, in seconds. @defaultValue 3599 (Google's) */
  lifetimeS: number;
  close(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Why Google would refuse the assertion, or null when it is good. */
async function checkAssertion(assertion: string, publicKey: KeyObject, clientEmail: string, audience: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(assertion, publicKey, { algorithms: ['RS256'], issuer: clientEmail, audience, clockTolerance: SKEW_S });
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return 'Invalid JWT: iat and exp are required.';
    if (payload.exp - payload.iat > 3600 || payload.iat > now + SKEW_S) {
      return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
    }
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes(FCM_SCOPE)) return 'Invalid OAuth scope or ID token audience provided.';
    return null;
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'Invalid JWT Signature.';
    if (err instanceof joseErrors.JWTExpired) return 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
    if (err instanceof joseErrors.JWTClaimValidationFailed) return `Invalid JWT: ${err.claim} claim check failed.`;
    return 'Invalid JWT Signature.';
  }
}

export async function startTokenEndpoint(publicKey: KeyObject, clientEmail: string): Promise<TokenEndpoint> {
  const issued = new Map<string, IssuedToken>();
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    endpoint.requests++;
    void (async () => {
      const type = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || !type.startsWith('application/x-www-form-urlencoded')) {
        const e = oauthError('invalid_request', 'Invalid request: expected a form-encoded POST.');
        return send(e.http, e.body);
      }
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') !== JWT_BEARER) {
        const e = oauthError('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
        return send(e.http, e.body);
      }
      const problem = await checkAssertion(form.get('assertion') ?? '', publicKey, clientEmail, endpoint.url);
      if (problem) {
        const e = oauthError('invalid_grant', problem);
        return send(e.http, e.body);
      }
      const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
      issued.set(token, { expiresAt: Date.now() + endpoint.lifetimeS * 1000 });
      send(200, { access_token: token, expires_in: endpoint.lifetimeS, token_type: 'Bearer' });
    })().catch((err: unknown) => send(500, { error: 'internal_failure', error_description: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint: TokenEndpoint = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    requests: 0,
    issued,
    lifetimeS: 3599,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  return endpoint;
}
