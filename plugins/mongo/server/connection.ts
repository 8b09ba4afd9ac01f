import type { Socket } from 'node:net';
import { decodeRequest, encodeReply, type WireRequest } from './wire';
import type { Doc } from './query/values';

/** Frames larger than this are refused; it matches the advertised maxMessageSizeBytes. */
const MAX_FRAME_BYTES = 48_000_000;

export type RequestHandler = (req: WireRequest, connectionId: number) => Doc;

/** One client socket: reassembles frames, runs each request and writes the reply. */
export class WireConnection {
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    readonly socket: Socket,
    readonly id: number,
    private readonly handle: RequestHandler,
    private readonly latencyMs: () => number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // A client vanishing mid-reply is normal for a test server; nothing to report.
    socket.on('error', () => socket.destroy());
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32LE(0);
      if (length < 16 || length > MAX_FRAME_BYTES) {
        this.socket.destroy();
        return;
      }
      if (this.pending.length < length) return;
      const frame = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      this.process(frame);
    }
  }

  private process(frame: Buffer): void {
    let req: WireRequest;
    try {
      req = decodeRequest(frame);
    } catch {
      this.socket.destroy();
      return;
    }
    const reply = encodeReply(req, this.handle(req, this.id));
    if (req.moreToCome) return;
    const delay = this.latencyMs();
    if (delay > 0) setTimeout(() => this.write(reply), delay);
    else this.write(reply);
  }

  private write(reply: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(reply);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
