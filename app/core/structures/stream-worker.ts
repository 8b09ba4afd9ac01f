/** Beside ScheduleWorker and WebSocketWorker: the stream kind owns its base class (app/core/kinds/stream). */
export * from '../kinds/stream/stream-worker';
