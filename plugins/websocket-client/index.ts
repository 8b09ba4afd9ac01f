export { ReconnectingWebSocket, type ReconnectingWebSocketOptions, type ConnectionState, type ConnectionStats } from './reconnecting-websocket';
