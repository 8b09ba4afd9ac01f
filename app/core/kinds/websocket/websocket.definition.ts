/** The registry entry of a `@WebSocket` listener. */
import type { AnyClass, Declaration } from '../../decorators/declarations';
import { intOrSetting } from '../../registry/definition-checks';
import { messages } from '../../registry/registry.messages';
import type { WebSocketOptions } from './websocket.options';

export interface WebSocketDefinition {
  kind: 'websocket';
  id: string;
  cls: AnyClass;
  file: string;
  description: string;
  url?: string;
  urlConfigKey?: string;
  heartbeatMs: number;
  /** Setting that gives heartbeatMs at connect time (when the option named one). */
  heartbeatSetting: string | null;
  reconnect: { minMs: number; maxMs: number };
  singleton: boolean;
  enabled: boolean;
}

export function buildWebSocket(decl: Declaration, file: string, id: string): WebSocketDefinition {
  const o = decl.options as WebSocketOptions;
  if (!o.url && !o.urlConfigKey) throw new Error(messages.invalidOption(id, 'url', file, 'give url or urlConfigKey'));
  const reconnect = o.reconnect ?? { minMs: 1_000, maxMs: 30_000 };
  if (!(reconnect.minMs > 0 && reconnect.maxMs >= reconnect.minMs)) throw new Error(messages.invalidOption(id, 'reconnect', file, 'need 0 < minMs <= maxMs'));
  const heartbeat = intOrSetting(id, 'heartbeatMs', o.heartbeatMs ?? 30_000, file);
  return {
    kind: 'websocket', id, cls: decl.target, file,
    description: o.description ?? '',
    url: o.url, urlConfigKey: o.urlConfigKey,
    heartbeatMs: typeof heartbeat === 'string' ? 30_000 : heartbeat,
    heartbeatSetting: typeof heartbeat === 'string' ? heartbeat : null,
    reconnect,
    singleton: o.singleton ?? true,
    enabled: o.enabled ?? true,
  };
}

export function describeWebSocket(def: WebSocketDefinition): Record<string, unknown> {
  return { url: def.url ?? null, urlConfigKey: def.urlConfigKey ?? null, heartbeatMs: def.heartbeatMs, reconnect: def.reconnect, singleton: def.singleton };
}
