/** The websocket kind: long-lived, reconnecting WebSocket listeners supervised in worker processes. */
import { ListenerManager, supervisorServices } from '../../runtime/listeners';
import type { WorkerKind } from '../kind';
import { ListenerSupervisor } from './listener-supervisor';
import { buildWebSocket, describeWebSocket, type WebSocketDefinition } from './websocket.definition';
import { WebSocketWorker } from './websocket-worker';

export const websocketKind: WorkerKind<WebSocketDefinition> = {
  name: 'websocket',
  decorator: 'WebSocket',
  base: WebSocketWorker,
  build: buildWebSocket,
  describe: describeWebSocket,
  actions: ['stop', 'start', 'restart', 'enable', 'disable'],
  activeStates: ['connected', 'reconnecting'],
  states: ['connected', 'reconnecting', 'stopped', 'disabled'],
  idleState: 'stopped',
  run: (defs, c) => {
    const services = supervisorServices(c);
    return new ListenerManager(c, defs, (def) => new ListenerSupervisor(def as WebSocketDefinition, { ...services, leaseMs: c.settings.LISTENER_LEASE_MS }));
  },
};

export type { WebSocketDefinition } from './websocket.definition';
export { WebSocketWorker, type ListenerContext } from './websocket-worker';
