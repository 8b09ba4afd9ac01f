import http2 from 'node:http2';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPKCS8, SignJWT } from 'jose';
import { FCM_SCOPE, startFakeFcm, type FakeFcm } from '.';

let fcm: FakeFcm;
let session: http2.ClientHttp2Session;

async function assertion(opts: { key?: string; scope?: string; lifetimeS?: number } = {}): Promise<string> {
  const sa = fcm.serviceAccount;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: opts.scope ?? FCM_SCOPE })
    .setProtectedHeader({ alg: 'RS256', kid: sa.private_key_id, typ: 'JWT' })
    .setIssuer(sa.client_email).setAudience(sa.token_uri).setIssuedAt(now).setExpirationTime(now + (opts.lifetimeS ?? 3600))
    .sign(await importPKCS8(opts.key ?? sa.private_key, 'RS256'));
}

async function tokenRequest(jwt: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(fcm.tokenUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function send(body: unknown, bearer?: string, project = fcm.projectId): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': `/v1/projects/${project}/messages:send`, 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) });
    let headers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => { headers = h; });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status: Number(headers[':status']), headers, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('fake FCM', () => {
  let bearer: string;
  beforeAll(async () => {
    fcm = await startFakeFcm({ latencyMs: 5, quota: 40, quotaWindowMs: 60_000 });
    session = http2.connect(fcm.baseUrl);
    const res = await tokenRequest(await assertion());
    expect(res).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 3599 } });
    bearer = String(res.body.access_token);
  });
  afterAll(async () => {
    session?.close();
    await fcm?.close();
  });

  it('issues access tokens only for a JWT signed by the service account with the FCM scope and a 1 h lifetime', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(await tokenRequest(await assertion({ key: other }))).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } });
    expect((await tokenRequest(await assertion({ scope: 'https://www.googleapis.com/auth/cloud-platform.read-only' }))).body.error).toBe('invalid_grant');
    expect((await tokenRequest(await assertion({ lifetimeS: 7200 }))).body.error_description).toMatch(/short-lived token/);
    expect(fcm.token.requests).toBe(4);
  });

  it('answers with FCM v1 bodies: 401 without a token, 403 on another project, 404 UNREGISTERED, 400 for a bad token or payload', async () => {
    const message = { token: 'tok-a', notification: { title: 'hi' } };
    expect(await send({ message })).toMatchObject({ status: 401, body: { error: { code: 401, status: 'UNAUTHENTICATED' } } });
    expect(await send({ message }, bearer, 'someone-else')).toMatchObject({ status: 403, body: { error: { status: 'PERMISSION_DENIED' } } });
    const gone = await send({ message: { ...message, token: 'unregistered-1' } }, bearer);
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 404, status: 'NOT_FOUND', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] } } });
    const badToken = await send({ message: { ...message, token: 'invalid-1' } }, bearer);
    expect(badToken.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'The registration token is not a valid FCM registration token' });
    const badData = await send({ message: { ...message, data: { n: 1 } } }, bearer);
    expect(badData.body.error.details[0].fieldViolations[0]).toMatchObject({ field: 'message.data[0].value' });
    const big = await send({ message: { ...message, data: { blob: 'x'.repeat(4100) } } }, bearer);
    expect(big.body.error).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/4096-byte limit/) });
    const flaky = { ...message, token: '503-x' };
    expect((await send({ message: flaky }, bearer)).body.error.details[0].errorCode).toBe('UNAVAILABLE');
    expect((await send({ message: flaky }, bearer)).status).toBe(200);
  });

  it('counts each accepted message, answers a burst with 429 + Retry-After, and enforces the project quota', async () => {
    const ok = await send({ message: { token: 'tok-b', data: { k: 'v' } } }, bearer);
    expect(ok.body.name).toMatch(new RegExp(`^projects/${fcm.projectId}/messages/`));
    await send({ message: { token: 'tok-b', data: { k: 'v' } } }, bearer);
    expect(fcm.acceptedFor('tok-b')).toBe(2);
    expect(fcm.duplicates()).toHaveLength(1);
    fcm.burst429(1, 3);
    const limited = await send({ message: { token: 'tok-c' } }, bearer);
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '3' }, body: { error: { status: 'RESOURCE_EXHAUSTED', details: [{ errorCode: 'QUOTA_EXCEEDED' }] } } });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send({ message: { token: `q-${i}` } }, bearer)));
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
    expect(Number(answers.find((a) => a.status === 429)!.headers['retry-after'])).toBeGreaterThan(50);
    expect(fcm.stats.maxInFlight).toBeGreaterThan(1);
  });
});
