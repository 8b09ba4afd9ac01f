/**
 * The toolkit's HTTP client against a real local HTTP server: retries on 5xx, 429 (honouring Retry-After, capped)
 * and network errors, no retry on the non-retryable list, per-attempt timeouts, bodies re-sent on retry, and an
 * abort that ends the wait between tries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, HttpNetworkError, HttpNonRetryableError, HttpStatusError } from '../../../plugins/http';

interface Seen {
  method: string;
  url: string;
  body: string;
  at: number;
}

/** Each path answers from its script, one entry per request (the last one repeats). */
const scripts = new Map<string, Array<{ status: number; headers?: Record<string, string>; body?: string } | 'hang'>>();
const seen: Seen[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const count = seen.filter((s) => s.url.split('?')[0] === path).length;
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, at: Date.now() });
      const script = scripts.get(path) ?? [{ status: 200, body: 'ok' }];
      const step = script[Math.min(count, script.length - 1)];
      if (step === 'hang') return; // never answers: the client's timeout must fire
      res.writeHead(step.status, step.headers).end(step.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const requestsTo = (path: string): Seen[] => seen.filter((s) => s.url.split('?')[0] === path);

describe('HttpClient', () => {
  it('retries 5xx with backoff until it succeeds, reporting each retry', async () => {
    scripts.set('/flaky', [{ status: 503, body: 'busy' }, { status: 502 }, { status: 200, body: '{"ok":true}' }]);
    const retries: Array<{ attempt: number; delayMs: number; reason: string }> = [];
    const client = new HttpClient({ baseUrl: base, attempts: 4, backoffMs: 40, onRetry: (r) => retries.push(r) });
    const res = await client.text('/flaky', { query: { page: 2 } });
    expect(res).toMatchObject({ status: 200, text: '{"ok":true}', attempts: 3 });
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([[1, `GET ${base}/flaky?page=2 answered 503`], [2, `GET ${base}/flaky?page=2 answered 502`]]);
    // Equal jitter: the first wait is in [20, 40] ms, the second in [40, 80].
    expect(retries[0].delayMs).toBeGreaterThanOrEqual(20);
    expect(retries[1].delayMs).toBeGreaterThanOrEqual(40);
    const [a, b, c] = requestsTo('/flaky');
    expect(b.at - a.at).toBeGreaterThanOrEqual(retries[0].delayMs - 5);
    expect(c.at - b.at).toBeGreaterThanOrEqual(retries[1].delayMs - 5);
    await client.close();
  });

  it('honours Retry-After on 429, capped at maxBackoffMs', async () => {
    scripts.set('/limited', [{ status: 429, headers: { 'retry-after': '0.3' } }, { status: 429, headers: { 'retry-after': '120' } }, { status: 200, body: 'in' }]);
    const delays: number[] = [];
    const client = new HttpClient({ baseUrl: base, attempts: 3, backoffMs: 10, maxBackoffMs: 500, onRetry: (r) => delays.push(r.delayMs) });
    expect((await client.text('/limited')).attempts).toBe(3);
    expect(delays).toEqual([300, 500]);
    const [a, b] = requestsTo('/limited');
    expect(b.at - a.at).toBeGreaterThanOrEqual(295);
    await client.close();
  });

  it('fails at once on a non-retryable status, and with the last answer once attempts run out', async () => {
    scripts.set('/gone', [{ status: 404, body: 'no such order' }]);
    scripts.set('/down', [{ status: 500, body: 'still down' }]);
    const client = new HttpClient({ baseUrl: base, attempts: 3, backoffMs: 5 });
    const gone = await client.json('/gone').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(HttpNonRetryableError);
    expect((gone as HttpNonRetryableError).message).toBe(`GET ${base}/gone answered 404: no such order`);
    expect(requestsTo('/gone')).toHaveLength(1);
    const down = await client.text('/down').catch((e: unknown) => e);
    expect(down).toBeInstanceOf(HttpStatusError);
    expect(down).not.toBeInstanceOf(HttpNonRetryableError);
    expect((down as HttpStatusError).message).toBe(`GET ${base}/down answered 500: still down`);
    expect(requestsTo('/down')).toHaveLength(3);
    await client.close();
  });

  it('re-sends a JSON body on retry and retries network errors', async () => {
    scripts.set('/orders', [{ status: 503 }, { status: 201, body: 'made' }]);
    const client = new HttpClient({ baseUrl: base, attempts: 2, backoffMs: 5 });
    expect((await client.text('/orders', { method: 'POST', body: { id: 7 } })).status).toBe(201);
    expect(requestsTo('/orders').map((s) => [s.method, s.body])).toEqual([['POST', '{"id":7}'], ['POST', '{"id":7}']]);
    await client.close();

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const reasons: string[] = [];
    const refused = new HttpClient({ attempts: 3, backoffMs: 5, onRetry: (r) => reasons.push(r.reason) });
    const err = await refused.text(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpNetworkError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect(reasons).toHaveLength(2);
    await refused.close();
  });

  it('times out each attempt that gets no answer', async () => {
    scripts.set('/slow', ['hang']);
    const client = new HttpClient({ baseUrl: base, attempts: 2, backoffMs: 5, timeoutMs: 150 });
    const started = Date.now();
    const err = await client.text('/slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpNetworkError);
    expect((err as Error).message).toMatch(/timeout/i);
    expect(requestsTo('/slow')).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await client.close();
  });

  it('an abort ends the wait between tries with the signal\'s reason', async () => {
    scripts.set('/wait', [{ status: 503, headers: { 'retry-after': '10' } }]);
    const client = new HttpClient({ baseUrl: base, attempts: 5, maxBackoffMs: 10_000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error('run stopped')), 100);
    const started = Date.now();
    await expect(client.text('/wait', { signal: abort.signal })).rejects.toThrow('run stopped');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(requestsTo('/wait')).toHaveLength(1);
    await client.close();
  });
});
