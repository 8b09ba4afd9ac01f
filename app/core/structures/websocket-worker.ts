/** Kept for existing imports: the websocket kind owns its base class (app/core/kinds/websocket). */
export * from '../kinds/websocket/websocket-worker';
