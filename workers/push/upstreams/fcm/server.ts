/**
 * A fake of FCM HTTP v1 for tests, benchmarks and `npm run dev` (test/fakes/fcm re-exports it): `POST /v1/projects/{id}/messages:send` over
 * cleartext HTTP/2 on loopback (h2c), behind OAuth 2.0 bearer tokens that only its own token endpoint issues
 * (after verifying the service account's RS256 JWT). It answers after `latencyMs`, enforces the project quota
 * with 429 + Retry-After, scripts outcomes by token prefix, and counts every message it accepted so a test can
 * prove none was accepted twice.
 *
 * Token prefixes: `unregistered…` 404 UNREGISTERED · `invalid…` 400 INVALID_ARGUMENT (bad token) ·
 * `mismatch…` 403 SENDER_ID_MISMATCH · `thirdparty…` 401 THIRD_PARTY_AUTH_ERROR · `503…` UNAVAILABLE and
 * `500…` INTERNAL for the first `flakyAttempts` tries of each message, then accepted · `slow…` answers after
 * `slowLatencyMs`.
 */
import http2 from 'node:http2';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { failures, type FcmFailure } from './errors';
import { makeServiceAccount, type ServiceAccountJson } from './service-account';
import { startTokenEndpoint, type TokenEndpoint } from './oauth';
import { validateSend } from './validate';

export interface FakeFcmOptions {
  /** @defaultValue 'sluice-fake' */
  projectId?: string;
  /** Time before every answer. @defaultValue FCM_FAKE_LATENCY_MS, else 50 */
  latencyMs?: number;
  /** Time before the answer to a `slow…` token. @defaultValue 1000 */
  slowLatencyMs?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised per connection. @defaultValue 100 (Google's front ends) */
  maxConcurrentStreams?: number;
  /** Messages accepted per quota window across the project; above it 429 QUOTA_EXCEEDED. @defaultValue 600000 */
  quota?: number;
  /** @defaultValue 60000 */
  quotaWindowMs?: number;
  /** Share of requests answered 503 UNAVAILABLE at random (0–1). @defaultValue 0 */
  unavailableRate?: number;
  /** Tries of each `503…`/`500…` message that fail before it is accepted. @defaultValue 1 */
  flakyAttempts?: number;
}

export interface FakeFcm {
  /** Base URL for FCM_BASE_URL (`http://127.0.0.1:port`). */
  baseUrl: string;
  /** Google's `token_uri` of the service account. */
  tokenUri: string;
  projectId: string;
  /** The service account JSON the client must be configured with. */
  serviceAccount: ServiceAccountJson;
  token: TokenEndpoint;
  /** Accepted messages: `token#digest` → times accepted. */
  accepted: Map<string, number>;
  /** Accepted messages per token. */
  acceptedFor(token: string): number;
  /** Keys accepted more than once. */
  duplicates(): string[];
  stats: { requests: number; acceptedTotal: number; byStatus: Record<number, number>; inFlight: number; maxInFlight: number; sessions: number; resets: number };
  /** The next `n` send requests get 429 QUOTA_EXCEEDED with `Retry-After: retryAfterSec`. */
  burst429(n: number, retryAfterSec?: number): void;
  /** Share of requests answered 503 from now on. */
  setUnavailableRate(rate: number): void;
  setLatency(ms: number): void;
  /** Forgets every issued access token (the next send with one gets 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

type Json = Record<string, unknown>;

/** Identity of one message to one device: the token plus a digest of everything else it carries. */
export function messageKey(message: Json): string {
  const { token, ...rest } = message;
  return `${String(token)}#${createHash('sha1').update(JSON.stringify(rest)).digest('base64url')}`;
}

interface Decision { failure?: FcmFailure; delayMs: number; name?: string }

export async function startFakeFcm(opts: FakeFcmOptions = {}): Promise<FakeFcm> {
  const projectId = opts.projectId ?? 'sluice-fake';
  let latencyMs = opts.latencyMs ?? Number(process.env.FCM_FAKE_LATENCY_MS ?? 50);
  const slowMs = opts.slowLatencyMs ?? 1000;
  const quota = opts.quota ?? 600_000;
  const windowMs = opts.quotaWindowMs ?? 60_000;
  const flakyAttempts = opts.flakyAttempts ?? 1;
  let unavailableRate = opts.unavailableRate ?? 0;
  let burst = 0;
  let burstRetryAfter = 1;
  let windowStart = Date.now();
  let windowCount = 0;
  let serial = 0;
  const tries = new Map<string, number>();
  const accepted = new Map<string, number>();
  const stats = { requests: 0, acceptedTotal: 0, byStatus: {} as Record<number, number>, inFlight: 0, maxInFlight: 0, sessions: 0, resets: 0 };

  // The token endpoint is created first so the service account names it as its token_uri.
  const account = makeServiceAccount(projectId, 'pending');
  const token = await startTokenEndpoint(account.publicKey, account.json.client_email);
  account.json.token_uri = token.url;

  function authorized(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    const issued = m ? token.issued.get(m[1]) : undefined;
    return issued !== undefined && issued.expiresAt > Date.now();
  }

  function overQuota(): number | null {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      windowCount = 0;
    }
    if (++windowCount <= quota) return null;
    return Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
  }

  function byToken(message: Json): Decision {
    const t = String(message.token ?? '');
    if (t.startsWith('unregistered')) return { failure: failures.unregistered(), delayMs: latencyMs };
    if (t.startsWith('invalid')) return { failure: failures.invalidToken(), delayMs: latencyMs };
    if (t.startsWith('mismatch')) return { failure: failures.senderIdMismatch(), delayMs: latencyMs };
    if (t.startsWith('thirdparty')) return { failure: failures.thirdPartyAuth(), delayMs: latencyMs };
    const key = messageKey(message);
    if (t.startsWith('503') || t.startsWith('500')) {
      const n = (tries.get(key) ?? 0) + 1;
      tries.set(key, n);
      if (n <= flakyAttempts) return { failure: t.startsWith('503') ? failures.unavailable() : failures.internal(), delayMs: latencyMs };
    }
    return { delayMs: t.startsWith('slow') ? slowMs : latencyMs, name: key };
  }

  function decide(path: string, auth: string | undefined, raw: string): Decision {
    const m = SEND_PATH.exec(path);
    if (!m) return { failure: failures.notFound(), delayMs: latencyMs };
    if (!authorized(auth)) return { failure: failures.unauthenticated(), delayMs: latencyMs };
    if (decodeURIComponent(m[1]) !== projectId) return { failure: failures.permissionDenied(m[1]), delayMs: latencyMs };
    if (burst > 0) {
      burst--;
      return { failure: failures.quotaExceeded(burstRetryAfter), delayMs: latencyMs };
    }
    const wait = overQuota();
    if (wait !== null) return { failure: failures.quotaExceeded(wait), delayMs: latencyMs };
    if (unavailableRate > 0 && Math.random() < unavailableRate) return { failure: failures.unavailable(), delayMs: latencyMs };
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { failure: failures.invalidField('', 'Invalid JSON payload received. Unexpected token.'), delayMs: latencyMs };
    }
    const invalid = validateSend(body);
    if (invalid) return { failure: invalid, delayMs: latencyMs };
    const message = (body as { message: Json; validate_only?: boolean }).message;
    const decision = byToken(message);
    if (decision.name && (body as { validate_only?: boolean }).validate_only === true) return { delayMs: decision.delayMs, name: 'fake_message_id' };
    if (decision.name) {
      // Counted when FCM takes the message, not when the answer reaches the client: a client that dies while
      // waiting has still had its message delivered.
      accepted.set(decision.name, (accepted.get(decision.name) ?? 0) + 1);
      stats.acceptedTotal++;
    }
    return decision;
  }

  function answer(stream: http2.ServerHttp2Stream, d: Decision): void {
    const status = d.failure?.http ?? 200;
    const body = d.failure ? d.failure.body : { name: `projects/${projectId}/messages/${d.name === 'fake_message_id' ? d.name : `0:${Date.now()}%${(++serial).toString(16)}`}` };
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    stats.inFlight--;
    if (stream.destroyed || stream.closed) return;
    stream.respond({ ':status': status, 'content-type': 'application/json; charset=UTF-8', ...(d.failure?.headers ?? {}) });
    stream.end(JSON.stringify(body));
  }

  const server = http2.createServer({ settings: { maxConcurrentStreams: opts.maxConcurrentStreams ?? 100 } });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    stats.sessions++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => stats.resets++);
  });
  server.on('stream', (stream, headers) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    stream.on('error', () => stats.resets++);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const d = decide(String(headers[':path']), headers.authorization, Buffer.concat(chunks).toString('utf8'));
      setTimeout(() => answer(stream, d), d.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokenUri: token.url,
    projectId,
    serviceAccount: account.json,
    token,
    accepted,
    stats,
    acceptedFor: (t) => {
      let n = 0;
      for (const [key, count] of accepted) if (key.startsWith(`${t}#`)) n += count;
      return n;
    },
    duplicates: () => [...accepted].filter(([, n]) => n > 1).map(([k]) => k),
    burst429: (n, retryAfterSec = 1) => {
      burst = n;
      burstRetryAfter = retryAfterSec;
    },
    setUnavailableRate: (rate) => {
      unavailableRate = rate;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    revokeTokens: () => token.issued.clear(),
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await token.close();
    },
  };
}
