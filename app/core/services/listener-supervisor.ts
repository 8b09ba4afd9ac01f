/** Kept for existing imports: the websocket kind owns its supervisor (app/core/kinds/websocket). */
export * from '../kinds/websocket/listener-supervisor';
