/**
 * HTTP/2 sessions to one origin, opened as the streams in flight need them: a session carries at most the
 * peer's SETTINGS_MAX_CONCURRENT_STREAMS (Google's front ends: 100), so 500 requests in flight use five
 * sessions. Hand-written on node:http2 because undici's HTTP/2 support is still experimental in v7 and does not
 * spread streams over several sessions by the peer's limit.
 */
import http2 from 'node:http2';

export interface H2Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

/**
 * A request failed without an answer. `sent` tells whether the peer may have processed it (the request went
 * out and the stream died later) or certainly did not (no session, or the peer refused the stream).
 */
export class H2RequestError extends Error {
  override readonly name = 'H2RequestError';
  constructor(message: string, readonly sent: boolean, readonly code?: string) {
    super(message);
  }
}

interface Slot {
  session: http2.ClientHttp2Session;
  active: number;
  ready: Promise<void>;
}

export interface Http2PoolOptions {
  /** Streams per session until the peer announces its limit. @defaultValue 100 */
  defaultStreamsPerSession?: number;
  /** An answer taking longer is cancelled. @defaultValue 10000 */
  timeoutMs?: number;
}

export class Http2Pool {
  private slots: Slot[] = [];
  private closed = false;
  private readonly timeoutMs: number;
  private readonly defaultStreams: number;

  constructor(private readonly origin: string, opts: Http2PoolOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.defaultStreams = opts.defaultStreamsPerSession ?? 100;
  }

  get sessions(): number {
    return this.slots.length;
  }

  private limitOf(slot: Slot): number {
    return slot.session.remoteSettings?.maxConcurrentStreams ?? this.defaultStreams;
  }

  private open(): Slot {
    const session = http2.connect(this.origin);
    const slot: Slot = { session, active: 0, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => resolve());
      session.once('error', reject);
    });
    // A rejected `ready` is seen by the requests waiting on it; this handler only keeps it from going unhandled.
    slot.ready.catch(() => undefined);
    const drop = (): void => {
      this.slots = this.slots.filter((s) => s !== slot);
    };
    session.on('goaway', drop);
    session.on('close', drop);
    session.on('error', drop);
    session.unref();
    this.slots.push(slot);
    return slot;
  }

  private pick(): Slot {
    for (const slot of this.slots) if (!slot.session.destroyed && !slot.session.closed && slot.active < this.limitOf(slot)) return slot;
    return this.open();
  }

  /** Sends one request and reads the whole answer. */
  async request(path: string, headers: http2.OutgoingHttpHeaders, body: string): Promise<H2Response> {
    if (this.closed) throw new H2RequestError('HTTP/2 pool is closed', false);
    const slot = this.pick();
    slot.active++;
    try {
      await slot.ready.catch((err: Error) => {
        throw new H2RequestError(`cannot connect to ${this.origin}: ${err.message}`, false, (err as NodeJS.ErrnoException).code);
      });
      return await this.exchange(slot.session, path, headers, body);
    } finally {
      slot.active--;
    }
  }

  private exchange(session: http2.ClientHttp2Session, path: string, headers: http2.OutgoingHttpHeaders, body: string): Promise<H2Response> {
    return new Promise<H2Response>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': path, ...headers });
      } catch (err) {
        return reject(new H2RequestError(`cannot open a stream to ${this.origin}: ${(err as Error).message}`, false));
      }
      let status = 0;
      let resHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(this.timeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      stream.on('response', (h) => {
        resHeaders = h;
        status = Number(h[':status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, headers: resHeaders, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', (err: NodeJS.ErrnoException) => reject(new H2RequestError(`${this.origin}${path}: ${err.message}`, stream.rstCode !== http2.constants.NGHTTP2_REFUSED_STREAM, err.code)));
      stream.on('close', () => {
        if (status === 0 || !stream.readableEnded) {
          const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
          reject(new H2RequestError(`${this.origin}${path}: stream closed without an answer (code ${stream.rstCode})`, !refused, 'ERR_HTTP2_STREAM_CLOSED'));
        }
      });
      stream.end(body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.session.closed || s.session.destroyed) return resolve();
      s.session.close(() => resolve());
    })));
    this.slots = [];
  }
}
