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
  /** `ready` has resolved: requests go straight out rather than each awaiting it. */
  connected: boolean;
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
    const slot: Slot = { session, active: 0, ready: Promise.resolve(), connected: false };
    slot.ready = new Promise<void>((resolve, reject) => {
      session.once('remoteSettings', () => {
        slot.connected = true;
        resolve();
      });
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

  /** Sends one request and reads the whole answer; `headers` are the request's whole header block (`:method`, `:path`, …). */
  async request(headers: http2.OutgoingHttpHeaders, body: string): Promise<H2Response> {
    if (this.closed) throw new H2RequestError('HTTP/2 pool is closed', false);
    const slot = this.pick();
    slot.active++;
    try {
      if (!slot.connected) {
        await slot.ready.catch((err: Error) => {
          throw new H2RequestError(`cannot connect to ${this.origin}: ${err.message}`, false, (err as NodeJS.ErrnoException).code);
        });
      }
      return await this.exchange(slot.session, headers, body);
    } finally {
      slot.active--;
    }
  }

  private exchange(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body: string): Promise<H2Response> {
    return new Promise<H2Response>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(headers);
      } catch (err) {
        return reject(new H2RequestError(`cannot open a stream to ${this.origin}: ${(err as Error).message}`, false));
      }
      const path = String(headers[':path']);
      let status = 0;
      let resHeaders: http2.IncomingHttpHeaders = {};
      let first: Buffer | null = null;
      let more: Buffer[] | null = null;
      this.watch(stream);
      stream.on('response', (h) => {
        resHeaders = h;
        status = Number(h[':status']);
      });
      stream.on('data', (c: Buffer) => {
        if (!first) first = c;
        else (more ??= [first]).push(c);
      });
      stream.on('end', () => {
        // A stream cancelled before any answer (the timeout) also ends: that is no answer, not an empty one.
        if (status === 0) return reject(new H2RequestError(`${this.origin}${path}: no answer (stream closed, code ${stream.rstCode ?? 'none'})`, stream.rstCode !== http2.constants.NGHTTP2_REFUSED_STREAM, 'ERR_HTTP2_STREAM_CLOSED'));
        resolve({ status, headers: resHeaders, body: more ? Buffer.concat(more).toString('utf8') : first ? (first as Buffer).toString('utf8') : '' });
      });
      stream.on('error', (err: NodeJS.ErrnoException) => reject(new H2RequestError(`${this.origin}${path}: ${err.message}`, stream.rstCode !== http2.constants.NGHTTP2_REFUSED_STREAM, err.code)));
      stream.on('close', () => {
        this.waiting.delete(stream);
        if (status === 0 || !stream.readableEnded) {
          const refused = stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM;
          reject(new H2RequestError(`${this.origin}${path}: stream closed without an answer (code ${stream.rstCode})`, !refused, 'ERR_HTTP2_STREAM_CLOSED'));
        }
      });
      stream.end(body);
    });
  }

  /**
   * Streams waiting for their answer, by when they were opened. One sweep per quarter of the timeout cancels the
   * overdue ones (an answer is cancelled between timeoutMs and 1.25 × timeoutMs): cheaper than a timer per stream
   * at thousands of requests a second.
   */
  private readonly waiting = new Map<http2.ClientHttp2Stream, number>();
  private sweeper: NodeJS.Timeout | null = null;

  private watch(stream: http2.ClientHttp2Stream): void {
    this.waiting.set(stream, Date.now());
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const overdue = Date.now() - this.timeoutMs;
      // A Map iterates in insertion order: the oldest streams come first.
      for (const [s, at] of this.waiting) {
        if (at > overdue) break;
        this.waiting.delete(s);
        s.close(http2.constants.NGHTTP2_CANCEL);
      }
      if (this.waiting.size === 0 && this.sweeper) {
        clearInterval(this.sweeper);
        this.sweeper = null;
      }
    }, Math.max(10, Math.floor(this.timeoutMs / 4)));
    this.sweeper.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    await Promise.all(this.slots.map((s) => new Promise<void>((resolve) => {
      if (s.session.closed || s.session.destroyed) return resolve();
      s.session.close(() => resolve());
    })));
    this.slots = [];
  }
}
