import type { WorkerContext } from '../../structures/context';

/** `ctx` of a `@WebSocket` listener's hooks: the shared worker context plus `send`. */
export interface ListenerContext extends WorkerContext {
  /** Fired when this connection is given up (stop, disable, lease lost, shutdown). */
  readonly signal: AbortSignal;
  send(data: string | Buffer): void;
}

/** Base of `@WebSocket` classes: the supervisor connects, reconnects and calls these hooks. */
export abstract class WebSocketWorker {
  onOpen(_ctx: ListenerContext): Promise<void> | void {}
  abstract onMessage(data: Buffer | string, ctx: ListenerContext): Promise<void> | void;
  onClose(_code: number, _reason: string, _ctx: ListenerContext): Promise<void> | void {}
}
