import { record } from '../../decorators/declarations';
import type { WebSocketOptions } from './websocket.options';

/** Declares a long-lived WebSocket listener on a class extending `WebSocketWorker`. */
export function WebSocket(options: WebSocketOptions): ClassDecorator {
  return (target) => record('websocket', target, options);
}
